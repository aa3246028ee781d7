import { isUtf8 } from 'node:buffer';
import { isTextType } from '@/lib/attachments/content-check';
import type { AttachmentDeps } from '@/lib/attachments/deps';
import { fileStoreFailure } from '@/lib/attachments/file-store-errors';
import { transition } from '@/lib/attachments/store';
import { resolveFileStore } from '@/lib/attachments/upload/admit';
import { finishUpload, type UploadOutcome } from '@/lib/attachments/upload/finish';
import { settleUpload, whilePending } from '@/lib/attachments/upload/pending';
import type { Attachment, Upload, UploadPart } from '@/lib/db/schema';
import { AppError, notFound } from '@/lib/errors';
import type { FileStore, FileStoreId } from '@/lib/file-stores/ports';
import { refuseWhileDraining } from '@/lib/lifecycle';
import { authorize, type Caller } from '@/lib/policy';
import { closeUpload } from './close';
import { refuseIfClosed, ruleOf, stagingOf } from './part';
import { expectedPartBytes } from './protocol';
import { findUpload, setUploadState, stagedParts } from './store';
import { toUploadView, type UploadView, uploadView } from './view';

export interface CompleteOutcome {
  upload: UploadView;
  /** As for a single-request upload: a document's wait for indexing, to run after the response. */
  indexing?: UploadOutcome['indexing'];
}

/**
 * Completes an upload, idempotently: one already completed (or completing) is answered as it
 * stands. Every part must be staged with its exact size; then the upload and its attachment move
 * together (`completing`, `pending`), the staging joins the parts into the stored file, and from
 * there it is a single-request upload's end: settled with its size under the upload locks (its
 * reservation becomes its stored bytes), thumbnail, `ready` or indexing, metrics.
 */
export async function completeUpload(
  deps: AttachmentDeps,
  caller: Caller | null,
  uploadId: string,
): Promise<CompleteOutcome> {
  const scope = authorize(caller, 'upload.complete');
  refuseWhileDraining();
  const { upload, attachment } = await findUpload(deps.db, scope, uploadId);
  if (upload.state === 'completed' || upload.state === 'completing') {
    return { upload: await toUploadView(deps.db, upload, attachment) };
  }
  await refuseIfClosed(deps, upload);
  const parts = await stagedParts(deps.db, upload.id);
  assertAllParts(upload, parts);
  await checkTextBoundaries(deps, upload, attachment, parts);
  const claimed = await deps.db.transaction(async (tx) => {
    const completing = await setUploadState(tx, upload.id, ['uploading'], 'completing');
    if (!completing) return undefined;
    const pending = await transition(tx, attachment.id, 'uploading', { status: 'pending' });
    // The attachment was deleted (its chat too, perhaps) while its parts were arriving.
    if (!pending) throw notFound('Upload');
    return { completing, pending };
  });
  // Another request got there first (a retried completion, a cancel, the sweep): answer as it stands.
  if (!claimed) return completeUpload(deps, caller, uploadId);

  const fileStore = resolveFileStore(deps, upload.provider as FileStoreId);
  const { completed, ...outcome } = await whilePending(deps, claimed.pending, () =>
    finish(deps, fileStore, claimed.completing, claimed.pending, parts),
  );
  if (completed) return { upload: uploadView(completed, outcome.attachment, []), indexing: outcome.indexing };
  // Taken for dead and expired meanwhile (a completion that ran past its grace): as it stands now.
  const done = await findUpload(deps.db, scope, uploadId);
  return { upload: await toUploadView(deps.db, done.upload, done.attachment), indexing: outcome.indexing };
}

/** Every part staged, each of its exact size (so the total is the declared size); else 409. */
function assertAllParts(upload: Upload, parts: UploadPart[]): void {
  const have = new Map(parts.map((part) => [part.partNumber, part]));
  const missing: number[] = [];
  for (let n = 1; n <= upload.partCount; n++) {
    if (have.get(n)?.sizeBytes !== expectedPartBytes(upload, n)) missing.push(n);
  }
  if (missing.length === 0) return;
  const received = parts.reduce((sum, part) => sum + part.sizeBytes, 0);
  const shown = missing.slice(0, 100);
  throw new AppError(
    'upload_incomplete',
    `${missing.length === 1 ? 'Part' : 'Parts'} ${shown.join(', ')}${missing.length > shown.length ? ', …' : ''} ${missing.length === 1 ? 'is' : 'are'} missing; send ${missing.length === 1 ? 'it' : 'them'}, then complete again.`,
    { extensions: { missing_parts: shown, received_bytes: received, size_bytes: upload.sizeBytes } },
  );
}

/**
 * A text file's characters split across parts: each part's unfinished tail and the next part's
 * leading continuation bytes must make one valid character (or both be empty). A file that is not
 * UTF-8 after all is refused like a first part that is not, and its upload cancelled.
 */
async function checkTextBoundaries(
  deps: AttachmentDeps,
  upload: Upload,
  attachment: Attachment,
  parts: UploadPart[],
): Promise<void> {
  if (!isTextType(ruleOf(attachment))) return;
  for (let i = 0; i + 1 < parts.length; i++) {
    const joint = Buffer.concat([
      parts[i]?.textTail ?? Buffer.alloc(0),
      parts[i + 1]?.textHead ?? Buffer.alloc(0),
    ]);
    if (joint.length === 0 || isUtf8(joint)) continue;
    await closeUpload(deps, upload, 'cancelled', 'content_type_mismatch');
    throw new AppError('content_type_mismatch', 'The file content is not valid UTF-8 text.', {
      extensions: { attachment_id: attachment.id },
    });
  }
}

async function finish(
  deps: AttachmentDeps,
  fileStore: FileStore,
  upload: Upload,
  pending: Attachment,
  parts: UploadPart[],
): Promise<UploadOutcome & { completed: Upload | undefined }> {
  let providerFileId: string;
  try {
    ({ providerFileId } = await stagingOf(deps, upload).complete(
      upload.stagingRef as string,
      parts.map((part) => ({ partNumber: part.partNumber, partRef: part.partRef as string })),
      { sizeBytes: upload.sizeBytes },
    ));
  } catch (err) {
    // The parts are still staged: back to `uploading`, so that the client can complete again.
    await deps.db.transaction(async (tx) => {
      if (await setUploadState(tx, upload.id, ['completing'], 'uploading')) {
        await transition(tx, pending.id, 'pending', { status: 'uploading' });
      }
    });
    throw fileStoreFailure(err, 'upload_failed');
  }
  // The staging area is gone with the join, whatever becomes of the file now.
  const completed = await setUploadState(deps.db, upload.id, ['completing'], 'completed', {
    stagingReleasedAt: new Date(),
  });
  const uploaded = await settleUpload(deps, fileStore, pending, { providerFileId, size: upload.sizeBytes });
  const image =
    ruleOf(pending).kind === 'image' && !pending.imgThumbnail
      ? await readBack(fileStore, providerFileId)
      : null;
  return { ...(await finishUpload(deps, fileStore, uploaded, image)), completed };
}

/**
 * A multi-part image's bytes for its thumbnail, from a store that gives them back (the local store);
 * at most the image limit, which the upload was held to. A store that does not (OpenAI, Azure) has
 * no thumbnail for an image larger than one part: the server never holds the whole image.
 */
async function readBack(fileStore: FileStore, providerFileId: string): Promise<Buffer | null> {
  if (!fileStore.files.read) return null;
  try {
    const { body } = await fileStore.files.read(providerFileId);
    return Buffer.from(await new Response(body).arrayBuffer());
  } catch {
    return null;
  }
}
