import { processSingleton } from '@/lib/process-singleton';

/**
 * Wakes this process's worker right after a commit that enqueued work, instead of letting the job
 * wait for the next poll. Without an in-process worker
 * (serverless, or a separate worker process) it does nothing: the cron or the poll picks it up.
 */
type Listener = () => void;

// One set per process: the commit that wakes and the worker that listens may be in different
// bundles. Services call wakeWorker() directly, so this stays out of the composition root.
const listeners = processSingleton('worker-wake', () => new Set<Listener>());

export function wakeWorker(): void {
  for (const listener of listeners) listener();
}

export function onWake(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
