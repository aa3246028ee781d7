import type { ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/** Epoch milliseconds with sub-millisecond precision, so tests can compare against their own clock. */
export const preciseNow = () => performance.timeOrigin + performance.now();

/** When a streamed reply reached its milestones, for latency and cancellation assertions. */
export interface StreamTimings {
  /** The first frame carrying answer text was written. */
  firstTokenAt?: number;
  /** The server ended the response. */
  finishedAt?: number;
  /**
   * The exchange closed: the client went away, or the response completed (on a kept-alive connection the
   * socket itself stays open, so this is then about `finishedAt`).
   */
  closedAt?: number;
  /** The client closed before the server finished. */
  clientClosed: boolean;
}

export interface Frame {
  /** The `event:` line; absent in data-only streams (Chat Completions). */
  event?: string;
  /** The serialized `data:` payload, fixed when the frame is built so later changes cannot leak into it. */
  data: string;
  /** Carries answer text: the first stamps `firstTokenAt`, and the pace applies between them. */
  text: boolean;
}

/**
 * Writes SSE frames, pausing `delayMs` between text frames. Stops writing as soon as the client disconnects
 * (or the fake closes), which is what cancellation tests observe.
 */
export async function streamFrames(
  res: ServerResponse,
  frames: Frame[],
  options: { delayMs: number; timings: StreamTimings; closing: AbortSignal },
) {
  const { delayMs, timings } = options;
  if (res.destroyed) {
    // The client left before the reply began (during an injected delay, say); its close went unheard.
    timings.clientClosed = true;
    timings.closedAt = preciseNow();
    return;
  }
  const clientGone = new AbortController();
  res.on('close', () => {
    timings.closedAt = preciseNow();
    if (timings.finishedAt !== undefined) return;
    timings.clientClosed = true;
    clientGone.abort();
  });
  const signal = AbortSignal.any([clientGone.signal, options.closing]);
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
  let textFrames = 0;
  for (const frame of frames) {
    if (frame.text && textFrames++ > 0 && delayMs > 0) {
      // A disconnect cuts the pause short; the check below then stops the stream.
      await sleep(delayMs, undefined, { signal }).catch(() => undefined);
    }
    if (signal.aborted) return;
    res.write(frame.event ? `event: ${frame.event}\ndata: ${frame.data}\n\n` : `data: ${frame.data}\n\n`);
    if (frame.text) timings.firstTokenAt ??= preciseNow();
  }
  timings.finishedAt = preciseNow();
  res.end();
}
