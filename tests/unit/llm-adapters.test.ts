import OpenAI, { toFile } from 'openai';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { createChatCompletionsModel } from '@/lib/llm/chat-completions';
import { type ChatModel, ModelError, type ModelEvent, type ModelInput } from '@/lib/llm/ports';
import { createResponsesModel } from '@/lib/llm/responses';
import { openaiModel } from '@/lib/models/catalog';
import { type FakeOpenAI, startFakeOpenAI } from '@/tests/support/fake-openai';
import { fakeWithClientForFile } from '@/tests/support/fake-openai/with-client';

const setup = fakeWithClientForFile();
let fake: FakeOpenAI;
let client: OpenAI;
beforeEach(() => {
  ({ fake, client } = setup);
});

const now = () => performance.timeOrigin + performance.now();

const turn = (overrides: Partial<ModelInput> = {}): ModelInput => ({
  model: { ...openaiModel('chat-model', 'Chat model', 128_000), providerModel: 'provider-model' },
  instructions: 'Be helpful.',
  history: [
    { role: 'user', content: 'first question' },
    { role: 'assistant', content: 'first answer' },
  ],
  user: { text: 'Hello model', imageFileIds: [] },
  maxOutputTokens: 500,
  ...overrides,
});

const ask = (text: string, overrides: Partial<ModelInput> = {}) =>
  turn({ user: { text, imageFileIds: [] }, ...overrides });

/**
 * Every event that carries something until the end, how many were mere `progress`, and the
 * error that ended the stream, if any.
 */
async function run(model: ChatModel, input: ModelInput, signal = new AbortController().signal) {
  const events: ModelEvent[] = [];
  let progress = 0;
  try {
    for await (const event of model.stream(input, signal)) {
      if (event.type === 'progress') progress++;
      else events.push(event);
    }
    return { events, progress, error: undefined };
  } catch (error) {
    return { events, progress, error };
  }
}

const texts = (events: ModelEvent[]) =>
  events.flatMap((event) => (event.type === 'text' ? [event.delta] : []));
const recorded = (endpoint: string) =>
  fake.requests.findLast((request) => request.endpoint === endpoint)?.body;

async function upload(name: string, text: string) {
  return client.files.create({ file: await toFile(Buffer.from(text), name), purpose: 'assistants' });
}

/** Drives a SLOW reply, aborts after three text events, and checks that both ends stopped at once. */
async function expectPromptAbort(model: ChatModel, endpoint: string) {
  const controller = new AbortController();
  const events: ModelEvent[] = [];
  let abortedAt = 0;
  for await (const event of model.stream(ask('SLOW story'), controller.signal)) {
    if (event.type !== 'progress') events.push(event);
    if (texts(events).length === 3) {
      abortedAt = now();
      controller.abort();
    }
  }
  expect(now() - abortedAt).toBeLessThan(200);
  expect(events.map((event) => event.type)).toEqual(['text', 'text', 'text']);
  const record = fake.requests.findLast((request) => request.endpoint === endpoint);
  await vi.waitFor(() => expect(record?.stream?.closedAt).toBeDefined());
  expect(record?.stream?.clientClosed).toBe(true);
  expect((record?.stream?.closedAt ?? 0) - abortedAt).toBeLessThan(200);
}

/** The echo of `turn()`'s text, word by word, then the scripted usage and the finish. */
async function expectPlainText(model: ChatModel, inputTokens: number) {
  fake.queueReply({ usage: { input_tokens: inputTokens, output_tokens: 4 } });
  const { events, progress, error } = await run(model, turn());
  expect(error).toBeUndefined();
  // The events around the text (created, in progress, the role chunk…) tell the turn the model is at work.
  expect(progress).toBeGreaterThan(0);
  expect(events).toEqual([
    { type: 'text', delta: 'You ' },
    { type: 'text', delta: 'said: ' },
    { type: 'text', delta: 'Hello ' },
    { type: 'text', delta: 'model' },
    { type: 'usage', inputTokens, outputTokens: 4 },
    { type: 'finish', reason: 'stop' },
  ]);
}

describe('responses adapter', () => {
  const model = () => createResponsesModel(client);

  it('yields text deltas as they come, then usage, then finish', () => expectPlainText(model(), 21));

  it('sends the history, the user message with its images and passages, the tools and the limits', async () => {
    const store = await client.vectorStores.create({ name: 'chat' });
    await run(
      model(),
      turn({
        user: { text: 'What is in these?', imageFileIds: ['file-img1', 'file-img2'] },
        passages: [
          {
            attachmentId: 'a1',
            filename: 'notes.txt',
            text: 'Refunds take 14 days.',
            quote: 'Refunds take 14 days.',
          },
        ],
        fileSearch: { vectorStoreId: store.id, attachmentIds: ['a1', 'a2'], maxResults: 8 },
        codeInterpreter: { fileIds: ['file-csv1'] },
      }),
    );
    expect(recorded('responses.create')).toEqual({
      model: 'provider-model',
      instructions: 'Be helpful.',
      input: [
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        {
          role: 'user',
          content: [
            {
              type: 'input_text',
              text: 'What is in these?\n\nRelevant passages:\n\n[1] notes.txt: Refunds take 14 days.',
            },
            { type: 'input_image', file_id: 'file-img1', detail: 'auto' },
            { type: 'input_image', file_id: 'file-img2', detail: 'auto' },
          ],
        },
      ],
      tools: [
        {
          type: 'file_search',
          vector_store_ids: [store.id],
          max_num_results: 8,
          filters: { type: 'in', key: 'attachment_id', value: ['a1', 'a2'] },
        },
        { type: 'code_interpreter', container: { type: 'auto', file_ids: ['file-csv1'] } },
      ],
      include: ['code_interpreter_call.outputs'],
      max_output_tokens: 500,
      store: false,
      stream: true,
    });
  });

  it('reports file search and the provider file id of what the answer cites', async () => {
    const cited = await upload('refunds.txt', 'Refunds take 14 days.');
    const excluded = await upload('other.txt', 'Refunds are never late.');
    const store = await client.vectorStores.create({ name: 'chat' });
    for (const [file, attachmentId] of [
      [cited, 'a1'],
      [excluded, 'a2'],
    ] as const) {
      await client.vectorStores.files.createAndPoll(store.id, {
        file_id: file.id,
        attributes: { attachment_id: attachmentId },
      });
    }
    const fileSearch = { vectorStoreId: store.id, attachmentIds: ['a1'], maxResults: 5 };

    const { events } = await run(model(), ask('refunds', { fileSearch }));
    expect(events.slice(0, 2)).toEqual([
      { type: 'tool', name: 'file_search', phase: 'started' },
      { type: 'tool', name: 'file_search', phase: 'completed' },
    ]);
    expect(events.filter((event) => event.type === 'file_citation')).toEqual([
      { type: 'file_citation', providerFileId: cited.id, filename: 'refunds.txt' },
    ]);
    expect(texts(events).join('')).toBe('According to refunds.txt: "Refunds take 14 days."');
    expect(events.at(-1)).toEqual({ type: 'finish', reason: 'stop' });

    const none = await run(model(), ask('refunds', { fileSearch: { ...fileSearch, attachmentIds: ['a3'] } }));
    expect(none.events.some((event) => event.type === 'file_citation')).toBe(false);
    expect(texts(none.events).join('')).toBe('You said: refunds');
  });

  it('reports a code interpreter call with its code and logs', async () => {
    const { events } = await run(model(), ask('CODEINTERP 42', { codeInterpreter: { fileIds: [] } }));
    expect(events.slice(0, 2)).toEqual([
      { type: 'tool', name: 'code_interpreter', phase: 'started' },
      { type: 'tool', name: 'code_interpreter', phase: 'completed', code: 'print("42")', output: '42\n' },
    ]);
    expect(texts(events).join('')).toBe('The code printed: 42');
  });

  it('fails with provider_error after the text that came before a mid-stream error', async () => {
    const { events, error } = await run(model(), ask('ERROR midway'));
    expect(events).toEqual([
      { type: 'text', delta: 'You ' },
      { type: 'text', delta: 'said: ' },
      { type: 'text', delta: 'ERROR ' },
    ]);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ code: 'provider_error' });
  });

  it('maps refusals before the stream to our codes', async () => {
    const codeOf = async (input: ModelInput, target = model()) =>
      ((await run(target, input)).error as ModelError).code;
    expect(await codeOf(ask('RATELIMIT'))).toBe('rate_limited');
    fake.queueReply({ status: 400, code: 'context_length_exceeded' });
    expect(await codeOf(turn())).toBe('context_too_long');
    fake.queueReply({ status: 500 });
    expect(await codeOf(turn())).toBe('provider_error');

    fake.delay('responses.create', 1_000);
    const impatient = new OpenAI({ apiKey: 'test', baseURL: fake.url, maxRetries: 0, timeout: 50 });
    expect(await codeOf(turn(), createResponsesModel(impatient))).toBe('provider_timeout');
    const closed = await startFakeOpenAI();
    await closed.close();
    const nowhere = new OpenAI({ apiKey: 'test', baseURL: closed.url, maxRetries: 0 });
    expect(await codeOf(turn(), createResponsesModel(nowhere))).toBe('provider_unavailable');
  });

  it('finishes with length when the answer is cut off', async () => {
    const { events } = await run(model(), ask('INCOMPLETE long'));
    expect(events.slice(-2)).toEqual([
      { type: 'usage', inputTokens: expect.any(Number), outputTokens: 6 },
      { type: 'finish', reason: 'length' },
    ]);
  });

  it('stops at once when aborted mid-stream, and the provider sees the disconnect', async () => {
    await expectPromptAbort(model(), 'responses.create');
  });
});

describe('chat completions adapter', () => {
  const model = () => createChatCompletionsModel(client);

  it('yields text deltas as they come, then usage, then finish', () => expectPlainText(model(), 30));

  it('sends instructions and numbered passages as the system message, then the history and the text', async () => {
    await run(
      model(),
      turn({
        user: { text: 'Summarise', imageFileIds: ['file-img1'] },
        passages: [
          { attachmentId: 'a1', filename: 'a.txt', text: 'Alpha.', quote: 'Alpha.' },
          { attachmentId: 'a2', filename: 'b.txt', text: 'Beta.', quote: 'Beta.' },
        ],
      }),
    );
    const body = recorded('chat.completions.create');
    expect(body).toMatchObject({
      model: 'provider-model',
      messages: [
        {
          role: 'system',
          content: expect.stringMatching(
            /^Be helpful\.\n\n.*cite.*\n\n\[1\] a\.txt: Alpha\.\n\n\[2\] b\.txt: Beta\.$/s,
          ),
        },
        { role: 'user', content: 'first question' },
        { role: 'assistant', content: 'first answer' },
        { role: 'user', content: 'Summarise' },
      ],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 500,
    });
    expect(Object.keys(body ?? {})).not.toContain('tools');
  });

  it('fails with provider_error after the text that came before a mid-stream error', async () => {
    const { events, error } = await run(model(), ask('ERROR midway'));
    expect(texts(events)).toEqual(['You ', 'said: ', 'ERROR ']);
    expect(events.every((event) => event.type === 'text')).toBe(true);
    expect(error).toMatchObject({ code: 'provider_error' });
  });

  it('maps a rate limit to rate_limited', async () => {
    const { events, error } = await run(model(), ask('RATELIMIT'));
    expect(events).toEqual([]);
    expect(error).toBeInstanceOf(ModelError);
    expect(error).toMatchObject({ code: 'rate_limited' });
  });

  it('finishes with length when the answer is cut off', async () => {
    const { events } = await run(model(), ask('INCOMPLETE long'));
    expect(events.slice(-2)).toEqual([
      { type: 'usage', inputTokens: expect.any(Number), outputTokens: 6 },
      { type: 'finish', reason: 'length' },
    ]);
  });

  it('stops at once when aborted mid-stream, and the server sees the disconnect', async () => {
    await expectPromptAbort(model(), 'chat.completions.create');
  });
});
