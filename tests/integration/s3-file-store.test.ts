import { randomBytes, randomUUID } from 'node:crypto';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import type { FileBytes } from '@/lib/file-stores/local';
import type { Temporary, UploadStaging } from '@/lib/file-stores/ports';
import { createFileStoreRegistry } from '@/lib/file-stores/registry';
import { getDb } from '@/lib/runtime';
import { bytesOf, expectProviderError, rejection, structuredName } from '@/tests/support/file-stores';
import { s3BytesOn, s3ServerForFile } from '@/tests/support/s3-server';

const MiB = 1024 * 1024;
const server = s3ServerForFile();

/** `total` bytes in chunks of 64 KiB, as a request body arrives; `fail` throws after `failAfter` bytes. */
async function* body(
  content: Buffer,
  options: { failAfter?: number; fail?: Error; stallAfter?: number } = {},
) {
  for (let offset = 0; offset < content.length; offset += 64 * 1024) {
    if (options.failAfter !== undefined && offset >= options.failAfter) throw options.fail;
    if (options.stallAfter !== undefined && offset >= options.stallAfter) await new Promise(() => {});
    yield content.subarray(offset, offset + 64 * 1024);
  }
}

async function fresh(options?: { keyPrefix?: string }) {
  const { config, bytes } = await s3BytesOn(server(), { partSizeMb: 5, ...options });
  return { config, bytes, staging: bytes.staging as UploadStaging };
}

const etagOf = async (bucket: string, key: string) =>
  (await server().client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }))).ETag ?? '';

const contentOf = async (bytes: FileBytes, fileId: string) => bytesOf((await bytes.read(fileId)).body);

describe('S3 store: configuration', () => {
  it("FILE_STORE=s3 puts the registry's local store's files in the bucket; a bad setting names the variable", async () => {
    const config = await server().bucket({ keyPrefix: 'from-env/' });
    const registry = createFileStoreRegistry({
      env: server().env(config),
      db: getDb,
      storageDir: '/nonexistent',
    });
    const store = registry('local');
    expect(store.storageBackend).toBe('s3');
    const filename = structuredName('txt');
    await store.files.upload({ filename, contentType: 'text/plain', body: body(Buffer.from('via env')) });
    expect(await server().keys(config.bucket)).toEqual([`from-env/${filename}`]);

    const folder = createFileStoreRegistry({ env: {}, db: getDb, storageDir: '/nonexistent' });
    expect(folder('local').storageBackend).toBe('local');
    const broken = createFileStoreRegistry({
      env: { FILE_STORE: 's3', S3_BUCKET: 'b' },
      db: getDb,
      storageDir: '/x',
    });
    expect(() => broken('local')).toThrow(/S3_REGION: Required when FILE_STORE=s3/);
  });
});

describe('S3 store: uploads', () => {
  it('sends a file larger than a part as a multipart upload of 5 MiB parts, and gives it back', async () => {
    const { config, bytes } = await fresh();
    const content = randomBytes(12 * MiB + 123);
    const filename = structuredName('bin');
    await bytes.upload({ filename, contentType: 'application/octet-stream', body: body(content) });
    // S3's multipart ETag ends in the number of parts.
    expect(await etagOf(config.bucket, filename)).toMatch(/-3"$/);
    expect(Buffer.compare(await contentOf(bytes, filename), content)).toBe(0);
    expect(await server().unfinishedUploads(config.bucket)).toBe(false);
  });

  it('sends a file of exactly one part, or of whole parts, without an empty last part', async () => {
    const { config, bytes } = await fresh();
    for (const size of [5 * MiB, 10 * MiB, 5 * MiB - 1, 0]) {
      const content = randomBytes(size);
      const filename = structuredName('bin');
      await bytes.upload({ filename, contentType: 'application/octet-stream', body: body(content) });
      expect((await bytes.read(filename)).size).toBe(size);
      expect(Buffer.compare(await contentOf(bytes, filename), content)).toBe(0);
    }
    expect(await server().unfinishedUploads(config.bucket)).toBe(false);
  });

  it('aborts the multipart upload when the body fails after parts were sent: no object, no unfinished upload', async () => {
    const { config, bytes } = await fresh();
    const tooLarge = new Error('size limit exceeded');
    const filename = structuredName('bin');
    const err = await rejection(
      bytes.upload({
        filename,
        contentType: 'application/octet-stream',
        body: body(randomBytes(16 * MiB), { failAfter: 11 * MiB, fail: tooLarge }),
      }),
    );
    expect(err).toBe(tooLarge);
    expect(await server().keys(config.bucket)).toEqual([]);
    expect(await server().unfinishedUploads(config.bucket)).toBe(false);
  });

  it('aborts it when the client goes away mid-file, even while the body is stalled', async () => {
    const { config, bytes } = await fresh();
    const controller = new AbortController();
    const reason = new Error('client went away');
    setTimeout(() => controller.abort(reason), 300);
    const err = await rejection(
      bytes.upload({
        filename: structuredName('bin'),
        contentType: 'application/octet-stream',
        body: body(randomBytes(16 * MiB), { stallAfter: 7 * MiB }),
        signal: controller.signal,
      }),
    );
    expect(err).toBe(reason);
    expect(await server().keys(config.bucket)).toEqual([]);
    expect(await server().unfinishedUploads(config.bucket)).toBe(false);
  });

  it('fails with upload_failed when the bucket refuses, naming no key or bucket in the message', async () => {
    const { config, bytes } = await s3BytesOn(server());
    const missing = { ...config, bucket: `missing-${randomUUID()}` };
    const { s3Bytes } = await import('@/lib/file-stores/s3');
    const err = await rejection(
      s3Bytes(missing).upload({
        filename: structuredName('txt'),
        contentType: 'text/plain',
        body: body(randomBytes(10)),
      }),
    );
    expect(err).toMatchObject({ code: 'upload_failed', status: 404 });
    expect((err as Error).message).not.toContain(missing.bucket);
    void bytes;
  });

  it('keeps to its key prefix: lists only its own files, never the staging area or another prefix', async () => {
    const { config, bytes } = await fresh({ keyPrefix: 'tenant-a/' });
    const mine = structuredName('txt');
    await bytes.upload({ filename: mine, contentType: 'text/plain', body: body(Buffer.from('mine')) });
    const client = server().client;
    for (const Key of [
      `tenant-b/${structuredName('txt')}`,
      'tenant-a/.staging/x/1',
      'tenant-a/sub/dir.txt',
      'top.txt',
    ]) {
      await client.send(new PutObjectCommand({ Bucket: config.bucket, Key, Body: 'other' }));
    }
    const names = [];
    for await (const file of bytes.list()) names.push(file.name);
    expect(names).toEqual([mine]);
    expect(await server().keys(config.bucket, 'tenant-a/')).toContain(`tenant-a/${mine}`);
  });
});

describe('S3 store: staging for chunked uploads', () => {
  const begin = (staging: UploadStaging, attachmentId: string, sizeBytes: number, partCount: number) =>
    staging.begin({
      attachmentId,
      filename: `${randomUUID()}_${attachmentId}.bin`,
      contentType: 'application/octet-stream',
      sizeBytes,
      partSize: 4 * MiB,
      partCount,
    });

  it('joins 4 MiB parts, sent in any order and re-sent, into one object; the staging area is gone', async () => {
    const { config, bytes, staging } = await fresh();
    const attachmentId = randomUUID();
    const content = randomBytes(9 * MiB + 17);
    const slices = [0, 1, 2].map((i) => content.subarray(i * 4 * MiB, (i + 1) * 4 * MiB));
    const { ref, expiresAt } = await begin(staging, attachmentId, content.length, 3);
    expect(expiresAt).toBeNull();
    const refs = new Map<number, string>();
    for (const n of [3, 1, 2]) refs.set(n, (await staging.putPart(ref, n, randomBytes(4 * MiB))).partRef);
    // The same part again replaces it.
    for (const n of [2, 1, 3]) refs.set(n, (await staging.putPart(ref, n, slices[n - 1] as Buffer)).partRef);
    expect((await server().keys(config.bucket)).filter((k) => k.includes('.staging/'))).toHaveLength(3);

    const parts = [...refs].map(([partNumber, partRef]) => ({ partNumber, partRef }));
    const { providerFileId } = await staging.complete(ref, parts, { sizeBytes: content.length });
    expect(Buffer.compare(await contentOf(bytes, providerFileId), content)).toBe(0);
    // Re-cut into S3-sized parts: 5 + 4 MiB and a little.
    expect(await etagOf(config.bucket, providerFileId)).toMatch(/-2"$/);
    expect(await server().keys(config.bucket)).toEqual([providerFileId]);
    expect(await server().unfinishedUploads(config.bucket)).toBe(false);
  });

  it('refuses parts that do not add up to the declared size or changed since they arrived, and leaves no object or unfinished upload', async () => {
    const { config, staging } = await fresh();
    const { ref } = await begin(staging, randomUUID(), 12 * MiB, 3);
    const parts = [];
    for (const n of [1, 2, 3])
      parts.push({
        partNumber: n,
        partRef: (await staging.putPart(ref, n, randomBytes(4 * MiB - 1))).partRef,
      });
    await expectProviderError(staging.complete(ref, parts, { sizeBytes: 12 * MiB }), 'upload_failed', 400);
    // A part replaced after its digest was recorded is refused, not joined.
    await staging.putPart(ref, 2, randomBytes(4 * MiB - 1));
    await expectProviderError(
      staging.complete(ref, parts, { sizeBytes: 3 * (4 * MiB - 1) }),
      'upload_failed',
      409,
    );
    await expectProviderError(
      staging.complete(ref, parts.slice(1), { sizeBytes: 8 * MiB }),
      'upload_failed',
      400,
    );
    await staging.abort(ref);
    expect(await server().keys(config.bucket)).toEqual([]);
    expect(await server().unfinishedUploads(config.bucket)).toBe(false);
  });

  it('aborts idempotently, and refuses refs and part numbers it did not make', async () => {
    const { config, staging } = await fresh();
    const { ref } = await begin(staging, randomUUID(), 5, 1);
    await staging.putPart(ref, 1, Buffer.from('hello'));
    await staging.abort(ref);
    await staging.abort(ref);
    expect(await server().keys(config.bucket)).toEqual([]);
    for (const bad of [0, -1, 1.5, 10_001]) {
      await expectProviderError(staging.putPart(ref, bad, Buffer.from('x')), 'upload_failed', 400);
    }
    await expectProviderError(
      staging.putPart('{"attachmentId":"../x"}', 1, Buffer.from('x')),
      'upload_failed',
    );
    await expectProviderError(
      staging.begin({
        attachmentId: 'not-an-id',
        filename: 'x.txt',
        contentType: 'text/plain',
        sizeBytes: 1,
        partSize: 1,
        partCount: 1,
      }),
      'upload_failed',
      400,
    );
  });
});

describe('S3 store: temporaries', () => {
  it('lists staged parts per attachment, with their size and age, and removes them', async () => {
    const { config, bytes, staging } = await fresh({ keyPrefix: 'p/' });
    const [a, b] = [randomUUID(), randomUUID()];
    for (const [id, sizes] of [
      [a, [3, 4]],
      [b, [5]],
    ] as const) {
      const { ref } = await staging.begin({
        attachmentId: id,
        filename: `${randomUUID()}_${id}.txt`,
        contentType: 'text/plain',
        sizeBytes: 0,
        partSize: 4,
        partCount: sizes.length,
      });
      for (const [i, size] of sizes.entries()) await staging.putPart(ref, i + 1, randomBytes(size));
    }
    const listed: Temporary[] = [];
    const temporaries = bytes.temporaries;
    for await (const temporary of temporaries?.list() ?? []) listed.push(temporary);
    expect(listed.sort((x, y) => (x.bytes ?? 0) - (y.bytes ?? 0))).toEqual([
      { ref: `staging:${b}`, attachmentId: b, createdAt: expect.any(Date), bytes: 5 },
      { ref: `staging:${a}`, attachmentId: a, createdAt: expect.any(Date), bytes: 7 },
    ]);
    await temporaries?.remove(`staging:${a}`);
    await temporaries?.remove(`staging:${a}`);
    expect(await server().keys(config.bucket)).toEqual([`p/.staging/${b}/1`]);
    await expectProviderError(
      temporaries?.remove('staging:../../x') as Promise<void>,
      'provider_unavailable',
    );
    await expectProviderError(
      temporaries?.remove('multipart:notes.txt:abc') as Promise<void>,
      'provider_unavailable',
    );
  });
});
