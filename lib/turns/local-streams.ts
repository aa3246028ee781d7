import { processSingleton } from '@/lib/process-singleton';

/**
 * The turns this process is streaming, by turn id, each with its stop. A stop asked for here
 * takes effect at once; one asked for in another process reaches the stream through the turn's
 * `cancel_requested_at`, which the stream reads every few seconds. One map per process: Next
 * bundles the routes more than once, and the stop may arrive through another bundle than the
 * stream's.
 */
const streams = processSingleton('local-streams', () => new Map<string, () => void>());

export function registerStream(turnId: string, stop: () => void): () => void {
  streams.set(turnId, stop);
  return () => {
    if (streams.get(turnId) === stop) streams.delete(turnId);
  };
}

/** Stops the turn if this process streams it; false otherwise. */
export function stopLocalStream(turnId: string): boolean {
  const stop = streams.get(turnId);
  stop?.();
  return stop !== undefined;
}
