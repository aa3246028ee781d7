import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { cancelUpload, getUpload } from '@/lib/attachments/chunked/cancel';
import { sweepUploads } from '@/lib/attachments/chunked/close';
import { completeUpload } from '@/lib/attachments/chunked/complete';
import { createUpload } from '@/lib/attachments/chunked/create';
import { putPart } from '@/lib/attachments/chunked/part';
import { PART_SIZE } from '@/lib/attachments/chunked/protocol';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { attachments, uploads } from '@/lib/db/schema';
import type { FileBytes } from '@/lib/file-stores/local';
import { getDb } from '@/lib/runtime';
import { fakeOpenAIForFile, fileInput, makeChat, makeDeps, type TestDeps } from '@/tests/support/attachments';
import {
  digestOf,
  partsOf,
  sendPart,
  stagedOnDisk,
  textOfSize,
  uploadInParts,
} from '@/tests/support/chunked';
import type { FakeOpenAI } from '@/tests/support/fake-openai';
import { bytesOf } from '@/tests/support/file-stores';
import { failure, makeUser, type TestUser } from '@/tests/support/fixtures';
import { s3BytesOn, s3ServerForFile } from '@/tests/support/s3-server';

const driver = inject('testDriver');
const server = fakeOpenAIForFile();
const s3 = s3ServerForFile();
let fake: FakeOpenAI;
let deps: TestDeps;
let user: TestUser;
/** With the `s3` store: the local index's files in this bucket (FILE_STORE=s3). */
let bucket: { name: string; bytes: FileBytes } | undefined;
beforeEach(async () => {
  fake = server();
  bucket = undefined;
  deps = await makeDeps(fake);
  user = await makeUser();
});

/** The test's dependencies, with other limits, over the same files. */
const depsWith = (config: Parameters<typeof makeDeps>[1]) => makeDeps(fake, config, undefined, bucket?.bytes);

/** The attachments with parts staged, in the folder or in the bucket. */
async function staged(): Promise<string[]> {
  if (!bucket) return stagedOnDisk(deps.storageDir);
  const keys = await s3().keys(bucket.name, '.staging/');
  return [...new Set(keys.map((key) => key.split('/')[1] as string))];
}

const attachmentOf = async (id: string) =>
  (await (await getDb()).select().from(attachments).where(eq(attachments.id, id)))[0];

/**
 * The chat's model picks the store: `offline` keeps files in the local index, whose bytes are in a
 * folder (`local`) or a bucket (`s3`); `gpt-test` at OpenAI.
 */
const STORES = [
  { store: 'local', model: 'offline' },
  { store: 's3', model: 'offline' },
  { store: 'openai', model: 'gpt-test' },
] as const;

/** Nothing staged anywhere: no folder under `.staging`, no staged object, no part held by an upload at the fake. */
async function expectNothingStaged() {
  expect(await staged()).toEqual([]);
  if (bucket) expect(await s3().unfinishedUploads(bucket.name)).toBe(false);
  expect(fake.state().uploads.filter((u) => u.parts > 0)).toEqual([]);
}

/** A text upload of `size` bytes started in a new chat of `model`. */
async function startText(model: string, size: number, on: TestDeps = deps) {
  const chatId = await makeChat(user, model);
  const created = await createUpload(on, user.caller, chatId, {
    filename: 'a.txt',
    size_bytes: size,
    content_type: 'text/plain',
  });
  return { chatId, created };
}

describe.each(STORES)(`chunked uploads to the $store store on ${driver}`, ({ store, model }) => {
  beforeEach(async () => {
    if (store !== 's3') return;
    const { config, bytes } = await s3BytesOn(s3());
    bucket = { name: config.bucket, bytes };
    deps = await depsWith({});
  });

  async function storedBytes(providerFileId: string | null) {
    if (!providerFileId) throw new Error('no stored file');
    if (store === 's3')
      return bytesOf((await bucket?.bytes.read(providerFileId))?.body as ReadableStream<Uint8Array>);
    return store === 'local'
      ? readFile(path.join(deps.storageDir, providerFileId))
      : (fake.fileContent(providerFileId) as Buffer);
  }

  it('parts sent out of order and repeated complete into the exact file, ready and searchable', async () => {
    const chatId = await makeChat(user, model);
    const bytes = textOfSize(2 * PART_SIZE + 1000);
    const created = await createUpload(deps, user.caller, chatId, {
      filename: 'report.txt',
      size_bytes: bytes.length,
      content_type: 'text/plain',
    });
    expect(created).toMatchObject({
      state: 'uploading',
      part_size: PART_SIZE,
      part_count: 3,
      size_bytes: bytes.length,
      received_parts: [],
      attachment: { status: 'uploading', size_bytes: bytes.length, filename: 'report.txt' },
    });
    expect(Date.parse(created.expires_at) - Date.now()).toBeGreaterThan(55 * 60_000);
    const [p1, p2, p3] = partsOf(bytes) as [Buffer, Buffer, Buffer];
    await sendPart(deps, user.caller, created.upload_id, 3, p3);
    await sendPart(deps, user.caller, created.upload_id, 1, p1);
    // The same part again with the same digest changes nothing.
    const again = await sendPart(deps, user.caller, created.upload_id, 1, p1);
    expect(again).toEqual({
      upload_id: created.upload_id,
      part_number: 1,
      size_bytes: PART_SIZE,
      state: 'uploading',
      expires_at: created.expires_at,
    });
    expect((await getUpload(deps, user.caller, created.upload_id)).received_parts).toEqual([1, 3]);
    const other = Buffer.from(p1);
    other[0] = 'X'.charCodeAt(0);
    expect((await failure(sendPart(deps, user.caller, created.upload_id, 1, other))).code).toBe(
      'part_conflict',
    );
    await sendPart(deps, user.caller, created.upload_id, 2, p2);
    expect((await getUpload(deps, user.caller, created.upload_id)).received_parts).toEqual([1, 2, 3]);

    const completed = await completeUpload(deps, user.caller, created.upload_id);
    expect(completed.upload.state).toBe('completed');
    await completed.indexing?.();
    const row = await attachmentOf(created.attachment.id);
    expect(row).toMatchObject({ status: 'ready', sizeBytes: bytes.length, errorCode: null });
    expect((await storedBytes(row?.providerFileId ?? null)).equals(bytes)).toBe(true);
    await expectNothingStaged();

    // Completing again answers the same, and changes nothing.
    const twice = await completeUpload(deps, user.caller, created.upload_id);
    expect(twice.upload).toMatchObject({ state: 'completed', attachment: { id: created.attachment.id } });
    expect(deps.metrics.count('document', 'ok')).toBe(1);
  });

  it('refuses a part whose digest does not match (422), and completion with a part missing (409)', async () => {
    const bytes = textOfSize(PART_SIZE + 10);
    const { created } = await startText(model, bytes.length);
    const [p1, p2] = partsOf(bytes) as [Buffer, Buffer];
    const wrong = await failure(sendPart(deps, user.caller, created.upload_id, 2, p2, digestOf(p1)));
    expect(wrong).toMatchObject({ code: 'digest_mismatch', status: 422 });
    await sendPart(deps, user.caller, created.upload_id, 1, p1);
    const incomplete = await failure(completeUpload(deps, user.caller, created.upload_id));
    expect(incomplete).toMatchObject({ code: 'upload_incomplete', status: 409 });
    expect(incomplete.extensions).toMatchObject({ missing_parts: [2], received_bytes: PART_SIZE });
    await sendPart(deps, user.caller, created.upload_id, 2, p2);
    expect((await completeUpload(deps, user.caller, created.upload_id)).upload.state).toBe('completed');
  });

  it('a large image reaches ready; its thumbnail comes from where the store lets us read it', async () => {
    const chatId = await makeChat(user, model);
    const image = await noisePng(4.5 * 1024 * 1024);
    const { created } = await uploadInParts(deps, user.caller, chatId, image, {
      filename: 'photo.png',
      type: 'image/png',
    });
    expect(created.part_count).toBe(2);
    const row = await attachmentOf(created.attachment.id);
    expect(row?.status).toBe('ready');
    // The local index's folder or bucket gives the file back; OpenAI does not, and the server never held the whole image.
    expect(row?.imgThumbnail !== null).toBe(store !== 'openai');
    await expectNothingStaged();
  });

  it('cancel removes the staged parts and releases the reservation; the upload takes no more parts', async () => {
    const capped = await depsWith({ userQuotaBytes: 10 * 1024 * 1024 });
    const bytes = textOfSize(PART_SIZE + 5);
    const { chatId, created: first } = await startText(model, 8 * 1024 * 1024, capped);
    await sendPart(capped, user.caller, first.upload_id, 1, bytes.subarray(0, PART_SIZE));
    const refused = await failure(
      createUpload(capped, user.caller, chatId, {
        filename: 'b.txt',
        size_bytes: bytes.length,
        content_type: 'text/plain',
      }),
    );
    expect(refused).toMatchObject({ code: 'storage_quota_exceeded', extensions: { quota_scope: 'user' } });

    await cancelUpload(capped, user.caller, first.upload_id);
    await cancelUpload(capped, user.caller, first.upload_id);
    await expectNothingStaged();
    expect(await attachmentOf(first.attachment.id)).toMatchObject({
      status: 'failed',
      errorCode: 'upload_cancelled',
    });
    const late = await failure(sendPart(capped, user.caller, first.upload_id, 2, bytes.subarray(PART_SIZE)));
    expect(late).toMatchObject({ code: 'upload_cancelled', status: 409 });
    await uploadInParts(capped, user.caller, chatId, bytes, { filename: 'b.txt' });
  });

  it('a part whose bytes reach the staging after a cancel is refused, and nothing stays staged', async () => {
    const bytes = textOfSize(PART_SIZE + 5);
    const part = bytes.subarray(0, PART_SIZE);
    const { created } = await startText(model, bytes.length);
    let reading!: () => void;
    const read = new Promise<void>((resolve) => {
      reading = resolve;
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    async function* body(): AsyncGenerator<Uint8Array> {
      reading();
      await held;
      yield part;
    }
    const refused = failure(
      putPart(deps, user.caller, created.upload_id, {
        partNumber: '1',
        digest: digestOf(part),
        length: PART_SIZE,
        body: body(),
      }),
    );
    // Claimed and waiting for its bytes when the cancel comes.
    await read;
    await cancelUpload(deps, user.caller, created.upload_id);
    release();
    // The folder and the bucket take the part and the upload's state refuses it after; the fake's
    // Uploads API refuses a part for a cancelled upload itself.
    expect(await refused).toMatchObject(
      store === 'openai' ? { code: 'upload_failed' } : { code: 'upload_cancelled', status: 409 },
    );
    await expectNothingStaged();
  });

  it('expiry: the sweep cancels the upload, fails the attachment and removes every staged part', async () => {
    const bytes = textOfSize(PART_SIZE + 5);
    const { created } = await startText(model, bytes.length);
    await sendPart(deps, user.caller, created.upload_id, 1, bytes.subarray(0, PART_SIZE));
    expect(await sweepUploads(deps, new Date(), 100)).toBe(0);
    // Other tests' uploads in this database may expire with it.
    expect(await sweepUploads(deps, new Date(Date.now() + 61 * 60_000), 100)).toBeGreaterThanOrEqual(1);
    expect(await attachmentOf(created.attachment.id)).toMatchObject({
      status: 'failed',
      errorCode: 'upload_expired',
    });
    expect(await getUpload(deps, user.caller, created.upload_id)).toMatchObject({ state: 'expired' });
    await expectNothingStaged();
    if (store === 'openai')
      expect(fake.state().uploads).toEqual([expect.objectContaining({ status: 'cancelled' })]);
    const late = await failure(sendPart(deps, user.caller, created.upload_id, 2, bytes.subarray(PART_SIZE)));
    expect(late).toMatchObject({ code: 'upload_expired', status: 409 });
  });

  it('an upload past its time is expired by the next part, and swept by the next create', async () => {
    const chatId = await makeChat(user, model);
    const bytes = textOfSize(PART_SIZE + 5);
    const make = () =>
      createUpload(deps, user.caller, chatId, {
        filename: 'a.txt',
        size_bytes: bytes.length,
        content_type: 'text/plain',
      });
    const db = await getDb();
    const past = async (uploadId: string) =>
      db
        .update(uploads)
        .set({ expiresAt: new Date(Date.now() - 1000) })
        .where(eq(uploads.id, uploadId));

    const first = await make();
    await sendPart(deps, user.caller, first.upload_id, 1, bytes.subarray(0, PART_SIZE));
    await past(first.upload_id);
    const late = await failure(sendPart(deps, user.caller, first.upload_id, 2, bytes.subarray(PART_SIZE)));
    expect(late).toMatchObject({ code: 'upload_expired' });
    expect(await attachmentOf(first.attachment.id)).toMatchObject({
      status: 'failed',
      errorCode: 'upload_expired',
    });

    const second = await make();
    await sendPart(deps, user.caller, second.upload_id, 1, bytes.subarray(0, PART_SIZE));
    if (store === 'openai') fake.expireUploads();
    await past(second.upload_id);
    await make();
    expect(await attachmentOf(second.attachment.id)).toMatchObject({
      status: 'failed',
      errorCode: 'upload_expired',
    });
    const [row] = await db.select().from(uploads).where(eq(uploads.id, second.upload_id));
    expect(row).toMatchObject({ state: 'expired' });
    expect(row?.stagingReleasedAt).not.toBeNull();
    const left = await staged();
    expect(left.includes(first.attachment.id) || left.includes(second.attachment.id)).toBe(false);
  });
});

/** A PNG of about `bytes` bytes: random pixels do not compress. */
async function noisePng(bytes: number): Promise<Buffer> {
  const sharp = (await import('sharp')).default;
  const side = Math.floor(Math.sqrt(bytes / 3));
  const { randomBytes } = await import('node:crypto');
  return sharp(randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

describe('a completion whose process died', () => {
  it('is expired by the sweep once well past its time: the attachment fails and the staging goes', async () => {
    const bytes = textOfSize(PART_SIZE + 5);
    const { created } = await startText('offline', bytes.length);
    await sendPart(deps, user.caller, created.upload_id, 1, bytes.subarray(0, PART_SIZE));
    const db = await getDb();
    // What a process leaves behind when it dies between claiming the completion and joining.
    await db.update(uploads).set({ state: 'completing' }).where(eq(uploads.id, created.upload_id));
    await db.update(attachments).set({ status: 'pending' }).where(eq(attachments.id, created.attachment.id));
    await db
      .update(uploads)
      .set({ expiresAt: new Date(Date.now() - 5 * 60_000) })
      .where(eq(uploads.id, created.upload_id));
    // A completion may still be running just after the expiry: left alone for a while.
    await sweepUploads(deps, new Date(), 100);
    expect(await attachmentOf(created.attachment.id)).toMatchObject({ status: 'pending' });
    expect(await sweepUploads(deps, new Date(Date.now() + 15 * 60_000), 100)).toBeGreaterThanOrEqual(1);
    expect(await attachmentOf(created.attachment.id)).toMatchObject({
      status: 'failed',
      errorCode: 'upload_expired',
    });
    expect(await stagedOnDisk(deps.storageDir)).not.toContain(created.attachment.id);
  });
});

describe('a part whose body stalls', () => {
  it('is cut off with upload_timeout and gives its place back', async () => {
    const paced = await makeDeps(fake, {
      bodyPace: { idleMs: 300, minBytesPerSecond: 0 },
      maxConcurrentUploadsPerUser: 1,
    });
    const bytes = textOfSize(PART_SIZE + 5);
    const { created } = await startText('gpt-test', bytes.length, paced);
    const part = bytes.subarray(0, PART_SIZE);
    // Sends a first chunk, then nothing, never ending.
    const stalled = new ReadableStream<Uint8Array>({
      start: (controller) => controller.enqueue(part.subarray(0, 1024)),
    });
    const timedOut = await failure(
      putPart(paced, user.caller, created.upload_id, {
        partNumber: '1',
        digest: digestOf(part),
        length: PART_SIZE,
        body: stalled as unknown as AsyncIterable<Uint8Array>,
      }),
    );
    expect(timedOut).toMatchObject({ code: 'upload_timeout', status: 408 });
    // A declared length over the part's size is refused before a byte is read.
    const lying = await failure(
      putPart(paced, user.caller, created.upload_id, {
        partNumber: '1',
        digest: digestOf(part),
        length: PART_SIZE + 1,
        body: new ReadableStream<Uint8Array>() as unknown as AsyncIterable<Uint8Array>,
      }),
    );
    expect(lying).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(await sendPart(paced, user.caller, created.upload_id, 1, part)).toMatchObject({
      part_number: 1,
      state: 'uploading',
    });
    expect((await getUpload(paced, user.caller, created.upload_id)).received_parts).toEqual([1]);
  });
});

// On PGlite (one connection) the creates run one after another and still must hold; on Postgres
// and through the Neon driver they really race, each on its own connection.
describe(`reservations racing on ${driver}`, () => {
  it('parallel uploads racing for the last quota bytes: exactly one reserves them', async () => {
    const racing = await makeDeps(fake, {
      userQuotaBytes: 10 * 1024 * 1024,
      maxConcurrentUploads: 64,
      maxConcurrentUploadsPerUser: 64,
    });
    const chats = await Promise.all([makeChat(user, 'offline'), makeChat(user, 'gpt-test')]);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) =>
        createUpload(racing, user.caller, chats[i % 2] as string, {
          filename: `big-${i}.txt`,
          size_bytes: 6 * 1024 * 1024,
          content_type: 'text/plain',
        }),
      ),
    );
    const won = results.filter((r) => r.status === 'fulfilled');
    expect(won).toHaveLength(1);
    for (const r of results) {
      if (r.status === 'rejected') expect(r.reason).toMatchObject({ code: 'storage_quota_exceeded' });
    }
    const live = await (await getDb())
      .select()
      .from(attachments)
      .where(eq(attachments.uploadedByUserId, user.caller.userId));
    expect(live.filter((a) => a.status !== 'failed').map((a) => a.sizeBytes)).toEqual([6 * 1024 * 1024]);
  });

  it('a chunked reservation and single-request uploads share the chat limit', async () => {
    const racing = await makeDeps(fake, {
      maxTotalBytesPerChat: 8 * 1024 * 1024,
      maxConcurrentUploadsPerUser: 64,
    });
    const chatId = await makeChat(user, 'gpt-test');
    await createUpload(racing, user.caller, chatId, {
      filename: 'big.txt',
      size_bytes: 7 * 1024 * 1024,
      content_type: 'text/plain',
    });
    const refused = await failure(
      uploadFile(racing, user.caller, chatId, fileInput(textOfSize(2 * 1024 * 1024))),
    );
    expect(refused.code).toBe('storage_limit_exceeded');
  });
});
