import { AppError, notFound } from '@/lib/errors';
import { enqueue } from '@/lib/outbox/store';
import { wakeWorker } from '@/lib/outbox/wake';
import { authorize, type Caller } from '@/lib/policy';
import type { AttachmentDeps } from './deps';
import { findById, findInLiveChat, listLiveInChat, markDeleted } from './store';
import { type AttachmentView, toAttachmentView } from './view';

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

  const deleted = await deps.db.transaction(async (tx) => {
    const hit = await markDeleted(tx, row.id);
    if (hit) {
      await enqueue(tx, 'attachment_deleted', {
        tenant_id: hit.tenantId,
        chat_id: hit.chatId,
        attachment_id: hit.id,
      });
    }
    return hit;
  });
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
