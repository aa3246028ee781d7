import 'server-only';
import { z } from 'zod';
import { type Env, loadEnv } from '@/lib/env';
import { drainInFlight } from '@/lib/lifecycle';
import { errorFields, log } from '@/lib/log';
import { releaseHeldLeases } from '@/lib/outbox/worker';
import { processSingleton } from '@/lib/process-singleton';
import { closeDatabase, getDb, stopInProcessWorker } from '@/lib/runtime';

const envSchema = z.object({ SHUTDOWN_GRACE_SECONDS: z.coerce.number().min(2).max(300).default(10) });

export const shutdownGraceMs = (env: Env = process.env): number =>
  loadEnv(envSchema, 'shutdown', env).SHUTDOWN_GRACE_SECONDS * 1000;

/**
 * The server's answer to SIGTERM, which platforms send before they stop a process: within
 * `SHUTDOWN_GRACE_SECONDS` it stops taking uploads and answers (503 `service_draining` with
 * Retry-After, lib/lifecycle.ts), ends running answers as `cancelled` with their partial text,
 * lets uploads finish and marks the ones still writing near the end `upload_interrupted`, stops
 * the worker and gives back the outbox leases it holds, closes the database pool, and exits. If
 * any of that hangs, the process exits anyway when the grace period is over.
 *
 * `next start` has a SIGTERM handler of its own that exits once the HTTP server has closed,
 * which could cut this short; `npm start` sets NEXT_MANUAL_SIG_HANDLE to turn it off.
 */
export function installShutdownHandler(): void {
  processSingleton('shutdown-handler', () => {
    process.once('SIGTERM', () => void shutdown(shutdownGraceMs()));
    return true;
  });
}

async function shutdown(graceMs: number): Promise<void> {
  const started = Date.now();
  const backstop = setTimeout(() => {
    log.error({ grace_ms: graceMs }, 'shutdown did not finish within its grace period');
    process.exit(1);
  }, graceMs);
  backstop.unref();
  log.info({ grace_ms: graceMs }, 'SIGTERM: draining');
  const hardDeadline = started + graceMs - Math.min(1000, graceMs / 4);
  const softDeadline = started + Math.max(graceMs / 2, graceMs - 3000);
  try {
    const [cut] = await Promise.all([
      drainInFlight({ softDeadline, hardDeadline }),
      withDeadline(stopInProcessWorker(), hardDeadline),
    ]);
    const released = await releaseHeldLeases(await getDb());
    await closeDatabase();
    log.info({ cut_short: cut, leases_released: released, ms: Date.now() - started }, 'shutdown complete');
    process.exit(0);
  } catch (err) {
    log.error({ err: errorFields(err) }, 'shutdown failed');
    process.exit(1);
  }
}

async function withDeadline(work: Promise<unknown>, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    work,
    new Promise<void>((resolve) => {
      timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
    }),
  ]);
  clearTimeout(timer);
}
