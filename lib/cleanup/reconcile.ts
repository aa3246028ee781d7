import { and, eq, inArray, or, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { attachments, chats, chatVectorStores } from '@/lib/db/schema';
import { parseStoredFilename, parseVectorStoreName } from '@/lib/file-stores/naming';
import { FILE_STORE_IDS, type FileStore, type FileStoreId, type StoredObject } from '@/lib/file-stores/ports';
import { errorFields, log } from '@/lib/log';
import type { CleanupDeps } from './deps';
import { reconcileTemporaries, type TemporaryCounts } from './temporaries';

export interface ObjectCounts {
  /** Listed by the provider. */
  scanned: number;
  /** Not provably ours (another app's, or another deployment's): never touched. */
  foreign: number;
  /** Younger than the minimum age: their rows may still be being written. */
  young: number;
  /** Ours, and referenced by a live row. */
  kept: number;
  /** Ours with no live row: deleted (or, in a dry run, would be). */
  orphaned: number;
  /** Orphans whose delete failed; the next run tries again. */
  failed: number;
}

export type ProviderReport =
  | {
      files: ObjectCounts;
      vector_stores: ObjectCounts;
      /** Only for a store that writes temporaries (temp files, staged parts). */
      temporaries?: TemporaryCounts;
      failed_cleanups_resolved: number;
    }
  | { skipped: string };

export interface ReconcileReport {
  dry_run: boolean;
  providers: Partial<Record<FileStoreId, ProviderReport>>;
}

/** Ids per lookup query, well inside Postgres' bind-parameter limit. */
const LOOKUP_BATCH = 1000;

const zero = (): ObjectCounts => ({ scanned: 0, foreign: 0, young: 0, kept: 0, orphaned: 0, failed: 0 });

/**
 * Deletes the provider files and vector stores that carry our naming but that no live row
 * references, and reports what it did. An object is ours only when its name leads to a chat in
 * our database (or our tables name it), so another application's objects, or another
 * deployment's sharing the same account, are never touched.
 */
export async function reconcile(
  deps: CleanupDeps,
  options: { dryRun?: boolean } = {},
): Promise<ReconcileReport> {
  const report: ReconcileReport = { dry_run: options.dryRun ?? false, providers: {} };
  for (const id of FILE_STORE_IDS) {
    let provider: FileStore;
    try {
      provider = deps.fileStores(id);
    } catch {
      report.providers[id] = { skipped: 'not configured' };
      continue;
    }
    try {
      report.providers[id] = await reconcileProvider(deps, provider, report.dry_run);
    } catch (err) {
      log.error({ provider: id, err: errorFields(err) }, 'reconciliation failed');
      report.providers[id] = { skipped: 'provider unavailable' };
    }
  }
  return report;
}

async function reconcileProvider(deps: CleanupDeps, provider: FileStore, dryRun: boolean) {
  const bornBefore = new Date(deps.clock() - deps.config.reconcileMinAgeMs);
  const files = await sweep(deps, provider.files.list(), bornBefore, dryRun, {
    judge: (objects) => judgeFiles(deps.db, objects),
    remove: (id) => provider.files.delete(id),
    resource: 'file',
  });
  const stores = await sweep(deps, provider.vectorStores.list(), bornBefore, dryRun, {
    judge: (objects) => judgeStores(deps.db, objects),
    remove: async (id) => {
      await provider.vectorStores.delete(id);
      await deps.db.delete(chatVectorStores).where(eq(chatVectorStores.vectorStoreId, id));
    },
    resource: 'vector_store',
  });
  const temporaries = await reconcileTemporaries(deps, provider, bornBefore, dryRun);
  const resolved = dryRun ? 0 : await resolveFailedCleanups(deps.db, provider.id, files.remaining);
  return {
    files: files.counts,
    vector_stores: stores.counts,
    ...(temporaries ? { temporaries } : {}),
    failed_cleanups_resolved: resolved,
  };
}

type Verdict = 'foreign' | 'kept' | 'orphaned';

async function sweep(
  deps: CleanupDeps,
  listing: AsyncIterable<StoredObject>,
  bornBefore: Date,
  dryRun: boolean,
  how: {
    judge: (objects: StoredObject[]) => Promise<Map<string, Verdict>>;
    remove: (id: string) => Promise<void>;
    resource: 'file' | 'vector_store';
  },
): Promise<{ counts: ObjectCounts; remaining: string[] }> {
  const counts = zero();
  const old: StoredObject[] = [];
  const remaining: string[] = [];
  for await (const object of listing) {
    counts.scanned++;
    remaining.push(object.id);
    if (object.createdAt > bornBefore) counts.young++;
    else old.push(object);
  }
  const orphans: string[] = [];
  for (let i = 0; i < old.length; i += LOOKUP_BATCH) {
    const verdicts = await how.judge(old.slice(i, i + LOOKUP_BATCH));
    for (const [id, verdict] of verdicts) {
      counts[verdict]++;
      if (verdict === 'orphaned') orphans.push(id);
    }
  }
  if (dryRun) return { counts, remaining };
  // Deleted once the listing is complete: paging must not stand on a deleted object.
  const gone = new Set<string>();
  for (const id of orphans) {
    try {
      await how.remove(id);
      gone.add(id);
      deps.metrics.orphanDeleted(how.resource);
    } catch (err) {
      counts.failed++;
      log.warn({ resource: how.resource, err: errorFields(err) }, 'orphan not deleted');
    }
  }
  if (gone.size > 0) log.info({ resource: how.resource, count: gone.size }, 'orphans deleted');
  return { counts, remaining: remaining.filter((id) => !gone.has(id)) };
}

async function knownChats(db: Db, ids: (string | undefined)[]): Promise<Set<string>> {
  const wanted = [...new Set(ids.filter((id): id is string => id !== undefined))];
  if (wanted.length === 0) return new Set();
  const rows = await db.select({ id: chats.id }).from(chats).where(inArray(chats.id, wanted));
  return new Set(rows.map((row) => row.id));
}

/**
 * A file is referenced while its attachment is live (not deleted, in a live chat) and either
 * names this file or is still `pending`: an upload in flight whose file exists before the row
 * can say so.
 */
async function judgeFiles(db: Db, files: StoredObject[]): Promise<Map<string, Verdict>> {
  const parsed = files.map((file) => ({ file, name: parseStoredFilename(file.name) }));
  const ours = await knownChats(
    db,
    parsed.map((p) => p.name?.chatId),
  );
  const attachmentIds = parsed.flatMap((p) =>
    p.name && ours.has(p.name.chatId) ? [p.name.attachmentId] : [],
  );
  const rows =
    attachmentIds.length === 0
      ? []
      : await db
          .select({
            id: attachments.id,
            chatId: attachments.chatId,
            providerFileId: attachments.providerFileId,
            status: attachments.status,
            deletedAt: attachments.deletedAt,
            chatDeletedAt: chats.deletedAt,
          })
          .from(attachments)
          .innerJoin(chats, eq(chats.id, attachments.chatId))
          .where(inArray(attachments.id, attachmentIds));
  const byId = new Map(rows.map((row) => [row.id, row]));
  const verdicts = new Map<string, Verdict>();
  for (const { file, name } of parsed) {
    if (!name || !ours.has(name.chatId)) {
      verdicts.set(file.id, 'foreign');
      continue;
    }
    const row = byId.get(name.attachmentId);
    const live =
      row !== undefined &&
      row.chatId === name.chatId &&
      !row.deletedAt &&
      !row.chatDeletedAt &&
      (row.status === 'pending' || (row.status !== 'failed' && row.providerFileId === file.id));
    verdicts.set(file.id, live ? 'kept' : 'orphaned');
  }
  return verdicts;
}

/**
 * A store is ours when our table names it or its name names one of our chats; it is referenced
 * while a live chat's row names it, or while that chat's store is still being created (the row
 * has no id yet).
 */
async function judgeStores(db: Db, stores: StoredObject[]): Promise<Map<string, Verdict>> {
  const named = stores.map((store) => ({ store, chatId: parseVectorStoreName(store.name) }));
  const ours = await knownChats(
    db,
    named.map((n) => n.chatId),
  );
  const chatIds = [...ours];
  const rows = await db
    .select({
      chatId: chatVectorStores.chatId,
      vectorStoreId: chatVectorStores.vectorStoreId,
      chatDeletedAt: chats.deletedAt,
    })
    .from(chatVectorStores)
    .innerJoin(chats, eq(chats.id, chatVectorStores.chatId))
    .where(
      or(
        inArray(
          chatVectorStores.vectorStoreId,
          stores.map((store) => store.id),
        ),
        chatIds.length > 0 ? inArray(chatVectorStores.chatId, chatIds) : undefined,
      ),
    );
  const verdicts = new Map<string, Verdict>();
  for (const { store, chatId } of named) {
    const row = rows.find((r) => r.vectorStoreId === store.id);
    const creating = rows.some((r) => r.chatId === chatId && r.vectorStoreId === null && !r.chatDeletedAt);
    if (!row && !(chatId && ours.has(chatId))) verdicts.set(store.id, 'foreign');
    else if ((row && !row.chatDeletedAt) || creating) verdicts.set(store.id, 'kept');
    else verdicts.set(store.id, 'orphaned');
  }
  return verdicts;
}

/**
 * Cleanups that failed for good are resolved once their file is gone from the provider (deleted
 * by this run, or by anyone since): the failed backlog then reflects only what is really left.
 */
async function resolveFailedCleanups(db: Db, providerId: FileStoreId, remaining: string[]): Promise<number> {
  // One JSON parameter, however many files the provider holds.
  const listed = sql`select jsonb_array_elements_text(${JSON.stringify(remaining)}::jsonb)`;
  const rows = await db
    .update(attachments)
    .set({ cleanupStatus: 'done', cleanupUpdatedAt: sql`now()` })
    .where(
      and(
        eq(attachments.provider, providerId),
        eq(attachments.cleanupStatus, 'failed'),
        sql`(${attachments.providerFileId} is null or ${attachments.providerFileId} not in (${listed}))`,
      ),
    )
    .returning({ id: attachments.id });
  return rows.length;
}
