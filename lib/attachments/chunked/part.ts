import { createHash } from 'node:crypto';
import { createTextValidator, isTextType } from '@/lib/attachments/content-check';
import type { AttachmentDeps } from '@/lib/attachments/deps';
import { fileStoreFailure } from '@/lib/attachments/file-store-errors';
import { type FileTypeRule, resolveFileType } from '@/lib/attachments/mime';
import { transition } from '@/lib/attachments/store';
import { DEFAULT_THUMBNAIL_CONFIG, makeThumbnail } from '@/lib/attachments/thumbnail';
import { checkContent, enterGate } from '@/lib/attachments/upload/admit';
import type { Attachment, Upload } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import type { FileStoreId, UploadStaging } from '@/lib/file-stores/ports';
import { authorize, type Caller } from '@/lib/policy';
import { closeUpload } from './close';
import { assertOpen, expectedPartBytes, parseContentDigest, parsePartNumber } from './protocol';
import { claimPart, findUpload, findUploadById, releaseClaim, setPartRef } from './store';
import { effectiveState, toUploadView, type UploadView } from './view';

export interface PartInput {
  /** The part number as it came in the path. */
  partNumber: string;
  /** The request's Content-Digest header. */
  digest: string | null;
  /** Reads the body whole, refusing it (413) past `maxBytes` without reading further. */
  readBody: (maxBytes: number) => Promise<Uint8Array>;
}

/**
 * One part of an upload, in any order, in parallel with others. Everything about the request is
 * checked before its body is read (owner, part number, state, digest header), and the body is read
 * with a cap of the part's exact size; then its size and SHA-256, and for part 1 its content. The
 * same part again with the same digest changes nothing; with another digest it is refused.
 */
export async function putPart(
  deps: AttachmentDeps,
  caller: Caller | null,
  uploadId: string,
  input: PartInput,
): Promise<UploadView> {
  const scope = authorize(caller, 'upload.part');
  const { upload, attachment } = await findUpload(deps.db, scope, uploadId);
  const n = parsePartNumber(input.partNumber, upload.partCount);
  await refuseIfClosed(deps, upload);
  const digest = parseContentDigest(input.digest);
  const expected = expectedPartBytes(upload, n);
  const rule = ruleOf(attachment);
  const leave = enterGate(deps, scope.userId, rule.kind);
  try {
    const bytes = await input.readBody(expected);
    if (bytes.byteLength !== expected) {
      throw new AppError('part_size_mismatch', `Part ${n} must have exactly ${expected} bytes.`, {
        extensions: { expected_bytes: expected },
      });
    }
    const sha256 = createHash('sha256').update(bytes).digest();
    if (!sha256.equals(digest)) {
      throw new AppError('digest_mismatch', `Part ${n} does not match its Content-Digest; send it again.`);
    }
    await checkPart(deps, upload, attachment, rule, n, bytes);
    await stage(deps, upload, n, bytes, sha256.toString('hex'));
  } finally {
    leave();
  }
  return toUploadView(deps.db, (await findUploadById(deps.db, upload.id)) ?? upload, attachment);
}

/** Answers for an upload that takes no parts; one past its expiry is expired here and now. */
export async function refuseIfClosed(deps: AttachmentDeps, upload: Upload): Promise<void> {
  if (effectiveState(upload) === 'expired' && upload.state === 'uploading') {
    await closeUpload(deps, upload, 'expired', 'upload_expired');
    throw new AppError('upload_expired', 'This upload expired before it was completed; start it again.');
  }
  assertOpen(upload);
}

/** The type the attachment was admitted as (its resolved content type and sanitised name). */
export const ruleOf = (attachment: Attachment): FileTypeRule =>
  resolveFileType(attachment.contentType, attachment.filename, { allowCsv: true });

/**
 * Part 1 gets the checks a single-request upload's head gets (magic bytes, UTF-8, the declared
 * type); a file that fails them is refused at once and its upload cancelled. Text is checked as
 * UTF-8 in every part, allowing for a character split across a part boundary. An image that fits
 * in one part gets its thumbnail here, while its bytes are in hand.
 */
async function checkPart(
  deps: AttachmentDeps,
  upload: Upload,
  attachment: Attachment,
  rule: FileTypeRule,
  n: number,
  bytes: Uint8Array,
): Promise<void> {
  try {
    if (n === 1) await checkContent(deps, once(bytes), rule);
    if (isTextType(rule)) checkTextPart(bytes, n === 1, n === upload.partCount);
  } catch (err) {
    if (err instanceof AppError) {
      await closeUpload(deps, upload, 'cancelled', err.code);
      err.extensions.attachment_id = attachment.id;
    }
    throw err;
  }
  if (n === 1 && rule.kind === 'image' && upload.partCount === 1) {
    const thumbnail = await makeThumbnail(bytes, deps.thumbnails ?? DEFAULT_THUMBNAIL_CONFIG);
    if (thumbnail) {
      await transition(deps.db, attachment.id, 'uploading', {
        imgThumbnail: thumbnail.bytes,
        imgThumbnailWidth: thumbnail.width,
        imgThumbnailHeight: thumbnail.height,
      });
    }
  }
}

function checkTextPart(bytes: Uint8Array, first: boolean, last: boolean): void {
  let start = 0;
  // Up to three continuation bytes finish a character the previous part began.
  while (!first && start < 3 && start < bytes.length && ((bytes[start] as number) & 0xc0) === 0x80) start++;
  const validator = createTextValidator();
  validator.push(bytes.subarray(start));
  if (last) validator.end();
}

/**
 * Claims the part number, stages the bytes and records the staging's handle. A claim by other
 * bytes is a conflict; one by the same bytes is done already, or (if its request died) staged
 * again. A part staged while the upload was closed is aborted with the rest of its staging.
 */
async function stage(deps: AttachmentDeps, upload: Upload, n: number, bytes: Uint8Array, sha256: string) {
  const claim = await claimPart(deps.db, {
    uploadId: upload.id,
    partNumber: n,
    sizeBytes: bytes.byteLength,
    sha256,
  });
  if (!claim.claimed && claim.part.sha256 !== sha256) {
    throw new AppError('part_conflict', `Part ${n} was already received with other content.`);
  }
  if (!claim.claimed && claim.part.partRef) return;
  const staging = stagingOf(deps, upload);
  let partRef: string;
  try {
    ({ partRef } = await staging.putPart(upload.stagingRef as string, n, bytes));
  } catch (err) {
    await releaseClaim(deps.db, upload.id, n);
    throw fileStoreFailure(err, 'upload_failed');
  }
  await setPartRef(deps.db, upload.id, n, partRef);
  const now = await findUploadById(deps.db, upload.id);
  if (now?.state === 'cancelled' || now?.state === 'expired') {
    await staging.abort(upload.stagingRef as string).catch(() => {});
    assertOpen(now);
  }
}

export function stagingOf(deps: Pick<AttachmentDeps, 'fileStores'>, upload: Upload): UploadStaging {
  const staging = deps.fileStores(upload.provider as FileStoreId).files.staging;
  if (!staging || !upload.stagingRef) {
    throw new AppError('provider_unavailable', 'The staging area of this upload is not available.');
  }
  return staging;
}

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}
