import { and, eq, inArray, lt, sql } from 'drizzle-orm';
import { sweepUploads } from '@/lib/attachments/chunked/close';
import { transition } from '@/lib/attachments/store';
import { pruneRevokedSessions } from '@/lib/auth/sessions';
import { pruneThrottles } from '@/lib/auth/throttle';
import { attachments } from '@/lib/db/schema';
import { parseStoredFilename } from '@/lib/file-stores/naming';
import {
  type FileStore,
  FileStoreError,
  type FileStoreId,
  type VectorStoreFileState,
} from '@/lib/file-stores/ports';
import { errorFields, log } from '@/lib/log';
import type { ReaperOutcome } from '@/lib/metrics';
import { pruneCompleted } from '@/lib/outbox/store';
import { reapOrphanTurns } from '@/lib/turns/store';
import { selectWithChatStore, type WithChatStore } from './attachment-files';
import type { CleanupDeps } from './deps';

export interface ReapReport {
  orphanTurns: number;
  interrupted: number;
  /** Chunked uploads expired (their reservations released, their staged parts removed). */
  expiredUploads: number;
  settled: number;
  resumed: number;
  pruned: number;
  /** Sign-in throttles whose attempts are forgotten, and revoked sessions that have expired. */
  authPruned: number;
}

/** Rows looked at per pass; a larger backlog is worked off over the following passes. */
const BATCH = 100;
/** Provider clocks and ours differ: look for a file this much before its row was written. */
const CLOCK_SLACK_MS = 5 * 60_000;

/**
 * Brings work a dead process left behind to an end: answers whose stream died, interrupted uploads, expired
 * chunked uploads, documents whose
 * indexing nobody is watching any more; and prunes old completed outbox jobs and spent sign-in records.
 */
export async function reap(deps: CleanupDeps): Promise<ReapReport> {
  const now = deps.clock();
  const orphanTurns = await reapOrphanTurns(deps.db, deps.config.orphanTurnTimeoutMs);
  if (orphanTurns > 0) {
    deps.metrics.orphanTurnsFinalized(orphanTurns);
    log.warn({ count: orphanTurns }, 'running turns without progress failed as orphan_timeout');
  }
  const interrupted = await reapInterruptedUploads(deps, new Date(now - deps.config.pendingTimeoutMs));
  const expiredUploads = await sweepUploads(deps, new Date(now), BATCH);
  if (expiredUploads > 0) deps.metrics.reaped('upload_expired', expiredUploads);
  const { settled, resumed } = await settleIndexing(deps, now);
  const pruned = await pruneCompleted(deps.db, new Date(now - deps.config.retentionMs));
  const authPruned =
    (await pruneThrottles(deps.db, new Date(now))) + (await pruneRevokedSessions(deps.db, new Date(now)));
  return { orphanTurns, interrupted, expiredUploads, settled, resumed, pruned, authPruned };
}

/**
 * `pending` for too long: the upload's process died. The row fails with `upload_interrupted`
 * (deleted rows too, so no row stays non-terminal), and any file the upload had already created
 * is found by its structured name and deleted. The row fails even when the provider cannot be
 * asked: a file left behind then has no live row, and reconciliation deletes it.
 */
async function reapInterruptedUploads(deps: CleanupDeps, cutoff: Date): Promise<number> {
  const rows = await deps.db
    .select({ id: attachments.id, provider: attachments.provider, createdAt: attachments.createdAt })
    .from(attachments)
    .where(and(eq(attachments.status, 'pending'), lt(attachments.updatedAt, cutoff)))
    .limit(BATCH);
  if (rows.length === 0) return 0;
  for (const [providerId, group] of groupBy(rows, (row) => row.provider)) {
    await deleteFilesOf(deps, providerId as FileStoreId, group).catch((err: unknown) =>
      log.warn(
        { provider: providerId, err: errorFields(err) },
        'interrupted uploads: provider files not found',
      ),
    );
  }
  const failed = await deps.db
    .update(attachments)
    .set({ status: 'failed', errorCode: 'upload_interrupted', updatedAt: sql`now()` })
    .where(
      and(
        inArray(
          attachments.id,
          rows.map((row) => row.id),
        ),
        eq(attachments.status, 'pending'),
      ),
    )
    .returning({ id: attachments.id });
  if (failed.length > 0) {
    deps.metrics.reaped('upload_interrupted', failed.length);
    log.warn({ count: failed.length }, 'interrupted uploads failed');
  }
  return failed.length;
}

async function deleteFilesOf(
  deps: CleanupDeps,
  providerId: FileStoreId,
  rows: { id: string; createdAt: Date }[],
): Promise<void> {
  const provider = deps.fileStores(providerId);
  const wanted = new Set(rows.map((row) => row.id));
  const since = Math.min(...rows.map((row) => row.createdAt.getTime())) - CLOCK_SLACK_MS;
  const found: string[] = [];
  for await (const file of provider.files.list({ createdAfter: new Date(since) })) {
    const parsed = parseStoredFilename(file.name);
    if (parsed && wanted.has(parsed.attachmentId)) found.push(file.id);
  }
  // Deleted after the listing, not during it: a cursor must not point at a deleted file.
  for (const id of found) await provider.files.delete(id);
}

/**
 * `uploaded` documents nobody is watching: the provider is asked again where the indexing stands.
 * Completed → `ready`; failed → `failed` (with the provider's reason when a client may see it);
 * not in the store at all (the process died before adding it) → added again; still not searchable
 * after the give-up time → `failed` with `indexing_timeout`. A deleted document just fails: its
 * cleanup job deletes the file.
 */
async function settleIndexing(deps: CleanupDeps, now: number): Promise<{ settled: number; resumed: number }> {
  const rows = await selectWithChatStore(deps.db)
    .where(
      and(
        eq(attachments.status, 'uploaded'),
        lt(attachments.updatedAt, new Date(now - deps.config.indexingCheckAfterMs)),
      ),
    )
    .limit(BATCH);
  let settled = 0;
  let resumed = 0;
  for (const row of rows) {
    try {
      const outcome = await checkIndexing(
        deps,
        row,
        now - row.updatedAt.getTime() > deps.config.indexingGiveUpMs,
      );
      if (outcome === 'indexing_resumed') {
        resumed++;
        deps.metrics.reaped(outcome);
      } else if (outcome && (await settle(deps, row, outcome))) {
        settled++;
      }
    } catch (err) {
      log.warn({ attachment_id: row.id, err: errorFields(err) }, 'indexing check failed');
    }
  }
  return { settled, resumed };
}

/** What became of a document's indexing; undefined while it is still worth waiting for. */
async function checkIndexing(
  deps: CleanupDeps,
  row: WithChatStore,
  givingUp: boolean,
): Promise<ReaperOutcome | undefined> {
  if (row.deletedAt || row.chatDeletedAt) return 'deleted';
  if (!row.vectorStoreId || !row.providerFileId) return 'indexing_failed';
  const provider = deps.fileStores(row.provider as FileStoreId);
  let state: VectorStoreFileState;
  try {
    state = await provider.vectorStores.fileStatus(row.vectorStoreId, row.providerFileId);
  } catch (err) {
    if (givingUp) return 'indexing_timeout';
    if (!(err instanceof FileStoreError && err.status === 404)) throw err;
    await provider.vectorStores.addFile(row.vectorStoreId, row.providerFileId, { attachment_id: row.id });
    return 'indexing_resumed';
  }
  if (state.status === 'completed') return 'ready';
  if (state.status === 'failed' || state.status === 'cancelled') return state.error ?? 'indexing_failed';
  return givingUp ? 'indexing_timeout' : undefined;
}

/** Compare-and-set from `uploaded`; a failed document's provider file goes too, best effort. */
async function settle(deps: CleanupDeps, row: WithChatStore, outcome: ReaperOutcome): Promise<boolean> {
  const ready = outcome === 'ready';
  const hit = await transition(
    deps.db,
    row.id,
    'uploaded',
    { status: ready ? 'ready' : 'failed', errorCode: ready ? null : outcome },
    { includeDeleted: true },
  );
  if (!hit) return false;
  deps.metrics.reaped(outcome);
  // A deleted document's file is its cleanup job's to delete.
  if (!ready && outcome !== 'deleted' && row.providerFileId) {
    await removeQuietly(deps.fileStores(row.provider as FileStoreId), row.vectorStoreId, row.providerFileId);
  }
  return true;
}

async function removeQuietly(provider: FileStore, vectorStoreId: string | null, fileId: string) {
  try {
    if (vectorStoreId) await provider.vectorStores.removeFile(vectorStoreId, fileId);
    await provider.files.delete(fileId);
  } catch (err) {
    // No live row references the file now: reconciliation deletes it.
    log.warn({ err: errorFields(err) }, 'failed document: provider file not deleted');
  }
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
