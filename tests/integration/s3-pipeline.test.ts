import { randomUUID } from 'node:crypto';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deleteAttachment, openContent } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { deleteChat } from '@/lib/chats/service';
import { reap } from '@/lib/cleanup/reaper';
import { reconcile } from '@/lib/cleanup/reconcile';
import { localChunks } from '@/lib/db/schema';
import type { S3Config } from '@/lib/file-stores/s3';
import { drain } from '@/lib/outbox/worker';
import { getDb } from '@/lib/runtime';
import { fileInput, makeChat } from '@/tests/support/attachments';
import { bytesOf } from '@/tests/support/file-stores';
import { s3BytesOn, s3ServerForFile } from '@/tests/support/s3-server';
import {
  attachmentRow,
  cleanupTestBed,
  dyingAfterUpload,
  makeWorker,
  readyDocument as readyDocumentIn,
  TestClock,
} from '@/tests/support/worker';

/**
 * The attachment pipeline with the local index's files in S3 (FILE_STORE=s3): upload, open, delete,
 * the outbox, the reaper and reconciliation, against a real S3-compatible server on loopback.
 */
const server = s3ServerForFile();
let bucket: S3Config;
const t = cleanupTestBed(
  { reconcileMinAgeMs: 0 },
  {
    localBytes: async () => {
      const made = await s3BytesOn(server(), { keyPrefix: 'app/' });
      bucket = made.config;
      return made.bytes;
    },
  },
);
const keys = () => server().keys(bucket.bucket);

const readyDocument = (chatId: string, text?: string) => readyDocumentIn(t, chatId, text);

describe('the attachment pipeline on S3', () => {
  it('stores an upload as <prefix><chat>_<attachment>.txt, indexes it in our database, and serves ranges of it', async () => {
    const chatId = await makeChat(t.user, 'offline');
    const id = await readyDocument(chatId, 'Returns are accepted within thirty days of delivery.');
    expect(await attachmentRow(id)).toMatchObject({
      status: 'ready',
      provider: 'local',
      storageBackend: 's3',
    });
    expect(await keys()).toEqual([`app/${chatId}_${id}.txt`]);
    expect(await (await getDb()).select().from(localChunks)).not.toHaveLength(0);

    const content = await openContent(t.deps, t.user.caller, chatId, id, {
      range: 'bytes=12-19',
      ifRange: null,
      disposition: null,
      headOnly: false,
    });
    expect(content).toMatchObject({ size: 52, range: { start: 12, end: 19 } });
    expect((await bytesOf(content.body as ReadableStream<Uint8Array>)).toString()).toBe('accepted');
  });

  it('a deleted document and a deleted chat: the outbox deletes their objects and index rows', async () => {
    const chunks = async () => (await (await getDb()).select().from(localChunks)).length;
    const before = await chunks();
    const chatId = await makeChat(t.user, 'offline');
    const first = await readyDocument(chatId);
    const second = await readyDocument(chatId, 'Shipping takes five days.');
    await deleteAttachment(t.deps, t.user.caller, chatId, first);
    await drain(t.worker);
    expect(await attachmentRow(first)).toMatchObject({ cleanupStatus: 'done' });
    expect((await keys()).filter((key) => key.includes(chatId))).toEqual([`app/${chatId}_${second}.txt`]);

    await deleteChat(await getDb(), t.user.caller, chatId);
    await drain(t.worker);
    expect((await keys()).filter((key) => key.includes(chatId))).toEqual([]);
    expect(await chunks()).toBe(before);
  });

  it('the reaper finds the object of an upload whose process died, by name, and deletes it', async () => {
    const chatId = await makeChat(t.user, 'offline');
    const dying = { ...t.deps, fileStores: dyingAfterUpload(t.deps.fileStores) };
    void uploadFile(dying, t.user.caller, chatId, fileInput('half a life', { filename: 'notes.txt' }));
    await expect.poll(async () => (await keys()).length, { timeout: 10_000, interval: 20 }).toBe(1);
    const [row] = await (await getDb()).query.attachments.findMany({ where: (a) => eq(a.chatId, chatId) });
    t.clock.advance(16 * 60_000);
    expect(await reap(t.worker)).toMatchObject({ interrupted: 1 });
    expect(await attachmentRow(row?.id as string)).toMatchObject({
      status: 'failed',
      errorCode: 'upload_interrupted',
    });
    expect(await keys()).toEqual([]);
  });

  it('reconciliation deletes our orphans in the bucket and never touches what is not ours', async () => {
    const live = await makeChat(t.user, 'offline');
    const keep = await readyDocument(live);
    const dead = await makeChat(t.user, 'offline');
    await readyDocument(dead, 'in a chat that goes');
    // Deleted without its outbox job ever running: only reconciliation can find the object.
    await deleteChat(await getDb(), t.user.caller, dead);
    const foreign = [
      'app/report.pdf',
      `app/${randomUUID()}_${randomUUID()}.txt`,
      `other-app/${live}_${randomUUID()}.txt`,
    ];
    for (const Key of foreign) {
      await server().client.send(new PutObjectCommand({ Bucket: bucket.bucket, Key, Body: 'not ours' }));
    }
    t.worker = makeWorker(t.deps, new TestClock(), { reconcileMinAgeMs: 0 });
    const report = await reconcile(t.worker);
    expect(report.providers.local).toMatchObject({ files: { scanned: 4, foreign: 2, kept: 1, orphaned: 1 } });
    expect(await keys()).toEqual([`app/${live}_${keep}.txt`, ...foreign].sort());
  });
});
