import { z } from 'zod';
import { type Env, loadEnv } from '@/lib/env';

const seconds = z.coerce.number().positive();
const minutes = z.coerce.number().positive();
const count = z.coerce.number().int().positive();

const envSchema = z.object({
  OUTBOX_MAX_ATTEMPTS: count.max(100).default(5),
  OUTBOX_LEASE_SECONDS: seconds.default(60),
  OUTBOX_BATCH_SIZE: count.max(100).default(10),
  OUTBOX_RETENTION_DAYS: count.default(7),
  WORKER_POLL_SECONDS: seconds.default(5),
  REAPER_INTERVAL_SECONDS: seconds.default(60),
  REAPER_PENDING_MINUTES: minutes.default(15),
  REAPER_INDEXING_MINUTES: minutes.default(5),
  REAPER_INDEXING_GIVE_UP_MINUTES: minutes.default(60),
  RECONCILE_MIN_AGE_MINUTES: minutes.default(60),
  REAPER_TURN_ORPHAN_SECONDS: seconds.min(60).default(300),
});

/** Outbox, reaper and reconciliation timings: every one injectable so tests need not wait. */
export interface WorkerConfig {
  /** Deliveries of a job, and provider attempts of a cleanup, before giving up. */
  maxAttempts: number;
  /** How long a claimed job is its worker's; a running job renews it, a dead worker's lapses. */
  leaseMs: number;
  /** Exponential backoff between retries: 1 s doubling up to 60 s. */
  backoffBaseMs: number;
  backoffMaxMs: number;
  /** Jobs claimed (and run side by side) at a time. */
  batchSize: number;
  /** A job still running after this stops renewing its lease and is delivered again. */
  maxJobMs: number;
  retentionMs: number;
  /** The in-process worker's idle poll; a commit that enqueues work wakes it at once. */
  pollMs: number;
  reapEveryMs: number;
  /** An upload still `pending` after this was interrupted. */
  pendingTimeoutMs: number;
  /** A document still `uploaded` after this gets its indexing status asked again... */
  indexingCheckAfterMs: number;
  /** ...and one still not searchable after this fails with `indexing_timeout`. */
  indexingGiveUpMs: number;
  /** Reconciliation leaves younger provider objects alone: their rows may be being written. */
  reconcileMinAgeMs: number;
  /**
   * A running turn whose stream has not reported progress for this long is failed with
   * `orphan_timeout`, keeping the text it last saved. Live streams report every `TURN_SAVE_SECONDS` (5 s).
   */
  orphanTurnTimeoutMs: number;
}

const MINUTE = 60_000;

export function loadWorkerConfig(env: Env = process.env): WorkerConfig {
  const e = loadEnv(envSchema, 'worker', env);
  return {
    maxAttempts: e.OUTBOX_MAX_ATTEMPTS,
    leaseMs: e.OUTBOX_LEASE_SECONDS * 1000,
    backoffBaseMs: 1000,
    backoffMaxMs: 60_000,
    batchSize: e.OUTBOX_BATCH_SIZE,
    maxJobMs: 5 * MINUTE,
    retentionMs: e.OUTBOX_RETENTION_DAYS * 24 * 60 * MINUTE,
    pollMs: e.WORKER_POLL_SECONDS * 1000,
    reapEveryMs: e.REAPER_INTERVAL_SECONDS * 1000,
    pendingTimeoutMs: e.REAPER_PENDING_MINUTES * MINUTE,
    indexingCheckAfterMs: e.REAPER_INDEXING_MINUTES * MINUTE,
    indexingGiveUpMs: e.REAPER_INDEXING_GIVE_UP_MINUTES * MINUTE,
    reconcileMinAgeMs: e.RECONCILE_MIN_AGE_MINUTES * MINUTE,
    orphanTurnTimeoutMs: e.REAPER_TURN_ORPHAN_SECONDS * 1000,
  };
}

/** The wait before delivery `attempt + 1`: base × 2^(attempt − 1), capped. */
export function backoffMs(config: Pick<WorkerConfig, 'backoffBaseMs' | 'backoffMaxMs'>, attempt: number) {
  return Math.min(config.backoffMaxMs, config.backoffBaseMs * 2 ** Math.max(0, attempt - 1));
}
