import 'server-only';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, GetObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import type { FileBytes } from '@/lib/file-stores/bytes';
import { isStoredFileName } from '@/lib/file-stores/naming';
import { FileStoreError } from '@/lib/file-stores/ports';
import type { ByteRange } from '@/lib/http/range';
import { createS3Client, isNotFound, s3Failure, statusOf } from './client';
import type { S3Config } from './config';
import { type BucketArea, listObjects } from './keys';
import { s3Staging } from './staging';
import { s3Temporaries } from './temporaries';
import { putStream } from './upload';

export { loadS3Config, type S3Config } from './config';

/**
 * The local index's files in an S3-compatible bucket, for deployments of more than one machine or
 * none with a disk that lasts: each file is the object `<prefix><provider file id>`. Search stays
 * in our database (the local index); only the bytes live here.
 */
export function s3Bytes(config: S3Config, client = createS3Client(config)): FileBytes {
  const area: BucketArea = { client, bucket: config.bucket, keyPrefix: config.keyPrefix };
  const Bucket = config.bucket;
  // Every id that reaches a key comes through here, like the folder's storedFilePath.
  const keyOf = (fileId: string) => (isStoredFileName(fileId) ? `${config.keyPrefix}${fileId}` : undefined);
  const upload: FileBytes['upload'] = async ({ filename, contentType, body, signal }) => {
    const Key = keyOf(filename);
    if (!Key) throw new FileStoreError('upload_failed', 'invalid S3 file name', { status: 400 });
    await putStream(client, { Bucket, Key, ContentType: contentType }, body, {
      partSize: config.partSizeBytes,
      ...(signal ? { signal } : {}),
    });
    return { providerFileId: filename };
  };

  const get = async (fileId: string, code: 'provider_unavailable' | 'indexing_failed', range?: ByteRange) => {
    const Key = keyOf(fileId);
    if (!Key) throw new FileStoreError(code, 'file not found', { status: 404 });
    const Range = range ? `bytes=${range.start}-${range.end}` : undefined;
    try {
      return await client.send(new GetObjectCommand({ Bucket, Key, ...(Range ? { Range } : {}) }));
    } catch (err) {
      if (isNotFound(err)) throw new FileStoreError(code, 'file not found', { status: 404, cause: err });
      if (statusOf(err) === 416)
        throw new FileStoreError(code, 'range outside the stored file', { status: 416 });
      throw s3Failure(code, 'GetObject', err);
    }
  };

  return {
    storageBackend: 's3',
    upload,
    delete: async (fileId) => {
      const Key = keyOf(fileId);
      // S3 answers a delete of a missing key with success: gone is gone.
      if (!Key) return;
      await client.send(new DeleteObjectCommand({ Bucket, Key })).catch((cause: unknown) => {
        throw s3Failure('provider_unavailable', 'DeleteObject', cause);
      });
    },
    list: async function* ({ createdAfter } = {}) {
      // Lexical order, not newest first: without an index by time, the whole prefix is read.
      for await (const object of listObjects(area, config.keyPrefix, { delimiter: '/' })) {
        const name = object.Key?.slice(config.keyPrefix.length);
        if (!name || !isStoredFileName(name) || !object.LastModified) continue;
        if (!createdAfter || object.LastModified >= createdAfter) {
          yield { id: name, name, createdAt: object.LastModified };
        }
      }
    },
    read: async (fileId, range) => {
      const out = await get(fileId, 'provider_unavailable', range);
      return { size: sizeOf(out, range), body: bodyOf(out).transformToWebStream() };
    },
    withLocalCopy: async (fileId, use) => {
      const out = await get(fileId, 'indexing_failed');
      // The extraction sandbox reads a file: a private copy, named as stored (its type is in the name).
      const dir = await mkdtemp(path.join(os.tmpdir(), 'mini-chat-s3-'));
      try {
        const file = path.join(dir, fileId);
        await pipeline(bodyOf(out) as Readable, createWriteStream(file)).catch((cause: unknown) => {
          throw s3Failure('indexing_failed', 'GetObject', cause);
        });
        return await use(file);
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    },
    staging: s3Staging(area, upload),
    temporaries: s3Temporaries(area),
  };
}

function bodyOf(out: GetObjectCommandOutput): NonNullable<GetObjectCommandOutput['Body']> {
  if (!out.Body) throw new FileStoreError('provider_unavailable', 'S3 GetObject answered without a body');
  return out.Body;
}

/** The whole object's size: from `Content-Range` when a range was asked for. */
function sizeOf(out: GetObjectCommandOutput, range: ByteRange | undefined): number {
  const size = range ? Number(/\/(\d+)$/.exec(out.ContentRange ?? '')?.[1]) : out.ContentLength;
  // A store that ignored the Range would send the whole file where a part was promised.
  if (size === undefined || !Number.isSafeInteger(size)) {
    void out.Body?.transformToWebStream().cancel();
    throw new FileStoreError(
      'provider_unavailable',
      'S3 GetObject answered without the size or range asked for',
    );
  }
  return size;
}
