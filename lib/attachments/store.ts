import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { loadLiveChat } from '@/lib/chats/queries';
import type { Db, Queryable } from '@/lib/db';
import { type Attachment, type AttachmentStatus, attachments } from '@/lib/db/schema';
import { notFound } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import type { Scope } from '@/lib/policy';

/**
 * Every status change is a compare-and-set on the expected status of a row that is not deleted.
 * Only the reaper settles deleted rows too (`includeDeleted`), so that no row stays unfinished.
 */
export async function transition(
  q: Queryable,
  id: string,
  from: AttachmentStatus,
  set: Partial<typeof attachments.$inferInsert>,
  options: { includeDeleted?: boolean } = {},
): Promise<Attachment | undefined> {
  const [row] = await q
    .update(attachments)
    .set({ ...set, updatedAt: sql`now()` })
    .where(
      and(
        eq(attachments.id, id),
        eq(attachments.status, from),
        options.includeDeleted ? undefined : isNull(attachments.deletedAt),
      ),
    )
    .returning();
  return row;
}

/** A new upload's row: `pending` until its bytes are stored (`uploading` first for a chunked upload). */
export async function insertPendingRow(
  tx: Queryable,
  status: 'pending' | 'uploading',
  values: Omit<typeof attachments.$inferInsert, 'status'>,
): Promise<Attachment> {
  const [row] = await tx
    .insert(attachments)
    .values({ ...values, status })
    .returning();
  return row as Attachment;
}

/** An attachment of a live chat of the scope, deleted or not; 404 for anything else. */
export async function findInLiveChat(
  db: Db,
  scope: Scope,
  chatId: string,
  attachmentId: string,
): Promise<Attachment> {
  await loadLiveChat(db, scope, chatId);
  if (!isUuid(attachmentId)) throw notFound('Attachment');
  const [row] = await db
    .select()
    .from(attachments)
    .where(
      and(
        eq(attachments.id, attachmentId),
        eq(attachments.chatId, chatId),
        eq(attachments.tenantId, scope.tenantId),
      ),
    );
  if (!row) throw notFound('Attachment');
  return row;
}

/** The attachments of a live chat of the scope that are not deleted, oldest first. */
export async function listLiveInChat(db: Db, scope: Scope, chatId: string): Promise<Attachment[]> {
  await loadLiveChat(db, scope, chatId);
  return db
    .select()
    .from(attachments)
    .where(
      and(
        eq(attachments.chatId, chatId),
        eq(attachments.tenantId, scope.tenantId),
        isNull(attachments.deletedAt),
      ),
    )
    .orderBy(asc(attachments.createdAt), asc(attachments.id));
}

/**
 * Soft-deletes an attachment no message holds, and marks its file for cleanup; undefined when the
 * row is deleted already or locked.
 */
export async function markDeleted(tx: Queryable, id: string): Promise<Attachment | undefined> {
  const [row] = await tx
    .update(attachments)
    .set({
      deletedAt: sql`now()`,
      cleanupStatus: 'pending',
      cleanupUpdatedAt: sql`now()`,
      updatedAt: sql`now()`,
    })
    .where(
      and(
        eq(attachments.id, id),
        isNull(attachments.deletedAt),
        // A send that locks the row concurrently writes a new version; Postgres re-checks this
        // condition on it, so the delete either wins before the link or sees the lock.
        isNull(attachments.lockedAt),
      ),
    )
    .returning();
  return row;
}

export async function findById(q: Queryable, id: string): Promise<Attachment | undefined> {
  const [row] = await q.select().from(attachments).where(eq(attachments.id, id));
  return row;
}
