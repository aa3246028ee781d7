import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteAttachment, getAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { deleteChat } from '@/lib/chats/service';
import { readBacklog } from '@/lib/cleanup/backlog';
import { startWorkerLoop } from '@/lib/cleanup/loop';
import { attachments, chatVectorStores, localChunks, localVectorStoreFiles, outbox } from '@/lib/db/schema';
import type { FileStore } from '@/lib/file-stores/ports';
import { drain } from '@/lib/outbox/worker';
import { getDb } from '@/lib/runtime';
import { fileInput, makeChat } from '@/tests/support/attachments';
import {
  attachmentRow,
  cleanupTestBed,
  drainUntilSettled,
  jobsOf,
  makeWorker,
  metricValue,
  TestClock,
  type TestWorker,
} from '@/tests/support/worker';

const t = cleanupTestBed();
// This file's database is its own: each test starts from an empty outbox.
beforeEach(async () => {
  await (await getDb()).delete(outbox);
});

/** A document, uploaded and indexed (`ready`). */
async function readyDocument(chatId: string, text = 'The refund policy allows returns within 30 days.') {
  const outcome = await uploadFile(
    t.deps,
    t.user.caller,
    chatId,
    fileInput(text, { filename: 'policy.txt' }),
  );
  await outcome.indexing?.();
  expect((await getAttachment(t.deps, t.user.caller, chatId, outcome.attachment.id)).status).toBe('ready');
  return outcome.attachment.id;
}

const completed = (metrics: TestWorker['metrics'], resource: string) =>
  metricValue(metrics, 'mini_chat_cleanup_completed_total', { resource_type: resource });

describe('deleting an attachment', () => {
  it('takes the file out of the vector store and deletes it; the cleanup ends done', async () => {
    const chatId = await makeChat(t.user);
    const id = await readyDocument(chatId);
    await deleteAttachment(t.deps, t.user.caller, chatId, id);
    expect(await attachmentRow(id)).toMatchObject({ cleanupStatus: 'pending' });

    expect(await drain(t.worker)).toEqual({ completed: 1, retried: 0, dead: 0, lost: 0 });
    expect(await attachmentRow(id)).toMatchObject({ cleanupStatus: 'done', cleanupAttempts: 0 });
    expect(t.fake.state().files).toEqual([]);
    expect(t.fake.state().vectorStores[0]?.files).toEqual([]);
    expect(t.fake.requests.map((r) => r.endpoint)).toContain('vector_stores.files.delete');
    expect(await completed(t.worker.metrics, 'file')).toBe(1);
    const [job] = await jobsOf('attachment_deleted');
    expect(job).toMatchObject({ attempts: 1, completedAt: expect.any(Date), leaseToken: null, deadAt: null });
  });

  it('provider delete fails 3 times, then succeeds: retried with backoff, and done', async () => {
    const chatId = await makeChat(t.user);
    const id = await readyDocument(chatId);
    t.fake.fail('files.delete', { status: 500, times: 3 });
    await deleteAttachment(t.deps, t.user.caller, chatId, id);

    const available: number[] = [];
    for (let pass = 0; pass < 4; pass++) {
      await drain(t.worker);
      const [job] = await jobsOf('attachment_deleted');
      if (job?.completedAt) break;
      available.push(Math.round(((job?.availableAt.getTime() ?? 0) - t.clock.now) / 1000));
      // Nothing is due before its backoff has passed.
      expect(await drain(t.worker)).toMatchObject({ completed: 0, retried: 0 });
      t.clock.advance(60_001);
    }
    expect(available).toEqual([1, 2, 4]);
    expect(await attachmentRow(id)).toMatchObject({
      cleanupStatus: 'done',
      cleanupAttempts: 3,
      lastCleanupError: null,
    });
    expect(t.fake.state().files).toEqual([]);
    expect(
      await metricValue(t.worker.metrics, 'mini_chat_cleanup_retry_total', {
        resource_type: 'file',
        reason: 'provider_unavailable',
      }),
    ).toBe(3);
    expect(await completed(t.worker.metrics, 'file')).toBe(1);
    expect(await metricValue(t.worker.metrics, 'mini_chat_outbox_handler_total', { result: 'retry' })).toBe(
      3,
    );
  });

  it('provider delete fails forever: failed after 5 attempts, the job dead-lettered with its error', async () => {
    const chatId = await makeChat(t.user);
    const id = await readyDocument(chatId);
    t.fake.fail('files.delete', {
      status: 503,
      times: 1000,
      message: 'upstream down (key sk-abcdef1234567890)',
    });
    await deleteAttachment(t.deps, t.user.caller, chatId, id);

    await drainUntilSettled(t.worker, t.clock);
    const row = await attachmentRow(id);
    expect(row).toMatchObject({ cleanupStatus: 'failed', cleanupAttempts: 5 });
    expect(row?.lastCleanupError).toContain('upstream down');
    expect(row?.lastCleanupError).not.toContain('abcdef1234567890');
    const [job] = await jobsOf('attachment_deleted');
    expect(job).toMatchObject({ attempts: 5, deadAt: expect.any(Date), completedAt: null });
    expect(job?.lastError).toContain('upstream down');
    expect(t.fake.state().files).toHaveLength(1);
    expect(
      await metricValue(t.worker.metrics, 'mini_chat_cleanup_failed_total', { resource_type: 'file' }),
    ).toBe(1);
    expect(
      await metricValue(t.worker.metrics, 'mini_chat_outbox_dead_total', { kind: 'attachment_deleted' }),
    ).toBe(1);
    const backlog = await readBacklog(await getDb());
    expect(backlog.cleanup).toContainEqual({ state: 'failed', resource: 'file', count: 1 });
    expect(backlog.outbox).toContainEqual(expect.objectContaining({ kind: 'attachment_deleted', dead: 1 }));
  });

  it('a worker killed mid-job: the job is redelivered after its lease and done once', async () => {
    const chatId = await makeChat(t.user);
    const id = await readyDocument(chatId);
    await deleteAttachment(t.deps, t.user.caller, chatId, id);

    // Worker A stalls inside the provider call, as a process that died there would.
    let entered = () => {};
    const inside = new Promise<void>((resolve) => {
      entered = resolve;
    });
    let thaw = () => {};
    const frozen = new Promise<void>((resolve) => {
      thaw = resolve;
    });
    const stalled = (real: FileStore): FileStore => ({
      ...real,
      files: {
        ...real.files,
        delete: async (fileId) => {
          entered();
          await frozen;
          return real.files.delete(fileId);
        },
      },
    });
    const workerA = makeWorker(
      { db: t.deps.db, fileStores: (p) => stalled(t.deps.fileStores(p)) },
      t.clock,
      {},
      t.worker.metrics,
    );
    const runA = drain(workerA);
    await inside;

    // Within the lease nobody else may take it.
    const clockB = t.clock.ahead(30_000);
    const workerB = makeWorker(t.deps, clockB, {}, t.worker.metrics);
    expect(await drain(workerB)).toMatchObject({ completed: 0 });
    clockB.advance(31_000);
    expect(await drain(workerB)).toEqual({ completed: 1, retried: 0, dead: 0, lost: 0 });

    // A wakes up after all: its work finds everything done, and its outcome is not recorded.
    thaw();
    expect(await runA).toEqual({ completed: 0, retried: 0, dead: 0, lost: 1 });
    const [job] = await jobsOf('attachment_deleted');
    expect(job).toMatchObject({ attempts: 2, deadAt: null, completedAt: expect.any(Date) });
    expect(await attachmentRow(id)).toMatchObject({ cleanupStatus: 'done', cleanupAttempts: 0 });
    expect(await completed(t.worker.metrics, 'file')).toBe(1);
    expect(t.fake.requests.filter((r) => r.endpoint === 'files.delete' && r.status === 200)).toHaveLength(1);
  });

  it('routes by the provider that stored the file, whatever its storage label says', async () => {
    const chatId = await makeChat(t.user, 'azure-test');
    const id = await readyDocument(chatId);
    // Upstream looked providers up by this label and found none for `azure_openai`.
    await (await getDb())
      .update(attachments)
      .set({ storageBackend: 'azure_openai' })
      .where(eq(attachments.id, id));
    await deleteAttachment(t.deps, t.user.caller, chatId, id);
    await drain(t.worker);
    expect(await attachmentRow(id)).toMatchObject({ cleanupStatus: 'done' });
    expect(t.fake.state().files).toEqual([]);
    expect(t.fake.requests.find((r) => r.endpoint === 'files.delete')?.path).toMatch(/^\/openai\/v1\//);
  });

  it('cleans the local provider the same way: its file and its index rows', async () => {
    const chatId = await makeChat(t.user, 'offline');
    const id = await readyDocument(chatId, 'Local passages about refunds and returns.');
    const db = await getDb();
    expect(await db.select().from(localChunks)).not.toHaveLength(0);
    await deleteAttachment(t.deps, t.user.caller, chatId, id);
    await drain(t.worker);
    expect(await attachmentRow(id)).toMatchObject({ cleanupStatus: 'done' });
    expect(await db.select().from(localVectorStoreFiles)).toEqual([]);
    expect(await db.select().from(localChunks)).toEqual([]);
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(t.deps.storageDir)).toEqual([]);
  });

  it('an undeliverable payload is dead-lettered at once', async () => {
    await (await getDb())
      .insert(outbox)
      .values({ kind: 'attachment_deleted', payload: { attachment_id: 'x' } });
    expect(await drain(t.worker)).toMatchObject({ dead: 1 });
    const [job] = await jobsOf('attachment_deleted');
    expect(job).toMatchObject({ attempts: 1, deadAt: expect.any(Date) });
    expect(job?.lastError).toMatch(/invalid payload/);
  });
});

describe('deleting a chat', () => {
  it('marks every attachment for cleanup and enqueues one job, in one transaction', async () => {
    const chatId = await makeChat(t.user);
    const ids = [await readyDocument(chatId, 'one'), await readyDocument(chatId, 'two')];
    await deleteChat(await getDb(), t.user.caller, chatId);
    for (const id of ids) {
      expect(await attachmentRow(id)).toMatchObject({
        cleanupStatus: 'pending',
        deletedAt: expect.any(Date),
      });
    }
    const jobs = await jobsOf('chat_deleted');
    expect(jobs.map((j) => j.payload)).toEqual([{ tenant_id: t.user.caller.tenantId, chat_id: chatId }]);
    // An empty chat gets its job too: its vector store may exist.
    const empty = await makeChat(t.user);
    await deleteChat(await getDb(), t.user.caller, empty);
    expect(await jobsOf('chat_deleted')).toHaveLength(2);
  });

  it('deletes the files, then the vector store, then its row; a failing file retries the whole job', async () => {
    const chatId = await makeChat(t.user);
    const ids = [
      await readyDocument(chatId, 'one'),
      await readyDocument(chatId, 'two'),
      await readyDocument(chatId, 'three'),
    ];
    // One of them was deleted on its own before, and its job has not run yet.
    await deleteAttachment(t.deps, t.user.caller, chatId, ids[0] as string);
    t.fake.fail('files.delete', { status: 500, times: 2 });
    await deleteChat(await getDb(), t.user.caller, chatId);

    expect(await drain(t.worker)).toMatchObject({ completed: 1, retried: 1 });
    expect(t.fake.state().vectorStores).toHaveLength(1);
    await drainUntilSettled(t.worker, t.clock);

    expect(t.fake.state()).toEqual({ files: [], uploads: [], vectorStores: [] });
    for (const id of ids) expect(await attachmentRow(id)).toMatchObject({ cleanupStatus: 'done' });
    expect(
      await (await getDb()).select().from(chatVectorStores).where(eq(chatVectorStores.chatId, chatId)),
    ).toEqual([]);
    expect(await completed(t.worker.metrics, 'vector_store')).toBe(1);
    expect(await completed(t.worker.metrics, 'file')).toBe(3);
    expect(t.fake.requests.filter((r) => r.endpoint === 'vector_stores.delete')).toHaveLength(1);
  });

  it('a file that fails for good does not hold the store back, and is counted', async () => {
    const chatId = await makeChat(t.user);
    const [keep] = [await readyDocument(chatId, 'stubborn')];
    t.fake.fail('files.delete', { status: 500, times: 1000 });
    await deleteChat(await getDb(), t.user.caller, chatId);
    await drainUntilSettled(t.worker, t.clock);
    expect(await attachmentRow(keep as string)).toMatchObject({
      cleanupStatus: 'failed',
      cleanupAttempts: 5,
    });
    expect(t.fake.state().vectorStores).toEqual([]);
    expect(
      await metricValue(t.worker.metrics, 'mini_chat_cleanup_vector_store_with_failed_attachments_total'),
    ).toBe(1);
  });
});

describe('the in-process worker', () => {
  it('is woken by the commit that enqueued work, not by its poll', async () => {
    const live = makeWorker(t.deps, new TestClock(), { pollMs: 3_600_000 });
    const loop = startWorkerLoop(live);
    try {
      const chatId = await makeChat(t.user);
      const id = await readyDocument(chatId);
      await deleteAttachment(t.deps, t.user.caller, chatId, id);
      await expect
        .poll(async () => (await attachmentRow(id))?.cleanupStatus, { timeout: 10_000 })
        .toBe('done');
    } finally {
      await loop.stop();
    }
  });
});
