/**
 * Wakes this process's worker right after a commit that enqueued work, instead of letting the job
 * wait for the next poll (upstream's attachment delete forgot to). Without an in-process worker
 * (serverless, or a separate worker process) it does nothing: the cron or the poll picks it up.
 */
type Listener = () => void;

const globals = globalThis as { __miniChatWorkerWake?: Set<Listener> };
globals.__miniChatWorkerWake ??= new Set();
const listeners = globals.__miniChatWorkerWake;

export function wakeWorker(): void {
  for (const listener of listeners) listener();
}

export function onWake(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
