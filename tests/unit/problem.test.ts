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
});
