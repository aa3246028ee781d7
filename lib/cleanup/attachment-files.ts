import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { Db, Queryable } from '@/lib/db';
import { type Attachment, attachments, chats, chatVectorStores } from '@/lib/db/schema';
import type { FileStoreId } from '@/lib/file-stores/ports';
import { errorFields, errorText, log } from '@/lib/log';
import type { CleanupMetrics } from '@/lib/metrics';
import type { CleanupDeps } from './deps';
import { failureReason } from './failure';

export type CleanupTarget = Pick<Attachment, 'id' | 'provider' | 'providerFileId'>;

export type CleanupOutcome = { status: 'done' } | { status: 'pending' | 'failed'; error: unknown };

/**
 * Attachments with what their cleanup and indexing need to know: whether their chat is deleted,
 * and the chat's vector store at the attachment's own provider (null when there is none).
 */
export function selectWithChatStore(db: Db) {
  return db
    .select({
      id: attachments.id,
      provider: attachments.provider,
      providerFileId: attachments.providerFileId,
      cleanupStatus: attachments.cleanupStatus,
      updatedAt: attachments.updatedAt,
      deletedAt: attachments.deletedAt,
      chatDeletedAt: chats.deletedAt,
      vectorStoreId: chatVectorStores.vectorStoreId,
    })
    .from(attachments)
    .innerJoin(chats, eq(chats.id, attachments.chatId))
    .leftJoin(
      chatVectorStores,
      and(
        eq(chatVectorStores.chatId, attachments.chatId),
        eq(chatVectorStores.provider, attachments.provider),
      ),
    );
}

export type WithChatStore = Awaited<ReturnType<typeof selectWithChatStore>>[number];

const stillPending = (where: SQL) => and(where, eq(attachments.cleanupStatus, 'pending'));

/**
 * One attachment's provider cleanup: out of the chat's vector store (when one is named), then the
 * file deleted; a 404 counts as deleted. Success marks the cleanup `done`; a failure counts an
 * attempt, and the last allowed attempt marks it `failed`. Every change is a compare-and-set on
 * `pending`, so a second delivery of the same work changes nothing.
 */
export async function cleanAttachment(
  deps: CleanupDeps,
  row: CleanupTarget,
  vectorStoreId: string | null,
): Promise<CleanupOutcome> {
  const fileId = row.providerFileId;
  try {
    if (fileId) {
      const provider = deps.fileStores(row.provider as FileStoreId);
      if (vectorStoreId) await provider.vectorStores.removeFile(vectorStoreId, fileId);
      await provider.files.delete(fileId);
    }
  } catch (err) {
    const status = await recordFailure(deps, row.id, err);
    // Settled meanwhile by another delivery: nothing is left to retry.
    return status === 'settled' ? { status: 'done' } : { status, error: err };
  }
  const done = await deps.db
    .update(attachments)
    .set({ cleanupStatus: 'done', lastCleanupError: null, cleanupUpdatedAt: sql`now()` })
    .where(stillPending(eq(attachments.id, row.id)))
    .returning({ id: attachments.id });
  if (done.length > 0 && fileId) deps.metrics.cleanupCompleted('file');
  return { status: 'done' };
}

async function recordFailure(
  deps: CleanupDeps,
  id: string,
  err: unknown,
): Promise<'pending' | 'failed' | 'settled'> {
  const attempts = sql`${attachments.cleanupAttempts} + 1`;
  const [row] = await deps.db
    .update(attachments)
    .set({
      cleanupAttempts: attempts,
      cleanupStatus: sql`case when ${attempts} >= ${deps.config.maxAttempts} then 'failed' else 'pending' end`,
      lastCleanupError: errorText(err),
      cleanupUpdatedAt: sql`now()`,
    })
    .where(stillPending(eq(attachments.id, id)))
    .returning({ status: attachments.cleanupStatus, attempts: attachments.cleanupAttempts });
  if (!row) return 'settled';
  log.warn(
    { attachment_id: id, attempt: row.attempts, err: errorFields(err) },
    'provider file cleanup failed',
  );
  if (row.status === 'failed') {
    deps.metrics.cleanupFailed('file');
    return 'failed';
  }
  deps.metrics.cleanupRetry('file', failureReason(err));
  return 'pending';
}

/**
 * The end of a dead job: cleanups it left `pending` become `failed` with its last error, for an
 * operator (and reconciliation) to pick up.
 */
export async function failPendingCleanups(
  q: Queryable,
  metrics: CleanupMetrics,
  where: SQL,
  error: string,
): Promise<void> {
  const failed = await q
    .update(attachments)
    .set({ cleanupStatus: 'failed', lastCleanupError: error, cleanupUpdatedAt: sql`now()` })
    .where(stillPending(where))
    .returning({ id: attachments.id });
  if (failed.length > 0) metrics.cleanupFailed('file', failed.length);
}

/** Failed cleanups handed back to the worker (their job revived): `pending` again, attempts afresh. */
export async function reopenFailedCleanups(q: Queryable, where: SQL): Promise<number> {
  const reopened = await q
    .update(attachments)
    .set({ cleanupStatus: 'pending', cleanupAttempts: 0, cleanupUpdatedAt: sql`now()` })
    .where(and(where, eq(attachments.cleanupStatus, 'failed')))
    .returning({ id: attachments.id });
  return reopened.length;
}
