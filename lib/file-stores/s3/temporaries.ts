import 'server-only';
import { AbortMultipartUploadCommand, ListMultipartUploadsCommand } from '@aws-sdk/client-s3';
import { parseStoredFilename } from '@/lib/file-stores/naming';
import { FileStoreError, type Temporaries, type Temporary } from '@/lib/file-stores/ports';
import { isUuid } from '@/lib/ids';
import { isNotFound, s3Failure } from './client';
import { type BucketArea, deleteUnder, listObjects, stagingPrefix } from './keys';

const STAGING = 'staging:';
const MULTIPART = 'multipart:';

/**
 * What the S3 store leaves behind when an instance dies mid-upload: a chunked upload's staged parts
 * (one temporary per attachment) and unfinished multipart uploads of our files' keys, which S3
 * keeps, invisible in listings and billed, until aborted. Both carry the attachment id in the key.
 * Refs: `staging:<attachmentId>`, `multipart:<file name>:<upload id>`.
 */
export function s3Temporaries(area: BucketArea): Temporaries {
  return {
    list: async function* () {
      yield* stagedAreas(area);
      yield* unfinishedUploads(area);
    },
    remove: async (ref) => {
      if (ref.startsWith(STAGING)) {
        const attachmentId = ref.slice(STAGING.length);
        if (!isUuid(attachmentId)) throw new FileStoreError('provider_unavailable', 'invalid temporary ref');
        await deleteUnder(area, stagingPrefix(area, attachmentId));
        return;
      }
      const [name, uploadId] = splitOnce(ref.slice(MULTIPART.length), ':');
      if (!ref.startsWith(MULTIPART) || !parseStoredFilename(name) || !uploadId) {
        throw new FileStoreError('provider_unavailable', 'invalid temporary ref');
      }
      const abort = new AbortMultipartUploadCommand({
        Bucket: area.bucket,
        Key: `${area.keyPrefix}${name}`,
        UploadId: uploadId,
      });
      await area.client.send(abort).catch((cause: unknown) => {
        if (!isNotFound(cause)) throw s3Failure('provider_unavailable', 'AbortMultipartUpload', cause);
      });
    },
  };
}

async function* stagedAreas(area: BucketArea): AsyncGenerator<Temporary> {
  const root = stagingPrefix(area);
  const found = new Map<string, { createdAt: Date; bytes: number }>();
  for await (const object of listObjects(area, root)) {
    const attachmentId = object.Key?.slice(root.length).split('/')[0];
    if (!attachmentId || !isUuid(attachmentId)) continue;
    const seen = found.get(attachmentId);
    const createdAt = object.LastModified ?? new Date();
    found.set(attachmentId, {
      createdAt: seen && seen.createdAt < createdAt ? seen.createdAt : createdAt,
      bytes: (seen?.bytes ?? 0) + (object.Size ?? 0),
    });
  }
  for (const [attachmentId, { createdAt, bytes }] of found) {
    yield { ref: `${STAGING}${attachmentId}`, attachmentId, createdAt, bytes };
  }
}

async function* unfinishedUploads(area: BucketArea): AsyncGenerator<Temporary> {
  let KeyMarker: string | undefined;
  let UploadIdMarker: string | undefined;
  do {
    const command = new ListMultipartUploadsCommand({
      Bucket: area.bucket,
      Prefix: area.keyPrefix,
      ...(KeyMarker ? { KeyMarker } : {}),
      ...(UploadIdMarker ? { UploadIdMarker } : {}),
    });
    const page = await area.client.send(command).catch((cause: unknown) => {
      throw s3Failure('provider_unavailable', 'ListMultipartUploads', cause);
    });
    for (const upload of page.Uploads ?? []) {
      const name = upload.Key?.slice(area.keyPrefix.length) ?? '';
      // Ours only by name: another deployment's or application's uploads are never touched.
      const parsed = parseStoredFilename(name);
      if (!parsed || !upload.UploadId) continue;
      yield {
        ref: `${MULTIPART}${name}:${upload.UploadId}`,
        attachmentId: parsed.attachmentId,
        createdAt: upload.Initiated ?? new Date(),
        bytes: null,
      };
    }
    KeyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    UploadIdMarker = page.IsTruncated ? page.NextUploadIdMarker : undefined;
  } while (KeyMarker);
}

function splitOnce(text: string, separator: string): [string, string] {
  const at = text.indexOf(separator);
  return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + separator.length)];
}
