import type { Tx } from '@/lib/db';
import { BrandedError } from '@/lib/errors';

/** The kinds of follow-up work and their payloads, as the transactions that need them write them. */
export interface JobPayloads {
  attachment_deleted: { tenant_id: string; chat_id: string; attachment_id: string };
  chat_deleted: { tenant_id: string; chat_id: string };
}
export type JobKind = keyof JobPayloads;

export interface JobRun {
  id: string;
  /** 1 on the first delivery; counts deliveries, so a crashed run counts too. */
  attempt: number;
}

/**
 * What a worker runs for one kind. Handlers are idempotent: a job may be delivered again after a
 * crash, and must then finish the work or find it already done.
 */
export interface JobHandler<P> {
  /** Throws on a payload no retry can fix: the job is dead-lettered at once. */
  parse(payload: unknown): P;
  /** Resolves when the work is done; throws to be retried (or `GiveUp` to stop). */
  run(payload: P, job: JobRun): Promise<void>;
  /**
   * Runs in the transaction that dead-letters the job: leaves the rows it was meant to finish in
   * a terminal state, so nothing waits on a job no worker will run again.
   */
  dead(tx: Tx, payload: P, error: string): Promise<void>;
}

export type JobHandlers = { [K in JobKind]: JobHandler<JobPayloads[K]> };

/** A failure that retrying cannot fix (a bad payload, or the work's own attempts are used up). */
export class GiveUp extends BrandedError {
  static readonly brand = 'GiveUp';
}
