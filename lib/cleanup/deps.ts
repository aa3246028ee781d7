import type { Db } from '../db';
import type { CleanupMetrics, WorkerMetrics } from '../metrics';
import type { WorkerConfig } from '../outbox/config';
import type { AttachmentProvider, ProviderId } from '../providers/ports';

/** What the cleanup handlers, the reaper and reconciliation work with. */
export interface CleanupDeps {
  db: Db;
  /** By the provider that stored the object (the row's `provider`), never by a storage label. */
  providers: (id: ProviderId) => AttachmentProvider;
  metrics: CleanupMetrics & WorkerMetrics;
  config: WorkerConfig;
  /** Epoch ms. */
  clock: () => number;
}
