import { and, asc, eq, inArray, isNotNull, isNull, sql } from 'drizzle-orm';
import type { Db, Queryable } from '@/lib/db';
import {
  type Attachment,
  attachments,
  chats,
  type Upload,
  type UploadPart,
  type UploadState,
  uploadParts,
  uploads,
} from '@/lib/db/schema';
import { notFound } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import type { OwnerScope } from '@/lib/policy';

/** The rows of chunked uploads: every state change a compare-and-set, like the attachment's. */

export interface UploadWithAttachment {
  upload: Upload;
  attachment: Attachment;
}

/** The caller's own upload in a live chat; 404 for anyone else's, exactly like a missing one. */
export async function findUpload(db: Db, scope: OwnerScope, uploadId: string): Promise<UploadWithAttachment> {
  if (!isUuid(uploadId)) throw notFound('Upload');
  const [row] = await db
    .select({ upload: uploads, attachment: attachments })
    .from(uploads)
    .innerJoin(attachments, eq(attachments.id, uploads.attachmentId))
    .innerJoin(chats, eq(chats.id, uploads.chatId))
    .where(
      and(
        eq(uploads.id, uploadId),
        eq(uploads.tenantId, scope.tenantId),
        eq(uploads.userId, scope.userId),
        isNull(chats.deletedAt),
      ),
    );
  if (!row) throw notFound('Upload');
  return row;
}

/** Compare-and-set of an upload's state. */
export async function setUploadState(
  q: Queryable,
  id: string,
  from: UploadState[],
  to: UploadState,
  set: Partial<typeof uploads.$inferInsert> = {},
): Promise<Upload | undefined> {
  const [row] = await q
    .update(uploads)
    .set({ ...set, state: to, updatedAt: sql`now()` })
    .where(and(eq(uploads.id, id), inArray(uploads.state, from)))
    .returning();
  return row;
}

/** Records where the staging area is, while the upload is still open (a cancel may have come first). */
export async function setStagingRef(q: Queryable, id: string, ref: string, expiresAt: Date) {
  const [row] = await q
    .update(uploads)
    .set({ stagingRef: ref, expiresAt, updatedAt: sql`now()` })
    .where(and(eq(uploads.id, id), eq(uploads.state, 'uploading')))
    .returning();
  return row;
}

export async function markStagingReleased(q: Queryable, id: string) {
  await q.update(uploads).set({ stagingReleasedAt: sql`now()` }).where(eq(uploads.id, id));
}

/** The parts whose bytes are staged, in order. */
export async function stagedParts(q: Queryable, uploadId: string): Promise<UploadPart[]> {
  return q
    .select()
    .from(uploadParts)
    .where(and(eq(uploadParts.uploadId, uploadId), isNotNull(uploadParts.partRef)))
    .orderBy(asc(uploadParts.partNumber));
}

/**
 * Claims a part number for these bytes: the row inserted now, or the row an earlier request wrote
 * (same number), to compare digests with. The claim is what keeps two different contents of one
 * part from both reaching the staging area.
 */
export async function claimPart(
  q: Queryable,
  part: Omit<typeof uploadParts.$inferInsert, 'partRef' | 'createdAt'>,
): Promise<{ claimed: boolean; part: UploadPart }> {
  const [inserted] = await q.insert(uploadParts).values(part).onConflictDoNothing().returning();
  if (inserted) return { claimed: true, part: inserted };
  const [existing] = await q
    .select()
    .from(uploadParts)
    .where(and(eq(uploadParts.uploadId, part.uploadId), eq(uploadParts.partNumber, part.partNumber)));
  if (!existing) return claimPart(q, part);
  return { claimed: false, part: existing };
}

/**
 * Records a staged part on its claim. Upserted, for a claim given back by a failed request of the
 * same bytes meanwhile; never over a claim by other bytes (then undefined). Answers the upload's
 * state as this statement sees it, after the part was staged: a cancel or expiry that came first
 * shows here, without reading the upload again.
 */
export async function recordPart(
  q: Queryable,
  part: { uploadId: string; partNumber: number; sizeBytes: number; sha256: string },
  staged: { partRef: string; edges: { textHead: Buffer; textTail: Buffer } | null },
): Promise<UploadState | undefined> {
  const set = { partRef: staged.partRef, ...(staged.edges ?? {}) };
  const [row] = await q
    .insert(uploadParts)
    .values({ ...part, ...set })
    .onConflictDoUpdate({
      target: [uploadParts.uploadId, uploadParts.partNumber],
      set,
      setWhere: sql`${uploadParts.sha256} = ${part.sha256}`,
    })
    .returning({
      uploadState: sql<UploadState>`(select ${uploads.state} from ${uploads} where ${uploads.id} = ${part.uploadId})`,
    });
  return row?.uploadState;
}

/**
 * Gives a claim back when its bytes could not be staged, so the same part can be sent again; only
 * a claim for these bytes, never one that other bytes made since.
 */
export async function releaseClaim(q: Queryable, uploadId: string, partNumber: number, sha256: string) {
  await q
    .delete(uploadParts)
    .where(
      and(
        eq(uploadParts.uploadId, uploadId),
        eq(uploadParts.partNumber, partNumber),
        eq(uploadParts.sha256, sha256),
        isNull(uploadParts.partRef),
      ),
    );
}
