import { randomUUID } from 'node:crypto';
import { and, eq, inArray, isNotNull, isNull, lt, sql } from 'drizzle-orm';
import type { Db, Queryable, Tx } from '@/lib/db';
import { type OutboxRow, outbox } from '@/lib/db/schema';
import type { JobKind, JobPayloads } from './jobs';

/** Writes a job in the caller's transaction: it exists exactly when the change that needs it commits. */
export async function enqueue<K extends JobKind>(tx: Tx, kind: K, payload: JobPayloads[K]): Promise<void> {
  await enqueueMany(tx, kind, [payload]);
}

/** Several jobs of one kind, written in batches (a bulk delete may enqueue thousands). */
export async function enqueueMany<K extends JobKind>(
  tx: Tx,
  kind: K,
  payloads: readonly JobPayloads[K][],
): Promise<void> {
  for (let i = 0; i < payloads.length; i += ENQUEUE_BATCH) {
    await tx
      .insert(outbox)
      .values(payloads.slice(i, i + ENQUEUE_BATCH).map((payload) => ({ kind, payload })));
  }
}

// Well under Postgres' 65,535 bind parameters per statement.
const ENQUEUE_BATCH = 1000;

export interface Claimed extends OutboxRow {
  leaseToken: string;
}

/**
 * Leases up to `limit` due jobs to the caller. SKIP LOCKED lets concurrent claimers pass over
 * each other's rows instead of waiting on them, and a row is due again only once its lease has
 * lapsed, so two workers never hold one job at the same time. Counting the delivery here, not on
 * failure, makes a worker that dies mid-job use up an attempt too.
 */
export async function claim(
  db: Db,
  options: { now: Date; limit: number; leaseMs: number },
): Promise<Claimed[]> {
  const { now, limit, leaseMs } = options;
  const token = randomUUID();
  const leaseUntil = new Date(now.getTime() + leaseMs);
  const at = sql`${now.toISOString()}::timestamptz`;
  // available_at defaults to the database's now(), stored at millisecond precision by rounding: a
  // job enqueued within the same millisecond as this claim can read as half a millisecond ahead.
  const due = sql`${new Date(now.getTime() + 1).toISOString()}::timestamptz`;
  const rows = await db
    .update(outbox)
    .set({ attempts: sql`${outbox.attempts} + 1`, leaseUntil, leaseToken: token })
    .where(
      sql`${outbox.id} in (
        select ${outbox.id} from ${outbox}
        where ${outbox.completedAt} is null and ${outbox.deadAt} is null
          and ${outbox.availableAt} <= ${due}
          and (${outbox.leaseUntil} is null or ${outbox.leaseUntil} <= ${at})
        order by ${outbox.availableAt}, ${outbox.id}
        limit ${limit}
        for update skip locked)`,
    )
    .returning();
  return rows as Claimed[];
}

/** Only the current lease holder matches: a worker that lost its lease changes nothing. */
const held = (job: Claimed) => and(eq(outbox.id, job.id), eq(outbox.leaseToken, job.leaseToken));

/** Keeps a running job's lease; false once it is lost (it lapsed and someone else claimed it). */
export async function renewLease(db: Db, job: Claimed, until: Date): Promise<boolean> {
  const rows = await db
    .update(outbox)
    .set({ leaseUntil: until })
    .where(held(job))
    .returning({ id: outbox.id });
  return rows.length > 0;
}

/** Records the outcome of a held job; false when the lease was lost and nothing changed. */
async function finish(
  q: Queryable,
  job: Claimed,
  set: Partial<typeof outbox.$inferInsert>,
): Promise<boolean> {
  const rows = await q
    .update(outbox)
    .set({ ...set, leaseUntil: null, leaseToken: null })
    .where(held(job))
    .returning({ id: outbox.id });
  return rows.length > 0;
}

export const complete = (db: Db, job: Claimed, now: Date) =>
  finish(db, job, { completedAt: now, lastError: null });

export const retryLater = (db: Db, job: Claimed, at: Date, error: string) =>
  finish(db, job, { availableAt: at, lastError: error });

/** Dead-letters the job with its last error; `q` is the transaction the handler's `dead` runs in. */
export const markDead = (q: Queryable, job: Claimed, now: Date, error: string) =>
  finish(q, job, { deadAt: now, lastError: error });

/**
 * Gives the jobs of these leases back at once, delivered again by the next claim rather than
 * after their lease lapses: a worker that is shutting down and will not record their outcomes.
 * The delivery stays counted.
 */
export async function releaseLeases(db: Db, tokens: string[]): Promise<number> {
  if (tokens.length === 0) return 0;
  const rows = await db
    .update(outbox)
    .set({ leaseUntil: null, leaseToken: null })
    .where(and(inArray(outbox.leaseToken, tokens), isNull(outbox.completedAt), isNull(outbox.deadAt)))
    .returning({ id: outbox.id });
  return rows.length;
}

/** Completed jobs are history; dead ones stay until an operator has looked at them. */
export async function pruneCompleted(db: Db, before: Date): Promise<number> {
  const rows = await db
    .delete(outbox)
    .where(and(isNotNull(outbox.completedAt), lt(outbox.completedAt, before)))
    .returning({ id: outbox.id });
  return rows.length;
}

/**
 * Gives a tenant's dead jobs another round: due now, their attempts counted afresh. Only jobs
 * still dead match (a compare-and-set), so two retries at once revive each job once.
 */
export async function reviveDead(tx: Queryable, tenantId: string): Promise<OutboxRow[]> {
  return tx
    .update(outbox)
    .set({ deadAt: null, attempts: 0, availableAt: sql`now()`, leaseUntil: null, leaseToken: null })
    .where(and(isNotNull(outbox.deadAt), sql`${outbox.payload}->>'tenant_id' = ${tenantId}`))
    .returning();
}
