import type { AttachmentDeps } from '@/lib/attachments/deps';
import { type FileTypeRule, resolveFileType } from '@/lib/attachments/mime';
import { transition } from '@/lib/attachments/store';
import { DEFAULT_THUMBNAIL_CONFIG, makeThumbnail } from '@/lib/attachments/thumbnail';
import { enterGate } from '@/lib/attachments/upload/admit';
import type { Attachment, Upload } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import type { FileStoreId, UploadStaging } from '@/lib/file-stores/ports';
import { payloadTooLarge } from '@/lib/http/body';
import { refuseWhileDraining } from '@/lib/lifecycle';
import { authorize, type Caller } from '@/lib/policy';
import { closeUpload } from './close';
import { assertOpen, expectedPartBytes, parseContentDigest, parsePartNumber } from './protocol';
import { receivePart } from './receive';
import { claimPart, findUpload, recordPart, releaseClaim } from './store';
import { effectiveState, type PartView, partView } from './view';

export interface PartInput {
  /** The part number as it came in the path. */
  partNumber: string;
  /** The request's Content-Digest header. */
  digest: string | null;
  /** The request's Content-Length, when it sent one (never trusted beyond refusing early). */
  length: number | null;
  body: AsyncIterable<Uint8Array> | null;
}

/**
 * One part of an upload, in any order, in parallel with others. Everything about the request is
 * checked before its body is read (owner, part number, state, the digest header, a declared length
 * over the part's size), and the part number is claimed for the declared digest: the same part
 * again with the same digest is answered at once without reading it, with another digest refused.
 * Then the body streams into the staging, checked on the way (lib/attachments/chunked/receive.ts).
 */
export async function putPart(
  deps: AttachmentDeps,
  caller: Caller | null,
  uploadId: string,
  input: PartInput,
): Promise<PartView> {
  const scope = authorize(caller, 'upload.part');
  refuseWhileDraining();
  const { upload, attachment } = await findUpload(deps.db, scope, uploadId);
  const n = parsePartNumber(input.partNumber, upload.partCount);
  await refuseIfClosed(deps, upload);
  const digest = parseContentDigest(input.digest);
  const size = expectedPartBytes(upload, n);
  if (input.length !== null && input.length > size) throw payloadTooLarge(size);
  const staging = stagingOf(deps, upload);
  const sha256 = digest.toString('hex');
  const claim = await claimPart(deps.db, { uploadId: upload.id, partNumber: n, sizeBytes: size, sha256 });
  if (!claim.claimed && claim.part.sha256 !== sha256) throw partConflict(n);
  // The same part again, already staged: answered from the upload as read above.
  if (!claim.claimed && claim.part.partRef) return partView(upload, n, size);
  const rule = ruleOf(attachment);
  const leave = enterGate(deps, scope.userId, rule.kind);
  let state: Upload['state'] | undefined;
  try {
    const received = await receivePart(deps, staging, upload.stagingRef as string, {
      n,
      size,
      digest,
      rule,
      last: n === upload.partCount,
      wholeImage: rule.kind === 'image' && upload.partCount === 1,
      body: input.body ?? empty(),
    });
    state = await recordPart(
      deps.db,
      { uploadId: upload.id, partNumber: n, sizeBytes: size, sha256 },
      received,
    );
    // A failed request of the same bytes gave the claim back, and other bytes claimed it since.
    if (!state) throw partConflict(n);
    if (received.image) await storeThumbnail(deps, attachment, received.image);
  } catch (err) {
    await releaseClaim(deps.db, upload.id, n, sha256);
    if (err instanceof AppError && err.code === 'content_type_mismatch') {
      // Not what its type says: the file can never be right, so the upload ends here.
      await closeUpload(deps, upload, 'cancelled', err.code);
      err.extensions.attachment_id = attachment.id;
    }
    throw err;
  } finally {
    leave();
  }
  if (state === 'cancelled' || state === 'expired') {
    // Closed while this part was arriving: what it staged goes with the rest.
    await staging.abort(upload.stagingRef as string).catch(() => {});
    assertOpen({ state });
  }
  return partView({ ...upload, state }, n, size);
}

const partConflict = (n: number) =>
  new AppError('part_conflict', `Part ${n} was already received with other content.`);

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

/** An image in one part gets its thumbnail while its bytes are in hand. */
async function storeThumbnail(deps: AttachmentDeps, attachment: Attachment, image: Buffer) {
  const thumbnail = await makeThumbnail(image, deps.thumbnails ?? DEFAULT_THUMBNAIL_CONFIG);
  if (!thumbnail) return;
  await transition(deps.db, attachment.id, 'uploading', {
    imgThumbnail: thumbnail.bytes,
    imgThumbnailWidth: thumbnail.width,
    imgThumbnailHeight: thumbnail.height,
  });
}

export function stagingOf(deps: Pick<AttachmentDeps, 'fileStores'>, upload: Upload): UploadStaging {
  const staging = deps.fileStores(upload.provider as FileStoreId).files.staging;
  if (!staging || !upload.stagingRef) {
    throw new AppError('provider_unavailable', 'The staging area of this upload is not available.');
  }
  return staging;
}

async function* empty(): AsyncGenerator<Uint8Array> {}
