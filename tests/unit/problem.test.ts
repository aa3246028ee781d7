import { describe, expect, it, vi } from 'vitest';
import { AppError } from '@/lib/errors';
import { problemResponse } from '@/lib/http/problem';
import { log } from '@/lib/log';
import { decodeCursor, encodeCursor } from '@/lib/pagination';

describe('problem responses', () => {
  it('carry the code, extensions and headers of a domain error', async () => {
    const res = problemResponse(
      new AppError('conflict', 'Busy.', {
        extensions: { quota_scope: 'user' },
        headers: { 'retry-after': '3' },
      }),
      'req-1',
    );
    expect(res.status).toBe(409);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(res.headers.get('retry-after')).toBe('3');
    expect(await res.json()).toEqual({
      type: 'urn:mini-chat:problem:conflict',
      title: 'Conflict',
      status: 409,
      detail: 'Busy.',
      code: 'conflict',
      quota_scope: 'user',
      request_id: 'req-1',
    });
  });

  it('name the Bearer scheme on every 401, unless the error names its own challenge', () => {
    const anonymous = problemResponse(new AppError('unauthorized', 'Sign in.'));
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    const own = problemResponse(
      new AppError('unauthorized', 'Bad token.', {
        headers: { 'WWW-Authenticate': 'Bearer error="invalid_token"' },
      }),
    );
    expect(own.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(problemResponse(new AppError('forbidden', 'No.')).headers.has('www-authenticate')).toBe(false);
    expect(problemResponse(new AppError('not_found', 'No.')).headers.has('www-authenticate')).toBe(false);
  });

  it('hide everything about an unexpected error and log it instead', async () => {
    const error = vi.spyOn(log, 'error').mockImplementation(() => {});
    const res = problemResponse(
      new Error('duplicate key value violates unique constraint "x" at select * from users'),
    );
    const body = await res.json();
    expect(res.status).toBe(500);
    expect(body.code).toBe('internal');
    expect(JSON.stringify(body)).not.toMatch(/duplicate|select|users|stack/);
    expect(error).toHaveBeenCalledOnce();
    error.mockRestore();
  });
});

describe('chat list cursors', () => {
  it('round-trip exactly and reject anything else', () => {
    const cursor = {
      at: new Date('2026-01-02T03:04:05.678Z'),
      id: '01a21dac-f1b9-77ad-932d-3b382c2aab95',
    };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
    for (const bad of [
      '',
      'x',
      Buffer.from('["nope","id"]').toString('base64url'),
      Buffer.from('{}').toString('base64url'),
    ]) {
      expect(() => decodeCursor(bad)).toThrow(AppError);
    }
  });

  it('refuse instants Postgres cannot read back as the cursor was written', () => {
    const id = '01a21dac-f1b9-77ad-932d-3b382c2aab95';
    const cursor = (at: string | number) => Buffer.from(JSON.stringify([at, id])).toString('base64url');
    for (const at of [
      '+275760-09-13T00:00:00.000Z',
      '+010000-01-01T00:00:00.000Z',
      '-000001-01-01T00:00:00.000Z',
      '-271821-04-20T00:00:00.000Z',
      '0000-12-31T23:59:59.999Z',
    ]) {
      expect(() => decodeCursor(cursor(at)), at).toThrow(
        expect.objectContaining({ code: 'validation_error', status: 400 }),
      );
    }
    for (const at of ['0001-01-01T00:00:00.000Z', '9999-12-31T23:59:59.999Z']) {
      expect(decodeCursor(cursor(at)).at.toISOString()).toBe(at);
    }
  });
});
