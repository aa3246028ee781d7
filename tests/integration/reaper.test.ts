import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createUpload } from '@/lib/attachments/chunked/create';
import { PART_SIZE } from '@/lib/attachments/chunked/protocol';
import { deleteAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { reap } from '@/lib/cleanup/reaper';
import { outbox } from '@/lib/db/schema';
import { getDb } from '@/lib/runtime';
import { fileInput, makeChat } from '@/tests/support/attachments';
import { sendPart, stagedOnDisk } from '@/tests/support/chunked';
import { docxBomb } from '@/tests/support/hostile-files';
import {
  attachmentRow,
  cleanupTestBed,
  dyingAfterUpload,
  makeWorker,
  metricValue,
  TestClock,
} from '@/tests/support/worker';

const t = cleanupTestBed();
const MINUTE = 60_000;

/** A document the service answered `uploaded` for, whose after-response work never ran. */
async function uploadedOnly(chatId: string, text: string, filename: string) {
  return (await uploadFile(t.deps, t.user.caller, chatId, fileInput(text, { filename }))).attachment;
}

const reaped = (outcome: string) =>
  metricValue(t.worker.metrics, 'mini_chat_reaper_settled_total', { resource_type: 'attachment', outcome });

async function waitFor(check: () => Promise<boolean>) {
  await expect.poll(check, { timeout: 10_000, interval: 20 }).toBe(true);
}

describe('interrupted uploads', () => {
  it('a process dying between pending and uploaded: failed with upload_interrupted, its file found by name', async () => {
    for (const [model, providerId] of [
      ['gpt-test', 'openai'],
      ['offline', 'local'],
    ] as const) {
      const chatId = await makeChat(t.user, model);
      const dying = { ...t.deps, fileStores: dyingAfterUpload(t.deps.fileStores) };
      void uploadFile(dying, t.user.caller, chatId, fileInput('half a life', { filename: 'notes.txt' }));
      const [row] = await waitForRow(chatId);
      if (providerId === 'openai') await waitFor(async () => t.fake.state().files.length === 1);
      // Stored means under its final name: the temporary file comes first, then the rename.
      else
        await waitFor(async () =>
          (await import('node:fs/promises'))
            .readdir(t.deps.storageDir)
            .then((f) => f.length === 1 && !f[0]?.startsWith('.upload-')),
        );

      // Not yet: an upload may legitimately take a while.
      t.clock.advance(10 * MINUTE);
      await reap(t.worker);
      expect(await attachmentRow(row.id)).toMatchObject({ status: 'pending' });

      t.clock.advance(6 * MINUTE);
      expect(await reap(t.worker)).toMatchObject({ interrupted: 1 });
      expect(await attachmentRow(row.id)).toMatchObject({
        status: 'failed',
        errorCode: 'upload_interrupted',
      });
      t.clock = new TestClock();
      t.worker = makeWorker(t.deps, t.clock, {}, t.worker.metrics);
    }
    expect(t.fake.state().files).toEqual([]);
    expect(await (await import('node:fs/promises')).readdir(t.deps.storageDir)).toEqual([]);
    expect(await reaped('upload_interrupted')).toBe(2);
  });

  it('leaves other files alone, and fails the row even when the provider cannot be asked', async () => {
    const chatId = await makeChat(t.user);
    const other = await uploadFile(
      t.deps,
      t.user.caller,
      chatId,
      fileInput('keep me', { filename: 'keep.txt' }),
    );
    await other.indexing?.();
    const dying = { ...t.deps, fileStores: dyingAfterUpload(t.deps.fileStores) };
    void uploadFile(dying, t.user.caller, chatId, fileInput('lost', { filename: 'lost.txt' }));
    await waitFor(async () => t.fake.state().files.length === 2);
    t.fake.fail('files.list', { status: 500, times: 1 });
    t.clock.advance(16 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ interrupted: 1 });
    // The orphan stays for reconciliation; the live file was never at risk.
    expect(t.fake.state().files).toHaveLength(2);
    t.clock.advance(MINUTE);
    expect(await reap(t.worker)).toMatchObject({ interrupted: 0 });
    expect((await attachmentRow(other.attachment.id))?.status).toBe('ready');
  });
});

describe('documents whose indexing nobody watches any more', () => {
  it('a process dying between uploaded and the store: the reaper adds the file again, then it is ready', async () => {
    const chatId = await makeChat(t.user);
    // The response went out (`uploaded`); the process died before its after-response work ran.
    const attachment = await uploadedOnly(chatId, 'refund policy', 'p.txt');
    expect((await attachmentRow(attachment.id))?.status).toBe('uploaded');

    t.clock.advance(2 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ settled: 0, resumed: 0 });
    t.clock.advance(4 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ resumed: 1 });
    expect(t.fake.state().vectorStores[0]?.files).toEqual([
      expect.objectContaining({ attributes: { attachment_id: attachment.id } }),
    ]);
    expect(await reap(t.worker)).toMatchObject({ settled: 1 });
    expect(await attachmentRow(attachment.id)).toMatchObject({ status: 'ready', errorCode: null });
    expect(await reaped('indexing_resumed')).toBe(1);
    expect(await reaped('ready')).toBe(1);
  });

  it('a process dying while waiting for the index: asked again → ready, failed, or timed out', async () => {
    const chatId = await makeChat(t.user);
    const watchless = { ...t.deps, config: { ...t.deps.config, indexingTimeoutMs: 0 } };
    const upload = async (name: string, type = 'text/plain') => {
      const outcome = await uploadFile(
        watchless,
        t.user.caller,
        chatId,
        fileInput(`text of ${name}`, { filename: name, type }),
      );
      await outcome.indexing?.();
      expect((await attachmentRow(outcome.attachment.id))?.status).toBe('uploaded');
      return outcome.attachment.id;
    };
    const fine = await upload('fine.txt');
    t.fake.setIndexing({ failWhen: (file) => file.filename.endsWith('.md') });
    const broken = await upload('broken.md', 'text/markdown');
    t.fake.setIndexing({ failWhen: null, delayMs: 24 * 60 * MINUTE });
    const stuck = await upload('stuck.txt');

    t.clock.advance(6 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ settled: 2 });
    expect(await attachmentRow(fine)).toMatchObject({ status: 'ready' });
    expect(await attachmentRow(broken)).toMatchObject({ status: 'failed', errorCode: 'indexing_failed' });
    expect(await attachmentRow(stuck)).toMatchObject({ status: 'uploaded' });
    t.clock.advance(60 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ settled: 1 });
    expect(await attachmentRow(stuck)).toMatchObject({ status: 'failed', errorCode: 'indexing_timeout' });
    // Only the ready document's file is left.
    const fileIds = t.fake.state().files.map((f) => f.id);
    expect(fileIds).toEqual([(await attachmentRow(fine))?.providerFileId]);
  });

  it('a document the local index refused as too complex ends failed with that reason', async () => {
    const chatId = await makeChat(t.user, 'offline');
    const watchless = { ...t.deps, config: { ...t.deps.config, indexingTimeoutMs: 0 } };
    const outcome = await uploadFile(
      watchless,
      t.user.caller,
      chatId,
      fileInput(docxBomb(200, 'one run'), {
        filename: 'bomb.docx',
        type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
      }),
    );
    await outcome.indexing?.();
    expect((await attachmentRow(outcome.attachment.id))?.status).toBe('uploaded');

    t.clock.advance(6 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ settled: 1 });
    expect(await attachmentRow(outcome.attachment.id)).toMatchObject({
      status: 'failed',
      errorCode: 'document_too_complex',
    });
    expect(await reaped('document_too_complex')).toBe(1);
  });

  it('a document deleted while it was being indexed ends failed; its cleanup job owns the file', async () => {
    const chatId = await makeChat(t.user);
    const attachment = await uploadedOnly(chatId, 'gone soon', 'g.txt');
    await deleteAttachment(t.deps, t.user.caller, chatId, attachment.id);
    t.clock.advance(6 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ settled: 1 });
    expect(await attachmentRow(attachment.id)).toMatchObject({
      status: 'failed',
      errorCode: 'deleted',
      cleanupStatus: 'pending',
    });
  });
});

describe('expired chunked uploads', () => {
  it('are cancelled once their hour is up: attachment failed, reservation released, parts gone', async () => {
    const started = [];
    for (const model of ['offline', 'gpt-test']) {
      const created = await createUpload(t.deps, t.user.caller, await makeChat(t.user, model), {
        filename: 'big.txt',
        size_bytes: PART_SIZE + 1,
        content_type: 'text/plain',
      });
      await sendPart(t.deps, t.user.caller, created.upload_id, 1, Buffer.alloc(PART_SIZE, 'a'));
      started.push(created);
    }
    expect(t.fake.state().uploads.filter((u) => u.parts > 0)).toHaveLength(1);
    expect(await stagedOnDisk(t.deps.storageDir)).toHaveLength(1);

    t.clock.advance(30 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ expiredUploads: 0 });
    t.clock.advance(31 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ expiredUploads: 2 });
    for (const created of started) {
      expect(await attachmentRow(created.attachment.id)).toMatchObject({
        status: 'failed',
        errorCode: 'upload_expired',
      });
    }
    expect(await stagedOnDisk(t.deps.storageDir)).toEqual([]);
    expect(t.fake.state().uploads.filter((u) => u.parts > 0)).toEqual([]);
    expect(await reaped('upload_expired')).toBe(2);
  });
});

it('prunes completed jobs after the retention period, and keeps dead ones', async () => {
  const db = await getDb();
  const long = new Date(Date.now() - 8 * 24 * 60 * MINUTE);
  await db.insert(outbox).values([
    { kind: 'chat_deleted', payload: {}, completedAt: long },
    { kind: 'chat_deleted', payload: {}, deadAt: long },
    { kind: 'chat_deleted', payload: {}, completedAt: new Date() },
  ]);
  expect(await reap(t.worker)).toMatchObject({ pruned: 1 });
  expect(await db.select().from(outbox).where(eq(outbox.kind, 'chat_deleted'))).toHaveLength(2);
});

async function waitForRow(chatId: string) {
  const { attachments } = await import('@/lib/db/schema');
  let rows: { id: string }[] = [];
  await waitFor(async () => {
    rows = await (await getDb())
      .select({ id: attachments.id })
      .from(attachments)
      .where(eq(attachments.chatId, chatId));
    return rows.length > 0;
  });
  return rows as [{ id: string }];
}
