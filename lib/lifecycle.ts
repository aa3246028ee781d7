import { AppError } from '@/lib/errors';
import { errorFields, log } from '@/lib/log';
import { processSingleton } from '@/lib/process-singleton';

/**
 * This process's life as seen by its work: whether it is draining (shutting down on SIGTERM),
 * and the work in flight a shutdown must bring to an end. Uploads, answers and the worker
 * register themselves here with what to do when the drain starts (an answer stops at once,
 * keeping its partial text) and when the grace period is nearly over (an upload still writing
 * is marked interrupted, the worker's leases are given back). One state per process: Next
 * bundles lib/ more than once, and the signal arrives through instrumentation's copy.
 */
export interface InFlightHooks {
  /** Called once when the drain starts. */
  onDrain?: () => void;
  /** Called when the work is still running as the grace period nears its end. */
  onDeadline?: () => Promise<void>;
}

interface Tracked extends InFlightHooks {
  done: Promise<unknown>;
}

const state = processSingleton('lifecycle', () => ({ draining: false, work: new Set<Tracked>() }));

/** Seconds a client is told to wait before trying again: another instance, or this one restarted. */
const RETRY_AFTER_SECONDS = '5';

export const isDraining = (): boolean => state.draining;

/** What a client is told of work the shutdown refused or cut short: try again shortly. */
export function drainingError(extensions: Record<string, unknown> = {}): AppError {
  return new AppError('service_draining', 'The server is restarting. Try again in a few seconds.', {
    headers: { 'retry-after': RETRY_AFTER_SECONDS },
    extensions,
  });
}

/** The refusal of new uploads and answers while the process shuts down. */
export function refuseWhileDraining(): void {
  if (state.draining) throw drainingError();
}

/**
 * Registers work in flight until `done` settles. Work registered after the drain started gets its
 * `onDrain` at once.
 */
export function trackInFlight(done: Promise<unknown>, hooks: InFlightHooks): void {
  const tracked: Tracked = { ...hooks, done };
  state.work.add(tracked);
  const forget = () => state.work.delete(tracked);
  done.then(forget, forget);
  if (state.draining) tracked.onDrain?.();
}

/**
 * Starts the drain and waits for the work in flight until `softDeadline` (epoch ms); what is
 * still running then gets its `onDeadline`, and is waited for until `hardDeadline`. Resolves with
 * the number of pieces of work that had to be cut short.
 */
export async function drainInFlight(options: {
  softDeadline: number;
  hardDeadline: number;
}): Promise<number> {
  state.draining = true;
  const work = [...state.work];
  for (const tracked of work) tracked.onDrain?.();
  await settledBy(
    work.map((t) => t.done),
    options.softDeadline,
  );
  const left = [...state.work];
  await Promise.all(
    left.map((tracked) =>
      tracked
        .onDeadline?.()
        .catch((err: unknown) => log.warn({ err: errorFields(err) }, 'cutting work short failed')),
    ),
  );
  await settledBy(
    left.map((t) => t.done),
    options.hardDeadline,
  );
  return left.length;
}

async function settledBy(promises: Promise<unknown>[], deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, Math.max(0, deadline - Date.now()));
  });
  await Promise.race([Promise.allSettled(promises), timeout]);
  clearTimeout(timer);
}
