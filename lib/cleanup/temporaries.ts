import { eq, inArray } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { attachments, chats } from '@/lib/db/schema';
import { FILE_STORE_IDS, type FileStore, type Temporary } from '@/lib/file-stores/ports';
import { errorFields, log } from '@/lib/log';
import type { CleanupDeps } from './deps';

/**
 * Temp files, staged parts and unfinished multipart uploads that a store wrote for an upload that
 * never finished. The reaper removes the ones whose attachment is over (or was never written, or
 * has not moved within the pending window); reconciliation removes anything past its age
 * threshold that no live upload owns, which covers temporaries named before they carried an
 * attachment id.
 */

export interface TemporaryCounts {
  scanned: number;
  /** Younger than the minimum age: an upload may still be writing them. */
  young: number;
  /** Owned by a live upload. */
  kept: number;
  /** Owned by no live upload: removed (or, in a dry run, would be). */
  orphaned: number;
  /** Orphans whose removal failed; the next run tries again. */
  failed: number;
}

/** Temporaries looked at per reaper pass per store; a larger backlog waits for the next passes. */
const REAP_BATCH = 1000;
/** Ids per lookup query, well inside Postgres' bind-parameter limit. */
const LOOKUP_BATCH = 1000;

/** The attachment statuses of an upload still writing: a single request's, or a chunked one's. */
const UPLOADS_IN_FLIGHT: readonly string[] = ['pending', 'uploading'];

interface Owner {
  status: string;
  updatedAt: Date;
  deleted: boolean;
}

/** The attachments the temporaries name, with what decides whether their upload is still alive. */
async function owners(db: Db, temporaries: Temporary[]): Promise<Map<string, Owner>> {
  const ids = [...new Set(temporaries.flatMap((t) => (t.attachmentId ? [t.attachmentId] : [])))];
  const found = new Map<string, Owner>();
  for (let i = 0; i < ids.length; i += LOOKUP_BATCH) {
    const rows = await db
      .select({
        id: attachments.id,
        status: attachments.status,
        updatedAt: attachments.updatedAt,
        deletedAt: attachments.deletedAt,
        chatDeletedAt: chats.deletedAt,
      })
      .from(attachments)
      .innerJoin(chats, eq(chats.id, attachments.chatId))
      .where(inArray(attachments.id, ids.slice(i, i + LOOKUP_BATCH)));
    for (const row of rows) {
      found.set(row.id, {
        status: row.status,
        updatedAt: row.updatedAt,
        deleted: row.deletedAt !== null || row.chatDeletedAt !== null,
      });
    }
  }
  return found;
}

/** The stores this process can reach that write temporaries. */
function storesWithTemporaries(deps: CleanupDeps): FileStore[] {
  return FILE_STORE_IDS.flatMap((id) => {
    try {
      const store = deps.fileStores(id);
      return store.files.temporaries ? [store] : [];
    } catch {
      return [];
    }
  });
}

/**
 * The reaper's part: removes the temporaries of uploads that are over, whose row never got
 * written (older than `cutoff`) or that have not moved since `cutoff`. A temporary of an upload
 * still `pending` within the window is never touched: that upload may be writing it right now.
 */
export async function reapTemporaries(deps: CleanupDeps, cutoff: Date): Promise<number> {
  let removed = 0;
  for (const store of storesWithTemporaries(deps)) {
    const temporaries = store.files.temporaries;
    if (!temporaries) continue;
    try {
      const named: Temporary[] = [];
      for await (const temporary of temporaries.list()) {
        if (temporary.attachmentId) named.push(temporary);
        if (named.length >= REAP_BATCH) break;
      }
      const byId = await owners(deps.db, named);
      const over = named.filter((t) => {
        const owner = byId.get(t.attachmentId as string);
        if (!owner) return t.createdAt < cutoff;
        if (owner.deleted) return true;
        // A chunked upload's parts wait as long as the upload may be resumed: its expiry, which
        // the upload sweep enforces, not the pending window, says when it is over.
        if (owner.status === 'uploading') return false;
        return owner.status !== 'pending' || owner.updatedAt < cutoff;
      });
      // Removed after the listing, not during it: a listing must not stand on what it removed.
      for (const temporary of over) {
        await temporaries.remove(temporary.ref);
        removed++;
      }
    } catch (err) {
      log.warn({ provider: store.id, err: errorFields(err) }, 'temporaries not reaped');
    }
  }
  if (removed > 0) {
    deps.metrics.leftoverReaped('temporary', removed);
    log.warn({ count: removed }, 'temporaries of dead uploads removed');
  }
  return removed;
}

/**
 * Reconciliation's part: every temporary written before `bornBefore` that no live upload owns
 * (its attachment not deleted, in a live chat, still `pending` or `uploading`) is removed, whatever
 * its name.
 */
export async function reconcileTemporaries(
  deps: CleanupDeps,
  store: FileStore,
  bornBefore: Date,
  dryRun: boolean,
): Promise<TemporaryCounts | undefined> {
  const temporaries = store.files.temporaries;
  if (!temporaries) return undefined;
  const counts: TemporaryCounts = { scanned: 0, young: 0, kept: 0, orphaned: 0, failed: 0 };
  const old: Temporary[] = [];
  for await (const temporary of temporaries.list()) {
    counts.scanned++;
    if (temporary.createdAt > bornBefore) counts.young++;
    else old.push(temporary);
  }
  const byId = await owners(deps.db, old);
  const orphans = old.filter((t) => {
    const owner = t.attachmentId ? byId.get(t.attachmentId) : undefined;
    return !owner || owner.deleted || !UPLOADS_IN_FLIGHT.includes(owner.status);
  });
  counts.kept = old.length - orphans.length;
  counts.orphaned = orphans.length;
  if (dryRun) return counts;
  for (const temporary of orphans) {
    try {
      await temporaries.remove(temporary.ref);
      deps.metrics.orphanDeleted('temporary');
    } catch (err) {
      counts.failed++;
      log.warn({ provider: store.id, err: errorFields(err) }, 'orphan temporary not removed');
    }
  }
  if (orphans.length > counts.failed) {
    log.info({ provider: store.id, count: orphans.length - counts.failed }, 'orphan temporaries removed');
  }
  return counts;
}
