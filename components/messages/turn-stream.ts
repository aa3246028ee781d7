import { createParser } from 'eventsource-parser';
import { toApiError } from '@/components/api';
import type { StreamEvent } from './message-types';

const EVENTS: ReadonlySet<string> = new Set([
  'stream_started',
  'delta',
  'tool',
  'citations',
  'done',
  'error',
]);

/**
 * POSTs a send or a retry and resolves with the response once the server has accepted it (200 and
 * an event stream). A problem answer throws an ApiError; a network failure throws as fetch does.
 */
export async function openTurnStream(url: string, body: unknown, signal: AbortSignal): Promise<Response> {
  const response = await fetch(url, {
    method: 'POST',
    headers: {
      accept: 'text/event-stream',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal,
  });
  if (!response.ok || !response.body) {
    const problem: unknown = await response.json().catch(() => ({}));
    throw toApiError(response.status, problem, response.headers.get('retry-after'));
  }
  return response;
}

/**
 * Reads the event stream to its end, handing each event the page knows to `onEvent` (comments,
 * `ping` and unknown events are skipped). Resolves when the server closes the stream; rejects when
 * the connection breaks or the signal aborts.
 */
export async function readTurnEvents(response: Response, onEvent: (event: StreamEvent) => void) {
  const parser = createParser({
    onEvent: (message) => {
      if (!message.event || !EVENTS.has(message.event)) return;
      let data: unknown;
      try {
        data = JSON.parse(message.data);
      } catch {
        return;
      }
      if (data && typeof data === 'object') onEvent({ event: message.event, data } as StreamEvent);
    },
  });
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      parser.feed(decoder.decode());
      return;
    }
    parser.feed(decoder.decode(value, { stream: true }));
  }
}
