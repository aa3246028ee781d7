import { describe, expect, inject, it } from 'vitest';
import { outbox } from '@/lib/db/schema';
import { PromMetrics } from '@/lib/metrics';
import { loadWorkerConfig } from '@/lib/outbox/config';
import type { JobHandler } from '@/lib/outbox/jobs';
import { drain, type OutboxDeps } from '@/lib/outbox/worker';
import { getDb } from '@/lib/runtime';
import { ownDatabaseForFile } from '@/tests/support/own-database';
import { TestClock } from '@/tests/support/worker';

// On Postgres and through the Neon driver the two workers claim on their own connections and
// really race; on PGlite (one connection) they interleave, and the same must hold.
const driver = inject('testDriver');
ownDatabaseForFile();

const JOBS = 60;

/** A handler that records every run, and any run that overlaps another of the same job. */
function recordingHandler() {
  const running = new Set<string>();
  const runs: string[] = [];
  const overlaps: string[] = [];
  const failedOnce = new Set<string>();
  const handler: JobHandler<{ n: number }> = {
    parse: (payload) => payload as { n: number },
    async run(payload, job) {
      if (running.has(job.id)) overlaps.push(job.id);
      running.add(job.id);
      runs.push(job.id);
      try {
        await new Promise((resolve) => setTimeout(resolve, Math.random() * 15));
        // Every fifth job fails once, so redeliveries race with first deliveries too.
        if (payload.n % 5 === 0 && !failedOnce.has(job.id)) {
          failedOnce.add(job.id);
          throw new Error('transient');
        }
      } finally {
        running.delete(job.id);
      }
    },
    dead: async () => {},
  };
  return { handler, runs, overlaps };
}

describe(`two workers draining at once on ${driver}`, () => {
  it('never run one job twice at the same time, and run each to completion once', async () => {
    const db = await getDb();
    await db
      .insert(outbox)
      .values(Array.from({ length: JOBS }, (_, n) => ({ kind: 'attachment_deleted', payload: { n } })));
    const { handler, runs, overlaps } = recordingHandler();
    const clock = new TestClock();
    const worker = (): OutboxDeps => ({
      db,
      handlers: { attachment_deleted: handler, chat_deleted: handler } as unknown as OutboxDeps['handlers'],
      metrics: new PromMetrics(),
      // A retry is due at once, so it can land on either worker while the other is still busy.
      config: { ...loadWorkerConfig({}), batchSize: 4, backoffBaseMs: 0 },
      clock: clock.read,
    });
    const reports = await Promise.all([drain(worker()), drain(worker()), drain(worker())]);

    expect(overlaps).toEqual([]);
    const total = reports.reduce(
      (sum, r) => ({ completed: sum.completed + r.completed, retried: sum.retried + r.retried }),
      {
        completed: 0,
        retried: 0,
      },
    );
    expect(total).toEqual({ completed: JOBS, retried: JOBS / 5 });
    expect(runs).toHaveLength(JOBS + JOBS / 5);
    expect(reports.every((r) => r.lost === 0 && r.dead === 0)).toBe(true);
    const rows = await db.select().from(outbox);
    expect(rows.every((row) => row.completedAt !== null && row.leaseToken === null)).toBe(true);
    // Both really took part on Postgres; on PGlite the first may drain everything alone.
    if (driver !== 'pglite') expect(reports.filter((r) => r.completed > 0).length).toBeGreaterThan(1);
  });
});
