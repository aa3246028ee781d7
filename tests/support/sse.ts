import { createParser } from 'eventsource-parser';

export interface SseEvent {
  event: string;
  // biome-ignore lint/suspicious/noExplicitAny: event payloads are asserted on field by field.
  data: any;
  /** Epoch ms at which the reader had the event. */
  at: number;
}

/**
 * Reads an event stream as it arrives, to its end or until `stopWhen` says so; then the reader is
 * cancelled, which is what a client that goes away does. For the Vitest suites and the Playwright
 * HTTP specs alike.
 */
export async function readSse(
  body: ReadableStream<Uint8Array>,
  stopWhen?: (events: SseEvent[]) => boolean,
): Promise<{ events: SseEvent[]; raw: string }> {
  const events: SseEvent[] = [];
  let raw = '';
  const parser = createParser({
    onEvent: ({ event, data }) =>
      events.push({ event: event ?? 'message', data: JSON.parse(data), at: Date.now() }),
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return { events, raw };
    const text = decoder.decode(value, { stream: true });
    raw += text;
    parser.feed(text);
    if (stopWhen?.(events)) {
      await reader.cancel().catch(() => {});
      return { events, raw };
    }
  }
}
