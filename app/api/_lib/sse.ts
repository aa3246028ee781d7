import { after } from 'next/server';

/**
 * An event-stream response. `no-transform` keeps compressing proxies (and Next's own gzip) from
 * buffering it; `x-accel-buffering: no` does the same for nginx. `finished` is handed to
 * `after()`, so a serverless platform keeps the function alive until the turn's end is stored,
 * even when the client has gone.
 */
export function eventStream(turn: { body: ReadableStream<Uint8Array>; finished: Promise<void> }): Response {
  after(() => turn.finished);
  return new Response(turn.body, {
    headers: {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      'x-accel-buffering': 'no',
    },
  });
}
