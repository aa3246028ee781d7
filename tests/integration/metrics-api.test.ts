import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as outboxCron from '@/app/api/cron/outbox/route';
import * as metricsRoute from '@/app/api/metrics/route';
import { deleteAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { drain } from '@/lib/outbox/worker';
import { processMetrics } from '@/lib/runtime';
import { fakeOpenAIForFile, fileInput, makeChat, makeDeps } from '@/tests/support/attachments';
import { makeUser } from '@/tests/support/fixtures';
import { ownDatabaseForFile } from '@/tests/support/own-database';
import { makeWorker, TestClock } from '@/tests/support/worker';

ownDatabaseForFile();
const server = fakeOpenAIForFile();
const TOKEN = 'metrics-token-for-tests';

const get = (handler: (request: Request) => Promise<Response>, auth?: string) =>
  handler(new Request('http://localhost/api/test', { headers: auth ? { authorization: auth } : {} }));

/** One series' value from the exposition text (0 when absent). */
function series(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text
    .split('\n')
    .find((l) =>
      l.startsWith(`${name}{`) || l.startsWith(`${name} `) ? wanted.every((w) => l.includes(w)) : false,
    );
  return line ? Number(line.split(' ').at(-1)) : 0;
}

beforeEach(() => {
  process.env.METRICS_TOKEN = TOKEN;
  process.env.CRON_SECRET = 'cron-secret-for-tests';
});
afterEach(() => {
  delete process.env.METRICS_TOKEN;
  delete process.env.CRON_SECRET;
});

describe('GET /api/metrics', () => {
  it('is 404 when no token is configured, 401 without the right one', async () => {
    delete process.env.METRICS_TOKEN;
    expect((await get(metricsRoute.GET, `Bearer ${TOKEN}`)).status).toBe(404);
    process.env.METRICS_TOKEN = TOKEN;
    const anonymous = await get(metricsRoute.GET);
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Bearer');
    expect(anonymous.headers.get('x-request-id')).toBeTruthy();
    expect((await get(metricsRoute.GET, 'Bearer wrong')).status).toBe(401);
  });

  it('serves Prometheus text in which the counters move as the service acts', async () => {
    const scrape = async () => {
      const response = await get(metricsRoute.GET, `Bearer ${TOKEN}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
      return response.text();
    };
    const before = await scrape();
    for (const name of [
      'mini_chat_attachment_upload_total',
      'mini_chat_attachment_upload_bytes',
      'mini_chat_attachments_pending',
      'mini_chat_cleanup_completed_total',
      'mini_chat_cleanup_failed_total',
      'mini_chat_cleanup_retry_total',
      'mini_chat_cleanup_backlog',
      'mini_chat_outbox_dead_rows',
    ]) {
      expect(before).toContain(`# TYPE ${name} `);
    }

    const fake = server();
    const deps = { ...(await makeDeps(fake)), metrics: processMetrics() };
    const user = await makeUser();
    const chatId = await makeChat(user);
    const outcome = await uploadFile(
      deps,
      user.caller,
      chatId,
      fileInput('quarterly numbers', { filename: 'q.txt' }),
    );
    await outcome.indexing?.();
    await deleteAttachment(deps, user.caller, chatId, outcome.attachment.id);

    const queued = await scrape();
    const ok = { kind: 'document', result: 'ok' };
    expect(series(queued, 'mini_chat_attachment_upload_total', ok)).toBe(
      series(before, 'mini_chat_attachment_upload_total', ok) + 1,
    );
    expect(series(queued, 'mini_chat_cleanup_backlog', { state: 'pending', resource_type: 'file' })).toBe(1);
    expect(series(queued, 'mini_chat_outbox_pending_rows', { kind: 'attachment_deleted' })).toBe(1);

    await drain(makeWorker(deps, new TestClock(), {}, processMetrics()));
    const after = await scrape();
    expect(series(after, 'mini_chat_cleanup_completed_total', { resource_type: 'file' })).toBe(
      series(before, 'mini_chat_cleanup_completed_total', { resource_type: 'file' }) + 1,
    );
    expect(series(after, 'mini_chat_cleanup_backlog', { state: 'pending', resource_type: 'file' })).toBe(0);
    expect(series(after, 'mini_chat_outbox_pending_rows', { kind: 'attachment_deleted' })).toBe(0);
    // Bounded labels only: no ids or names of anything.
    expect(after).not.toContain(chatId);
    expect(after).not.toContain(user.caller.tenantId);
    expect(after).not.toContain('q.txt');
  });
});

describe('GET /api/cron/outbox', () => {
  it('needs CRON_SECRET, then reaps and drains within its budget', async () => {
    expect((await get(outboxCron.GET)).status).toBe(401);
    delete process.env.CRON_SECRET;
    expect((await get(outboxCron.GET, 'Bearer cron-secret-for-tests')).status).toBe(404);
    process.env.CRON_SECRET = 'cron-secret-for-tests';
    const response = await get(outboxCron.GET, 'Bearer cron-secret-for-tests');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({
      reaped: { interrupted: 0 },
      drained: { completed: 0, retried: 0, dead: 0, lost: 0 },
    });
  });
});
