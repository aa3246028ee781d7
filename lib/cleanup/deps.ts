import type { Db } from '@/lib/db';
import type { FileStore, FileStoreId } from '@/lib/file-stores/ports';
import type { CleanupMetrics, WorkerMetrics } from '@/lib/metrics';
import type { WorkerConfig } from '@/lib/outbox/config';

/** What the cleanup handlers, the reaper and reconciliation work with. */
export interface CleanupDeps {
  db: Db;
  /** By the provider that stored the object (the row's `provider`), never by a storage label. */
  fileStores: (id: FileStoreId) => FileStore;
  metrics: CleanupMetrics & WorkerMetrics;
  config: WorkerConfig;
  /** Epoch ms. */
  clock: () => number;
}
