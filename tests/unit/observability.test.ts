import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { parseStoredFilename, parseVectorStoreName, vectorStoreName } from '@/lib/file-stores/naming';
import { createLogger, errorFields, withLogContext } from '@/lib/log';
import { PromMetrics } from '@/lib/metrics';
import { backoffMs, loadWorkerConfig } from '@/lib/outbox/config';

function capture() {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { logger: createLogger({ level: 'info' }, stream), lines };
}

describe('structured logs', () => {
  it('carry the request or job id of the context they are written in', () => {
    const { logger, lines } = capture();
    withLogContext({ request_id: 'req-1' }, () => {
      logger.info('outer');
      withLogContext({ job_id: 'job-1', job_kind: 'chat_deleted' }, () => logger.info('inner'));
    });
    logger.info('outside');
    expect(lines.map(({ msg, request_id, job_id }) => ({ msg, request_id, job_id }))).toEqual([
      { msg: 'outer', request_id: 'req-1', job_id: undefined },
      { msg: 'inner', request_id: 'req-1', job_id: 'job-1' },
      { msg: 'outside', request_id: undefined, job_id: undefined },
    ]);
    expect(lines[0]).toMatchObject({ level: 'info', service: 'mini-chat', time: expect.any(String) });
  });

  it('never write a secret: credential fields are redacted and tokens in text masked', () => {
    const { logger, lines } = capture();
    const err = new Error(
      '401 Incorrect API key provided: sk-proj-abcdefghijklmnop; Bearer mct_0123456789abcdef',
    );
    logger.warn(
      {
        headers: { authorization: 'Bearer abc', cookie: 'session=1' },
        config: { apiKey: 'sk-live-zzzzzzzzzzzz' },
        password: 'hunter2',
        err: errorFields(err),
      },
      'call failed',
    );
    const text = JSON.stringify(lines);
    for (const secret of [
      'abc"',
      'session=1',
      'zzzzzzzzzzzz',
      'hunter2',
      'abcdefghijklmnop',
      '0123456789abcdef',
    ]) {
      expect(text).not.toContain(secret);
    }
    expect(text).toContain('Incorrect API key provided');
  });
});

describe('worker configuration', () => {
  it("has upstream's defaults and a backoff doubling from 1 s up to 60 s", () => {
    const config = loadWorkerConfig({});
    expect(config).toMatchObject({ maxAttempts: 5, leaseMs: 60_000, pendingTimeoutMs: 15 * 60_000 });
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffMs(config, n))).toEqual([
      1000, 2000, 4000, 8000, 16_000, 32_000, 60_000, 60_000,
    ]);
    expect(loadWorkerConfig({ OUTBOX_MAX_ATTEMPTS: '8', OUTBOX_LEASE_SECONDS: '30' })).toMatchObject({
      maxAttempts: 8,
      leaseMs: 30_000,
    });
    expect(() => loadWorkerConfig({ OUTBOX_MAX_ATTEMPTS: '0' })).toThrow(/OUTBOX_MAX_ATTEMPTS/);
  });
});

describe('provider naming', () => {
  const chat = '01a21dac-f1b9-77ad-932d-3b382c2aab95';
  const attachment = '01a21dac-f1b9-77ad-932d-3b382c2aab96';

  it('reads back the ids our names carry, and nothing from names that are not ours', () => {
    expect(parseStoredFilename(`${chat}_${attachment}.pdf`)).toEqual({
      chatId: chat,
      attachmentId: attachment,
    });
    for (const name of [
      null,
      'report.pdf',
      `${chat}_${attachment}`,
      `${chat}-${attachment}.pdf`,
      `x${chat}_${attachment}.txt`,
    ]) {
      expect(parseStoredFilename(name)).toBeUndefined();
    }
    expect(parseVectorStoreName(vectorStoreName(chat))).toBe(chat);
    for (const name of [null, 'mini-chat', `mini-chat_${chat}x`, `other_${chat}`]) {
      expect(parseVectorStoreName(name)).toBeUndefined();
    }
  });
});

describe('Prometheus metrics', () => {
  it('fold unknown job kinds into one label and report every backlog state', async () => {
    const metrics = new PromMetrics();
    metrics.job('attachment_deleted', 'ok');
    metrics.job('something_new', 'dead');
    const text = await metrics.render({
      cleanup: [
        { state: 'pending', resource: 'file', count: 2 },
        { state: 'failed', resource: 'file', count: 0 },
      ],
      outbox: [
        { kind: 'x', pending: 1, dead: 1, oldestPendingSeconds: 5 },
        { kind: 'y', pending: 2, dead: 0, oldestPendingSeconds: 9 },
      ],
    });
    expect(text).toContain('mini_chat_outbox_handler_total{kind="attachment_deleted",result="ok"} 1');
    expect(text).toContain('mini_chat_outbox_dead_total{kind="other"} 1');
    expect(text).toContain('mini_chat_cleanup_backlog{state="failed",resource_type="file"} 0');
    expect(text).toContain('mini_chat_outbox_pending_rows{kind="other"} 3');
    expect(text).toContain('mini_chat_outbox_oldest_pending_age_seconds{kind="other"} 9');
    expect(text).not.toContain('something_new');
  });
});
