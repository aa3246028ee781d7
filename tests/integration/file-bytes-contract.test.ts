import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  createIndexedFileStore,
  type FileBytes,
  folderBytes,
  searchLocalStore,
} from '@/lib/file-stores/local';
import type { FileStore } from '@/lib/file-stores/ports';
import { getDb } from '@/lib/runtime';
import {
  bytesOf,
  expectProviderError,
  rejection,
  streamOf,
  structuredName,
} from '@/tests/support/file-stores';
import { s3BytesOn, s3ServerForFile } from '@/tests/support/s3-server';

/**
 * The local index's contract with the place its bytes live, run against each: a folder, and a real
 * S3-compatible server on loopback. `leftovers` is everything the backend holds that is not a
 * stored file (temp files, objects, unfinished multipart uploads), so a failed upload can be seen
 * to leave nothing behind in a fresh one.
 */
interface Backend {
  bytes: FileBytes;
  /** Every name it holds, temporaries included, and whether an unfinished multipart upload lingers. */
  leftovers(): Promise<{ names: string[]; unfinished: boolean }>;
}

const NOTHING = { names: [], unfinished: false };
const s3Server = s3ServerForFile();
let root: string;
beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mini-chat-bytes-'));
});
afterAll(() => rm(root, { recursive: true, force: true }));

const backends: [string, () => Promise<Backend>][] = [
  [
    'folder',
    async () => {
      const dir = path.join(root, randomUUID());
      return {
        bytes: folderBytes(dir),
        leftovers: async () => ({ names: await readdir(dir).catch(() => []), unfinished: false }),
      };
    },
  ],
  [
    's3',
    async () => {
      const server = s3Server();
      const { config, bytes } = await s3BytesOn(server, { keyPrefix: 'deployment-a/' });
      return {
        bytes,
        leftovers: async () => {
          const names = await server.keys(config.bucket);
          return { names, unfinished: await server.unfinishedUploads(config.bucket) };
        },
      };
    },
  ],
];

describe.each(backends)('local index files in a %s', (_kind, makeBackend) => {
  let backend: Backend;
  let store: FileStore;
  // A fresh folder or bucket each: asking S3 about unfinished uploads empties the bucket.
  beforeEach(async () => {
    backend = await makeBackend();
    store = createIndexedFileStore({ db: getDb, bytes: backend.bytes });
  });

  const put = async (content: string | Uint8Array, ext = 'txt') => {
    const filename = structuredName(ext);
    await store.files.upload({ filename, contentType: 'text/plain', body: streamOf(content) });
    return filename;
  };

  it('records where its bytes are on the attachment rows', () => {
    expect(store.id).toBe('local');
    expect(store.storageBackend).toBe(_kind === 's3' ? 's3' : 'local');
  });

  it('gives back exactly the bytes streamed in, whole or any range', async () => {
    const content = randomBytes(300 * 1024);
    const chunks = Array.from({ length: 10 }, (_, i) => content.subarray(i * 30 * 1024, (i + 1) * 30 * 1024));
    const filename = structuredName('bin');
    expect(
      await store.files.upload({
        filename,
        contentType: 'application/octet-stream',
        body: streamOf(...chunks),
      }),
    ).toEqual({
      providerFileId: filename,
    });
    const whole = await store.files.read?.(filename);
    expect(whole?.size).toBe(content.length);
    expect(Buffer.compare(await bytesOf(whole?.body as ReadableStream<Uint8Array>), content)).toBe(0);

    const part = await store.files.read?.(filename, { start: 1000, end: 70_999 });
    expect(part?.size).toBe(content.length);
    const partBytes = await bytesOf(part?.body as ReadableStream<Uint8Array>);
    expect(Buffer.compare(partBytes, content.subarray(1000, 71_000))).toBe(0);
  });

  it('answers 404 for a file that is not there, and 416 for a range past its end', async () => {
    await expectProviderError(
      store.files.read?.(structuredName('txt')) as Promise<unknown>,
      'provider_unavailable',
      404,
    );
    await expectProviderError(
      store.files.read?.('../x.txt') as Promise<unknown>,
      'provider_unavailable',
      404,
    );
    const filename = await put('twelve bytes');
    await expectProviderError(
      store.files.read?.(filename, { start: 20, end: 30 }) as Promise<unknown>,
      'provider_unavailable',
      416,
    );
  });

  it('rethrows the very error a failing body throws, and leaves nothing behind', async () => {
    const tooLarge = new Error('size limit exceeded');
    async function* body() {
      yield new TextEncoder().encode('the first part');
      throw tooLarge;
    }
    const err = await rejection(
      store.files.upload({ filename: structuredName('txt'), contentType: 'text/plain', body: body() }),
    );
    expect(err).toBe(tooLarge);
    expect(await backend.leftovers()).toEqual(NOTHING);
  });

  it('stops at once when the signal aborts, even while the body is stalled, and cleans up', async () => {
    const controller = new AbortController();
    const reason = new Error('client went away');
    async function* body() {
      yield new TextEncoder().encode('some bytes');
      setTimeout(() => controller.abort(reason), 20);
      await new Promise(() => {}); // never produces the rest
    }
    const filename = structuredName('txt');
    const err = await rejection(
      store.files.upload({ filename, contentType: 'text/plain', body: body(), signal: controller.signal }),
    );
    expect(err).toBe(reason);
    expect(await backend.leftovers()).toEqual(NOTHING);
  });

  it('refuses names that could leave its place, without reading the body', async () => {
    for (const filename of [
      '../escape.txt',
      'a/b.txt',
      'a\\b.txt',
      'a\0b.txt',
      '..',
      '.hidden.txt',
      'x..y.txt',
      '',
    ]) {
      let consumed = false;
      async function* body() {
        consumed = true;
        yield new TextEncoder().encode('x');
      }
      await expectProviderError(
        store.files.upload({ filename, contentType: 'text/plain', body: body() }),
        'upload_failed',
        400,
      );
      expect(consumed).toBe(false);
    }
    expect(await backend.leftovers()).toEqual(NOTHING);
  });

  it('deletes idempotently, and a malformed id deletes nothing', async () => {
    const keep = await put('keep me');
    const gone = await put('to be deleted');
    await store.files.delete(gone);
    await store.files.delete(gone);
    await store.files.delete('../../etc/passwd');
    await expectProviderError(store.files.read?.(gone) as Promise<unknown>, 'provider_unavailable', 404);
    const names = [];
    for await (const file of store.files.list()) names.push(file.name);
    expect(names).toContain(keep);
    expect(names).not.toContain(gone);
  });

  it('lists its files with their times, and only those created after a given time', async () => {
    const before = new Date(Date.now() - 60_000);
    const filename = await put('listed');
    const listed = [];
    for await (const file of store.files.list({ createdAfter: before })) listed.push(file);
    expect(listed).toContainEqual({ id: filename, name: filename, createdAt: expect.any(Date) });
    const later = [];
    for await (const file of store.files.list({ createdAfter: new Date(Date.now() + 60_000) }))
      later.push(file);
    expect(later).toEqual([]);
  });

  it('indexes a stored document (extraction reads a local copy) and finds its passages', async () => {
    const vs = await store.vectorStores.create();
    const attachmentId = randomUUID();
    const filename = await put('# Refunds\n\nRefunds are paid within fourteen days of the return.', 'md');
    await store.vectorStores.addFile(vs, filename, { attachment_id: attachmentId });
    expect(await store.vectorStores.fileStatus(vs, filename)).toEqual({ status: 'completed' });
    const hits = await searchLocalStore(await getDb(), vs, 'refunds', { attachmentIds: [attachmentId] });
    expect(hits[0]?.content).toContain('fourteen days');
    // No copy outlives the indexing.
    expect((await readdir(os.tmpdir())).filter((name) => name.includes(filename))).toEqual([]);
    await expectProviderError(
      store.vectorStores.addFile(vs, structuredName('md'), { attachment_id: randomUUID() }),
      'indexing_failed',
      404,
    );
  });
});
