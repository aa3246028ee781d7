import { eq, type SQL } from 'drizzle-orm';
import type { Tx } from '@/lib/db';
import { attachments } from '@/lib/db/schema';
import { AppError, notFound, validationError } from '@/lib/errors';
import { FileStoreError, type FileStoreId, type StoredBytes } from '@/lib/file-stores/ports';
import type { FileContent } from '@/lib/http/file-response';
import { answerRange } from '@/lib/http/range';
import { enqueueMany } from '@/lib/outbox/store';
import { wakeWorker } from '@/lib/outbox/wake';
import { authorize, type Caller } from '@/lib/policy';
import type { AttachmentDeps } from './deps';
import { fileStoreFailure } from './file-store-errors';
import { type DeletedAttachment, findById, findInLiveChat, listLiveInChat, markDeleted } from './store';
import { type AttachmentView, canOpen, toAttachmentView } from './view';

/** The reads and the delete of a chat's attachments; uploads are in `upload/`. */

export async function listAttachments(deps: AttachmentDeps, caller: Caller | null, chatId: string) {
  const scope = authorize(caller, 'attachment.read');
  const rows = await listLiveInChat(deps.db, scope, chatId);
  return rows.map(toAttachmentView);
}

export async function getAttachment(
  deps: AttachmentDeps,
  caller: Caller | null,
  chatId: string,
  attachmentId: string,
): Promise<AttachmentView> {
  const row = await findInLiveChat(deps.db, authorize(caller, 'attachment.read'), chatId, attachmentId);
  if (row.deletedAt) throw notFound('Attachment');
  return toAttachmentView(row);
}

export async function getThumbnail(
  deps: AttachmentDeps,
  caller: Caller | null,
  chatId: string,
  attachmentId: string,
): Promise<Buffer> {
  const row = await findInLiveChat(deps.db, authorize(caller, 'attachment.read'), chatId, attachmentId);
  if (row.deletedAt || !row.imgThumbnail) throw notFound('Thumbnail');
  return row.imgThumbnail;
}

/**
 * The only types ever sent inline: those a browser shows in its own viewer (PDF, raster images).
 * Anything else, text and HTML above all, is sent to be saved, whatever the request asks.
 */
const INLINE_TYPES = new Set(['application/pdf', 'image/png', 'image/jpeg', 'image/webp', 'image/gif']);

export interface ContentRequest {
  range: string | null;
  ifRange: string | null;
  /** `?disposition=`: `attachment` (the default) to save the file, `inline` to show it. */
  disposition: string | null;
  /** HEAD: the headers only. */
  headOnly: boolean;
}

/**
 * The original bytes of a stored attachment (`uploaded` or `ready`), whole or one range, from a
 * store that gives them back; 404 for anything the caller cannot see, exactly like a missing one.
 */
export async function openContent(
  deps: AttachmentDeps,
  caller: Caller | null,
  chatId: string,
  attachmentId: string,
  request: ContentRequest,
): Promise<FileContent> {
  const scope = authorize(caller, 'attachment.read');
  const disposition = request.disposition ?? 'attachment';
  if (disposition !== 'attachment' && disposition !== 'inline') {
    throw validationError('disposition must be attachment or inline.', [
      { field: 'disposition', message: 'Use attachment or inline.' },
    ]);
  }
  const row = await findInLiveChat(deps.db, scope, chatId, attachmentId);
  if (row.deletedAt || (row.status !== 'uploaded' && row.status !== 'ready') || !row.providerFileId) {
    throw notFound('Attachment');
  }
  const files = canOpen(row) ? deps.fileStores(row.provider as FileStoreId).files : undefined;
  if (!files?.read) {
    throw new AppError(
      'content_unavailable',
      'The original is kept by the model provider and cannot be downloaded.',
    );
  }

  // An attachment's bytes never change, so its id is a strong validator.
  const etag = `"${row.id}"`;
  const asked = request.ifRange === null || request.ifRange === etag ? request.range : null;
  const answer = answerRange(asked, row.sizeBytes);
  if (answer.kind === 'unsatisfiable') {
    throw new AppError('range_not_satisfiable', `The file has ${row.sizeBytes} bytes.`, {
      headers: { 'content-range': `bytes */${row.sizeBytes}` },
    });
  }
  const range = answer.kind === 'part' ? answer.range : undefined;
  let stored: StoredBytes;
  try {
    stored = await files.read(row.providerFileId, range);
  } catch (err) {
    // Deleted since the row was read.
    if (err instanceof FileStoreError && err.status === 404) throw notFound('Attachment');
    throw fileStoreFailure(err, 'provider_unavailable');
  }
  if (request.headOnly) await stored.body.cancel();
  return {
    filename: row.filename,
    contentType: row.contentType,
    disposition: disposition === 'inline' && INLINE_TYPES.has(row.contentType) ? 'inline' : 'attachment',
    size: stored.size,
    ...(range ? { range } : {}),
    etag,
    body: request.headOnly ? null : stored.body,
  };
}

/**
 * 404 for an attachment the caller cannot see, 403 for someone else's upload, done at once when
 * already deleted; then one transaction soft-deletes it (unless a message holds it) and enqueues
 * the cleanup of its file. The row's cleanup is marked pending, so the worker can count retries.
 */
export async function deleteAttachment(
  deps: AttachmentDeps,
  caller: Caller | null,
  chatId: string,
  attachmentId: string,
): Promise<void> {
  const scope = authorize(caller, 'attachment.delete');
  const row = await findInLiveChat(deps.db, scope, chatId, attachmentId);
  if (row.uploadedByUserId !== scope.userId)
    throw new AppError('forbidden', 'Only the uploader can delete this file.');
  if (row.deletedAt) return;

  const [deleted] = await deps.db.transaction((tx) => deleteAttachments(tx, eq(attachments.id, row.id)));
  if (deleted) {
    // Picked up now rather than at the worker's next poll: the file should not outlive its row long.
    wakeWorker();
    return;
  }
  const again = await findById(deps.db, row.id);
  if (!again || again.deletedAt) return;
  throw new AppError(
    'attachment_locked',
    'Attachment is referenced by one or more messages and cannot be deleted.',
  );
}

/**
 * The one way attachments are deleted, in the caller's transaction: soft-delete the rows (see
 * `markDeleted` for `byAdmin`) and enqueue each file's cleanup, which takes it out of its vector
 * store and off the provider. The caller wakes the worker once the transaction has committed.
 */
export async function deleteAttachments(
  tx: Tx,
  target: SQL,
  options: { byAdmin?: boolean } = {},
): Promise<DeletedAttachment[]> {
  const deleted = await markDeleted(tx, target, options);
  await enqueueMany(
    tx,
    'attachment_deleted',
    deleted.map((hit) => ({ tenant_id: hit.tenantId, chat_id: hit.chatId, attachment_id: hit.id })),
  );
  return deleted;
}
