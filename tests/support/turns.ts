import { createChatModelRegistry } from '@/lib/llm/registry';
import { PromMetrics } from '@/lib/metrics';
import type { ModelEntry } from '@/lib/models/catalog';
import { loadRateLimits } from '@/lib/rate-limits/config';
import { MAX_IMAGES_PER_MESSAGE } from '@/lib/turns/limits';
import type { StreamSettings } from '@/lib/turns/runner';
import type { TurnDeps } from '@/lib/turns/service';
import { makeDeps, TEST_MODELS, type TestDeps } from './attachments';
import type { FakeOpenAI } from './fake-openai';
import { makeUser, type TestUser } from './fixtures';
import { readSse, type SseEvent } from './sse';

/** The catalog of the attachment tests, plus models that only answering tells apart. */
export const TURN_MODELS: ModelEntry[] = [
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

/** What a turn test starts each case with: the fake, upload and turn dependencies, and a new user. */
export interface TurnBed {
  fake: FakeOpenAI;
  files: TestDeps;
  deps: TestTurnDeps;
  user: TestUser;
}

/** A turn test's fresh start over `fake` (from `fakeOpenAIForFile()`), its uploads on `models`. */
export async function turnBed(fake: FakeOpenAI, models: ModelEntry[] = TURN_MODELS): Promise<TurnBed> {
  const files = await makeDeps(fake, {}, models);
  return { fake, files, deps: makeTurnDeps(files, fake), user: await makeUser() };
}

/**
 * Turn dependencies over the attachment test's database, with every provider on the fake. Make
 * the attachment dependencies with TURN_MODELS, so that uploads land where the model searches.
 */
export function makeTurnDeps(
  attachments: TestDeps,
  fake: FakeOpenAI,
  streams: Partial<StreamSettings> = {},
): TestTurnDeps {
  return {
    db: attachments.db,
    fileStores: attachments.fileStores,
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
    rateLimits: loadRateLimits({}),
    settings: {
      recentMessages: 10,
      fileSearchMaxResults: 8,
      localPassages: 3,
      maxImagesPerMessage: MAX_IMAGES_PER_MESSAGE,
    },
  };
}

/**
 * Reads an event stream to its end, or until `stopWhen` says so; then the reader is cancelled,
 * which is what a client that goes away does.
 */
export const readEvents = async (
  body: ReadableStream<Uint8Array>,
  stopWhen?: (events: SseEvent[]) => boolean,
): Promise<SseEvent[]> => (await readSse(body, stopWhen)).events;

export const names = (events: SseEvent[]) => events.map((e) => e.event);

/** The answer a stream carried: its deltas joined. */
export const answerOf = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === 'delta')
    .map((e) => e.data.content)
    .join('');

/** The stream grammar: `stream_started ping* (delta | tool)* citations? (done | error)`. */
export const GRAMMAR = /^stream_started( ping)*( (delta|tool))*( citations)? (done|error)$/;
