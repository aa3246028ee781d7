import { errorFields, log } from '@/lib/log';
import { onWake } from '@/lib/outbox/wake';
import { drain } from '@/lib/outbox/worker';
import { reap } from './reaper';
import type { WorkerDeps } from './worker';

export interface WorkerLoop {
  /** Stops claiming, lets the jobs in hand finish, and resolves when the loop has ended. */
  stop(): Promise<void>;
}

/**
 * The in-process worker: drains the outbox, then sleeps until woken by a commit that enqueued
 * work or until the poll interval passes (for retries coming due and other processes' jobs);
 * runs the reaper every `reapEveryMs`. Its timers never keep the process alive.
 */
export function startWorkerLoop(deps: WorkerDeps): WorkerLoop {
  const stopping = new AbortController();
  let woken = false;
  let wakeUp = () => {};
  const unsubscribe = onWake(() => {
    woken = true;
    wakeUp();
  });
  let lastReap = Number.NEGATIVE_INFINITY;

  const nap = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      timer.unref();
      wakeUp = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const done = (async () => {
    while (!stopping.signal.aborted) {
      woken = false;
      try {
        if (deps.clock() - lastReap >= deps.config.reapEveryMs) {
          lastReap = deps.clock();
          await reap(deps);
        }
        await drain(deps, { signal: stopping.signal });
      } catch (err) {
        // The database or a provider is away: try again after the nap.
        log.error({ err: errorFields(err) }, 'worker pass failed');
      }
      if (!woken && !stopping.signal.aborted) await nap(deps.config.pollMs);
    }
  })();

  return {
    async stop() {
      stopping.abort();
      wakeUp();
      unsubscribe();
      await done;
    },
  };
}
