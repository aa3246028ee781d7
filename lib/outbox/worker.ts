import { crashPoint } from '@/lib/crash-point';
import type { Db } from '@/lib/db';
import { errorFields, errorText, log, withLogContext } from '@/lib/log';
import type { WorkerMetrics } from '@/lib/metrics';
import { processSingleton } from '@/lib/process-singleton';
import { backoffMs, type WorkerConfig } from './config';
import { GiveUp, type JobHandler, type JobHandlers } from './jobs';
import { type Claimed, claim, complete, markDead, releaseLeases, renewLease, retryLater } from './store';

export interface OutboxDeps {
  db: Db;
  handlers: JobHandlers;
  metrics: WorkerMetrics;
  config: WorkerConfig;
  /** Epoch ms; tests move it instead of sleeping through leases and backoffs. */
  clock: () => number;
}

export interface DrainReport {
  completed: number;
  retried: number;
  dead: number;
  /** Jobs whose lease this worker lost before it could record the outcome. */
  lost: number;
}

type Outcome = keyof DrainReport;

/** The leases this process holds right now, so that a shutdown can give them back. */
const heldLeases = processSingleton('outbox-leases', () => new Set<string>());

/** Gives back every lease this process holds (jobs it will not finish); the number of jobs. */
export async function releaseHeldLeases(db: Db): Promise<number> {
  const released = await releaseLeases(db, [...heldLeases]);
  heldLeases.clear();
  if (released > 0) log.warn({ count: released }, 'outbox leases released at shutdown');
  return released;
}

/**
 * Runs due jobs until none is left, `deadline` (epoch ms) passes, or `signal` aborts. Jobs of a
 * batch run side by side; a batch that has started is finished, so keep the deadline a job's
 * length inside a function's time budget.
 */
export async function drain(
  deps: OutboxDeps,
  options: { deadline?: number; signal?: AbortSignal } = {},
): Promise<DrainReport> {
  const report: DrainReport = { completed: 0, retried: 0, dead: 0, lost: 0 };
  const { config } = deps;
  while (!options.signal?.aborted && (options.deadline === undefined || deps.clock() < options.deadline)) {
    const jobs = await claim(deps.db, {
      now: new Date(deps.clock()),
      limit: config.batchSize,
      leaseMs: config.leaseMs,
    });
    if (jobs.length === 0) break;
    const tokens = new Set(jobs.map((job) => job.leaseToken));
    for (const token of tokens) heldLeases.add(token);
    try {
      const outcomes = await Promise.all(jobs.map((job) => runJob(deps, job)));
      for (const outcome of outcomes) report[outcome]++;
    } finally {
      for (const token of tokens) heldLeases.delete(token);
    }
  }
  return report;
}

async function runJob(deps: OutboxDeps, job: Claimed): Promise<Outcome> {
  return withLogContext({ job_id: job.id, job_kind: job.kind }, async () => {
    const handler = (deps.handlers as Record<string, JobHandler<unknown>>)[job.kind];
    const started = deps.clock();
    let payload: unknown;
    try {
      if (!handler) throw new GiveUp(`no handler for job kind ${job.kind}`);
      payload = handler.parse(job.payload);
      // Delivered again after its holder died on the last attempt: the attempts are used up.
      if (job.attempts > deps.config.maxAttempts) throw new GiveUp('lease lapsed on the last attempt');
      crashPoint(`outbox.${job.kind}`);
      await withLease(deps, job, () => handler.run(payload, { id: job.id, attempt: job.attempts }));
    } catch (err) {
      return fail(deps, job, handler, payload, err);
    }
    const held = await complete(deps.db, job, new Date(deps.clock()));
    if (!held) return lost(job);
    deps.metrics.job(job.kind, 'ok');
    log.info({ attempt: job.attempts, duration_ms: deps.clock() - started }, 'job completed');
    return 'completed';
  });
}

async function fail(
  deps: OutboxDeps,
  job: Claimed,
  handler: JobHandler<unknown> | undefined,
  payload: unknown,
  err: unknown,
): Promise<Outcome> {
  const error = errorText(err);
  const now = deps.clock();
  if (err instanceof GiveUp || job.attempts >= deps.config.maxAttempts) {
    const held = await deps.db.transaction(async (tx) => {
      if (!(await markDead(tx, job, new Date(now), error))) return false;
      // A payload that did not parse names no rows to settle.
      if (handler && payload !== undefined) await handler.dead(tx, payload, error);
      return true;
    });
    if (!held) return lost(job);
    deps.metrics.job(job.kind, 'dead');
    log.error({ attempt: job.attempts, err: errorFields(err) }, 'job dead-lettered');
    return 'dead';
  }
  const delay = backoffMs(deps.config, job.attempts);
  if (!(await retryLater(deps.db, job, new Date(now + delay), error))) return lost(job);
  deps.metrics.job(job.kind, 'retry');
  log.warn({ attempt: job.attempts, retry_in_ms: delay, err: errorFields(err) }, 'job failed, will retry');
  return 'retried';
}

function lost(job: Claimed): Outcome {
  // Another worker holds the job now and records its outcome; ours is moot.
  log.warn({ attempt: job.attempts }, 'job lease lost before its outcome was recorded');
  return 'lost';
}

/**
 * Runs `work` while renewing the job's lease, so that a slow job is not handed to a second worker
 * while the first still runs it. Renewal stops after `maxJobMs`: a job stuck that long is presumed
 * hung and delivered again.
 */
async function withLease<T>(deps: OutboxDeps, job: Claimed, work: () => Promise<T>): Promise<T> {
  const { leaseMs, maxJobMs } = deps.config;
  const started = deps.clock();
  const timer = setInterval(
    () => {
      if (deps.clock() - started > maxJobMs) return clearInterval(timer);
      renewLease(deps.db, job, new Date(deps.clock() + leaseMs)).catch((err: unknown) =>
        log.warn({ err: errorFields(err) }, 'lease renewal failed'),
      );
    },
    Math.max(1, leaseMs / 3),
  );
  timer.unref();
  try {
    return await work();
  } finally {
    clearInterval(timer);
  }
}
