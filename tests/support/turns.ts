import { createParser } from 'eventsource-parser';
import { createChatModelRegistry } from '@/lib/llm/registry';
import { PromMetrics } from '@/lib/metrics';
import type { ModelEntry } from '@/lib/models/catalog';
import { MAX_IMAGES_PER_MESSAGE } from '@/lib/turns/attachments';
import type { StreamSettings } from '@/lib/turns/runner';
import type { TurnDeps } from '@/lib/turns/service';
import { TEST_MODELS, type TestDeps } from './attachments';
import type { FakeOpenAI } from './fake-openai';

/** The catalog of the attachment tests, plus models that only answering tells apart. */
const TURN_MODELS: ModelEntry[] = [
  ...TEST_MODELS,
  { ...(TEST_MODELS[0] as ModelEntry), id: 'gpt-blind', vision: false },
  {
    ...(TEST_MODELS[0] as ModelEntry),
    id: 'local-llm',
    provider: 'openai-compatible',
    providerModel: 'llama-test',
    vision: false,
    codeInterpreter: false,
    contextWindow: 8_192,
    maxOutputTokens: 1_024,
  },
];

export type TestTurnDeps = TurnDeps & { metrics: PromMetrics };

/**
 * Turn dependencies over the attachment test's database, with every provider on the fake. The
 * attachment dependencies learn the turn catalog too, so uploads land where the model searches.
 */
export function makeTurnDeps(
  attachments: TestDeps,
  fake: FakeOpenAI,
  streams: Partial<StreamSettings> = {},
): TestTurnDeps {
  attachments.models = { ...attachments.models, find: (id) => TURN_MODELS.find((m) => m.id === id) };
  return {
    db: attachments.db,
    models: { find: (id) => TURN_MODELS.find((m) => m.id === id) },
    chatModel: createChatModelRegistry({
      OPENAI_API_KEY: 'test',
      OPENAI_BASE_URL: fake.url,
      AZURE_OPENAI_ENDPOINT: fake.origin,
      AZURE_OPENAI_API_KEY: 'test',
      OPENAI_COMPATIBLE_BASE_URL: fake.url,
    }),
    metrics: new PromMetrics(),
    streams: {
      pingIntervalMs: 15_000,
      heartbeatMs: 30_000,
      idleTimeoutMs: 60_000,
      cancelPollMs: 2_000,
      ...streams,
    },
    settings: {
      recentMessages: 10,
      fileSearchMaxResults: 8,
      localPassages: 3,
      maxImagesPerMessage: MAX_IMAGES_PER_MESSAGE,
    },
  };
}

interface SseEvent {
  event: string;
  data: Record<string, unknown>;
}

/**
 * Reads an event stream to its end, or until `stopWhen` says so; then the reader is cancelled,
 * which is what a client that goes away does.
 */
export async function readEvents(
  body: ReadableStream<Uint8Array>,
  stopWhen?: (events: SseEvent[]) => boolean,
): Promise<SseEvent[]> {
  const events: SseEvent[] = [];
  const parser = createParser({
    onEvent: ({ event, data }) => events.push({ event: event ?? 'message', data: JSON.parse(data) }),
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return events;
    parser.feed(decoder.decode(value, { stream: true }));
    if (stopWhen?.(events)) {
      await reader.cancel();
      return events;
    }
  }
}

export const names = (events: SseEvent[]) => events.map((e) => e.event);

/** The answer a stream carried: its deltas joined. */
export const answerOf = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === 'delta')
    .map((e) => e.data.content)
    .join('');

/** The stream grammar: `stream_started ping* (delta | tool)* citations? (done | error)`. */
export const GRAMMAR = /^stream_started( ping)*( (delta|tool))*( citations)? (done|error)$/;
