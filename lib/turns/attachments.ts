import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import type { Queryable } from '@/lib/db';
import { type Attachment, attachments } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import type { OwnerScope } from '@/lib/policy';
import { MAX_IMAGES_PER_MESSAGE } from './limits';

const invalid = (detail: string) => new AppError('invalid_attachment', detail);
const NOT_FOUND = 'Attachment(s) not found.';

/**
 * The attachments a message is sent with, checked (another user's attachment is simply not
 * found, so nothing says it exists) and locked in the sending transaction. Locking writes
 * `locked_at`, so a delete racing the send either commits first (and the lock below finds the row
 * deleted) or waits and then sees the lock.
 */
export async function lockMessageAttachments(
  tx: Queryable,
  scope: OwnerScope,
  chatId: string,
  ids: string[],
): Promise<Attachment[]> {
  if (ids.length === 0) return [];
  if (new Set(ids).size !== ids.length) throw invalid('Duplicate attachment IDs in request.');
  if (!ids.every(isUuid)) throw invalid(NOT_FOUND);
  // Scoped to the sender's own attachments: another user's, in this tenant or another, is as
  // unknown as a made-up id, so no answer below tells that it exists, or in which chat.
  const rows = await tx
    .select()
    .from(attachments)
    .where(
      and(
        inArray(attachments.id, ids),
        eq(attachments.tenantId, scope.tenantId),
        eq(attachments.uploadedByUserId, scope.userId),
      ),
    );
  const byId = new Map(rows.map((row) => [row.id, row]));
  for (const id of ids) {
    const row = byId.get(id);
    if (!row) throw invalid(NOT_FOUND);
    // The sender's own attachments: naming why one is refused tells them nothing new.
    if (row.chatId !== chatId) throw invalid(`Attachment ${id} does not belong to chat.`);
    if (row.deletedAt) throw invalid(`Attachment ${id} has been deleted.`);
    if (row.status !== 'ready') throw invalid(`Attachment ${id} is not ready.`);
  }
  const locked = await tx
    .update(attachments)
    .set({
      lockedAt: sql`coalesce(${attachments.lockedAt}, now())`,
      lastSentAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        inArray(attachments.id, ids),
        eq(attachments.chatId, chatId),
        eq(attachments.uploadedByUserId, scope.userId),
        eq(attachments.status, 'ready'),
        isNull(attachments.deletedAt),
      ),
    )
    .returning();
  // Fewer rows than checked: one was deleted between the read and the lock.
  if (locked.length !== ids.length) throw invalid('An attachment has been deleted.');
  const order = new Map(ids.map((id, i) => [id, i]));
  return locked.sort((a, b) => (order.get(a.id) ?? 0) - (order.get(b.id) ?? 0));
}

/**
 * A message carries at most four images, unless the tenant turned images off. Any model takes
 * them: one without vision gets the text only (the plan leaves the images out and says so).
 */
export function checkImages(sent: Attachment[], imagesEnabled: boolean, maxImages = MAX_IMAGES_PER_MESSAGE) {
  const images = sent.filter((a) => a.kind === 'image').length;
  if (images === 0) return;
  if (images > maxImages) {
    throw new AppError(
      'too_many_images',
      `A message can carry at most ${maxImages} images; this one has ${images}.`,
    );
  }
  if (!imagesEnabled) throw new AppError('images_disabled', 'Images are turned off for your organisation.');
}
