/**
 * The turns this process is streaming, by turn id, each with its stop. A stop asked for here
 * takes effect at once; one asked for in another process reaches the stream through the turn's
 * `cancel_requested_at`, which the stream reads every few seconds. On globalThis: Next bundles
 * the routes more than once, and the stop may arrive through another bundle than the stream's.
 */
const globals = globalThis as { __miniChatLocalStreams?: Map<string, () => void> };
globals.__miniChatLocalStreams ??= new Map();
const streams = globals.__miniChatLocalStreams;

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
