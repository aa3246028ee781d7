import 'server-only';
import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { isStoredFileName } from '@/lib/file-stores/naming';
import { type FileStorage, FileStoreError, type UploadStaging } from '@/lib/file-stores/ports';
import { isUuid } from '@/lib/ids';
import { s3Failure } from './client';
import { type BucketArea, deleteUnder, stagingPrefix } from './keys';

/** S3's own limit on part numbers; a chunked upload has far fewer. */
const MAX_PARTS = 10_000;

interface StagingRef {
  attachmentId: string;
  filename: string;
  contentType: string;
}

/**
 * A chunked upload's parts on S3. They arrive as 4 MiB parts, but S3 takes multipart parts of at
 * least 5 MiB (all but the last), so a part cannot go straight into a multipart upload of the
 * final key. Each is stored as its own object `<prefix>.staging/<attachmentId>/<n>` (a part sent
 * again replaces it); `complete` streams them, in order, into the final object through the same
 * streaming upload as a one-shot file (multipart of `S3_PART_SIZE_MB` parts, aborted on failure),
 * each part checked against the digest recorded when it arrived (its `partRef`), then deletes the
 * staged objects. The bytes cross the network twice, in exchange for parts that
 * may arrive in any order, be re-sent, and survive a restart of the instance that received them.
 */
export function s3Staging(area: BucketArea, upload: FileStorage['upload']): UploadStaging {
  const { client, bucket: Bucket } = area;
  const partKey = (attachmentId: string, partNumber: number) =>
    `${stagingPrefix(area, attachmentId)}${partNumber}`;

  return {
    begin: async ({ attachmentId, filename, contentType }) => {
      if (!isUuid(attachmentId) || !isStoredFileName(filename)) {
        throw new FileStoreError('upload_failed', 'invalid staging name', { status: 400 });
      }
      const ref: StagingRef = { attachmentId, filename, contentType };
      // Nothing to open on S3: the area exists once a part is in it. It lasts until aborted.
      return { ref: JSON.stringify(ref), expiresAt: null };
    },
    putPart: async (ref, partNumber, bytes) => {
      const { attachmentId } = parseRef(ref);
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PARTS) {
        throw new FileStoreError('upload_failed', 'invalid part number', { status: 400 });
      }
      const put = new PutObjectCommand({
        Bucket,
        Key: partKey(attachmentId, partNumber),
        Body: bytes,
        ContentLength: bytes.byteLength,
      });
      await client.send(put).catch((cause: unknown) => {
        throw s3Failure('upload_failed', 'PutObject', cause);
      });
      // As the folder's staging: the part's digest, checked again when the parts are joined.
      return { partRef: createHash('sha256').update(bytes).digest('hex') };
    },
    complete: async (ref, parts, { sizeBytes }) => {
      const { attachmentId, filename, contentType } = parseRef(ref);
      const numbers = parts.map((part) => part.partNumber).sort((a, b) => a - b);
      if (numbers.some((n, i) => n !== i + 1)) {
        throw new FileStoreError('upload_failed', 'staged parts are not 1..n', { status: 400 });
      }
      const digests = new Map(parts.map((part) => [part.partNumber, part.partRef]));
      async function* joined(): AsyncGenerator<Uint8Array> {
        let total = 0;
        for (const n of numbers) {
          const out = await client
            .send(new GetObjectCommand({ Bucket, Key: partKey(attachmentId, n) }))
            .catch((cause: unknown) => {
              throw s3Failure('upload_failed', 'GetObject', cause);
            });
          const hash = createHash('sha256');
          for await (const chunk of out.Body as Readable) {
            hash.update(chunk as Uint8Array);
            total += (chunk as Uint8Array).byteLength;
            yield chunk as Uint8Array;
          }
          // The staged object must be the part whose digest the client's request was checked against.
          if (hash.digest('hex') !== digests.get(n)) {
            throw new FileStoreError('upload_failed', `staged part ${n} is not the one recorded`, {
              status: 409,
            });
          }
        }
        // Thrown before the last part is sent, so the upload is aborted rather than completed.
        if (total !== sizeBytes) {
          throw new FileStoreError('upload_failed', 'staged parts do not add up to the size', {
            status: 400,
          });
        }
      }
      const stored = await upload({ filename, contentType, body: joined() });
      await deleteUnder(area, stagingPrefix(area, attachmentId));
      return stored;
    },
    abort: async (ref) => deleteUnder(area, stagingPrefix(area, parseRef(ref).attachmentId)),
  };
}

/** The ref is ours, kept on the upload row; anything else there is a bug, not input to trust. */
function parseRef(ref: string): StagingRef {
  let parsed: Partial<StagingRef> | undefined;
  try {
    parsed = JSON.parse(ref) as Partial<StagingRef>;
  } catch {}
  const { attachmentId, filename, contentType } = parsed ?? {};
  if (
    typeof attachmentId !== 'string' ||
    !isUuid(attachmentId) ||
    typeof filename !== 'string' ||
    !isStoredFileName(filename) ||
    typeof contentType !== 'string'
  ) {
    throw new FileStoreError('upload_failed', 'invalid staging ref');
  }
  return { attachmentId, filename, contentType };
}
