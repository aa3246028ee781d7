import OpenAI, { APIError, BadRequestError, NotFoundError, RateLimitError, toFile } from 'openai';
import type { ResponseStreamEvent } from 'openai/resources/responses/responses';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { FakeOpenAI } from '@/tests/support/fake-openai';
import { fakeWithClientForFile } from '@/tests/support/fake-openai/with-client';

const setup = fakeWithClientForFile();
let fake: FakeOpenAI;
let client: OpenAI;
beforeEach(() => {
  ({ fake, client } = setup);
});

const now = () => performance.timeOrigin + performance.now();
const lastRequest = (endpoint: string) => fake.requests.findLast((request) => request.endpoint === endpoint);

/** Runs the SDK's stream helper to the end, keeping every event it emitted. */
async function streamed(params: Parameters<OpenAI['responses']['stream']>[0]) {
  const stream = client.responses.stream(params);
  const events: ResponseStreamEvent[] = [];
  stream.on('event', (event) => events.push(event));
  const response = await stream.finalResponse();
  return { events, response, types: events.map((event) => event.type) };
}

const deltas = (events: ResponseStreamEvent[]) =>
  events.flatMap((event) => (event.type === 'response.output_text.delta' ? [event.delta] : []));

/** An indexed store holding text files, each tagged with its attachment id. */
async function storeWith(files: { name: string; text: string; attachmentId: string }[]) {
  const store = await client.vectorStores.create({ name: 'chat' });
  const ids: string[] = [];
  for (const { name, text, attachmentId } of files) {
    const file = await client.files.create({
      file: await toFile(Buffer.from(text), name, { type: 'text/plain' }),
      purpose: 'assistants',
    });
    await client.vectorStores.files.createAndPoll(store.id, {
      file_id: file.id,
      attributes: { attachment_id: attachmentId },
    });
    ids.push(file.id);
  }
  return { storeId: store.id, fileIds: ids };
}

describe('POST /responses', () => {
  it('streams an echo the SDK helper accepts, with usage and timings', async () => {
    const started = now();
    const { events, response, types } = await streamed({
      model: 'gpt-test',
      instructions: 'Be brief.',
      input: [
        { role: 'user', content: 'earlier' },
        { role: 'assistant', content: 'noted' },
        { role: 'user', content: [{ type: 'input_text', text: 'Hello there, model' }] },
      ],
    });

    expect(types).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      ...Array(5).fill('response.output_text.delta'),
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((event) => event.sequence_number)).toEqual(events.map((_, i) => i));
    expect(deltas(events)).toEqual(['You ', 'said: ', 'Hello ', 'there, ', 'model']);
    expect(events[0]).toMatchObject({
      response: { status: 'in_progress', output: [], usage: null, model: 'gpt-test' },
    });
    expect(response).toMatchObject({ status: 'completed', output_text: 'You said: Hello there, model' });
    const inputChars =
      'Be brief.'.length + JSON.stringify(lastRequest('responses.create')?.body?.input).length;
    expect(response.usage).toMatchObject({
      input_tokens: Math.ceil(inputChars / 4),
      output_tokens: Math.ceil('You said: Hello there, model'.length / 4),
    });

    const record = lastRequest('responses.create');
    expect(record?.body).toMatchObject({ model: 'gpt-test', instructions: 'Be brief.', stream: true });
    const timings = record?.stream;
    expect(timings).toMatchObject({ clientClosed: false });
    expect(timings?.firstTokenAt).toBeGreaterThan(started);
    expect(timings?.finishedAt).toBeGreaterThanOrEqual(timings?.firstTokenAt ?? Number.NaN);
    await vi.waitFor(() => expect(record?.stream?.closedAt).toBeGreaterThanOrEqual(timings?.finishedAt ?? 0));
  });

  it('answers without a stream with the response object', async () => {
    const response = await client.responses.create({ model: 'gpt-test', input: 'plain' });
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      output_text: 'You said: plain',
    });
    expect(lastRequest('responses.create')?.stream).toBeUndefined();
  });

  it('serves the Azure v1 mount', async () => {
    const azure = new OpenAI({ apiKey: 'test', baseURL: `${fake.origin}/openai/v1`, maxRetries: 0 });
    const response = await azure.responses.stream({ model: 'deployment', input: 'hi' }).finalResponse();
    expect(response.output_text).toBe('You said: hi');
    expect(lastRequest('responses.create')?.path).toBe('/openai/v1/responses');
  });

  it('requires model and input', async () => {
    await expect(client.responses.create({ input: 'x' } as never)).rejects.toMatchObject({
      status: 400,
      param: 'model',
    });
    await expect(client.responses.create({ model: 'm' } as never)).rejects.toMatchObject({
      status: 400,
      param: 'input',
    });
  });

  describe('file_search', () => {
    it('searches, then quotes and cites the top hit between deltas', async () => {
      const { storeId, fileIds } = await storeWith([
        { name: 'refunds.txt', text: 'Refunds take 14 days after the return arrives.', attachmentId: 'a1' },
        { name: 'other.txt', text: 'Shipping is free.', attachmentId: 'a2' },
      ]);
      const { events, response, types } = await streamed({
        model: 'gpt-test',
        input: [{ role: 'user', content: [{ type: 'input_text', text: 'How long do refunds take?' }] }],
        tools: [
          {
            type: 'file_search',
            vector_store_ids: [storeId],
            max_num_results: 5,
            filters: { type: 'in', key: 'attachment_id', value: ['a1', 'a2'] },
          },
        ],
        include: ['file_search_call.results'],
      });

      expect(types.slice(2, 7)).toEqual([
        'response.output_item.added',
        'response.file_search_call.in_progress',
        'response.file_search_call.searching',
        'response.file_search_call.completed',
        'response.output_item.done',
      ]);
      const citation = { type: 'file_citation', file_id: fileIds[0], filename: 'refunds.txt', index: 25 };
      const annotationAt = types.indexOf('response.output_text.annotation.added');
      expect(types[annotationAt - 1]).toBe('response.output_text.delta');
      expect(types[annotationAt + 1]).toBe('response.output_text.delta');
      expect(events[annotationAt]).toMatchObject({ annotation_index: 0, annotation: citation });
      expect(response.output_text).toBe(
        'According to refunds.txt: "Refunds take 14 days after the return arrives."',
      );
      expect(response.output[0]).toMatchObject({
        type: 'file_search_call',
        status: 'completed',
        queries: ['How long do refunds take?'],
        results: [{ file_id: fileIds[0], filename: 'refunds.txt', attributes: { attachment_id: 'a1' } }],
      });
      expect(response.output[1]).toMatchObject({ type: 'message', content: [{ annotations: [citation] }] });
    });

    it('honours the filter, and answers plainly without hits; results only when included', async () => {
      const { storeId } = await storeWith([
        { name: 'refunds.txt', text: 'Refunds take 14 days.', attachmentId: 'a1' },
      ]);
      const { response } = await streamed({
        model: 'gpt-test',
        input: 'FILESEARCH: refunds',
        tools: [
          {
            type: 'file_search',
            vector_store_ids: [storeId],
            filters: { type: 'eq', key: 'attachment_id', value: 'other' },
          },
        ],
      });
      expect(response.output[0]).toMatchObject({
        type: 'file_search_call',
        queries: ['refunds'],
        results: null,
      });
      expect(response.output_text).toBe('You said: FILESEARCH: refunds');
    });

    it('rejects unknown stores, too many stores and bad filters', async () => {
      const { storeId } = await storeWith([]);
      const tool = (extra: object) => ({
        type: 'file_search' as const,
        vector_store_ids: [storeId],
        ...extra,
      });
      await expect(
        client.responses.create({
          model: 'm',
          input: 'x',
          tools: [tool({ vector_store_ids: ['vs_missing'] })],
        }),
      ).rejects.toBeInstanceOf(NotFoundError);
      await expect(
        client.responses.create({
          model: 'm',
          input: 'x',
          tools: [tool({ vector_store_ids: [storeId, storeId, storeId] })],
        }),
      ).rejects.toBeInstanceOf(BadRequestError);
      await expect(
        client.responses.create({
          model: 'm',
          input: 'x',
          tools: [tool({ filters: { type: 'like', key: 'k', value: 1 } })],
        }),
      ).rejects.toMatchObject({ status: 400, param: 'filters' });
    });
  });

  it('runs the code interpreter on CODEINTERP when the tool is there', async () => {
    const { events, response, types } = await streamed({
      model: 'gpt-test',
      input: 'CODEINTERP 6 times 7',
      tools: [{ type: 'code_interpreter', container: { type: 'auto', file_ids: [] } }],
      include: ['code_interpreter_call.outputs'],
    });

    const code = 'print("6 times 7")';
    expect(types.slice(2, 4)).toEqual([
      'response.output_item.added',
      'response.code_interpreter_call.in_progress',
    ]);
    const codeDeltas = events.flatMap((e) =>
      e.type === 'response.code_interpreter_call_code.delta' ? [e.delta] : [],
    );
    expect(codeDeltas.length).toBeGreaterThan(1);
    expect(codeDeltas.join('')).toBe(code);
    expect(types.slice(4 + codeDeltas.length, 9 + codeDeltas.length)).toEqual([
      'response.code_interpreter_call_code.done',
      'response.code_interpreter_call.interpreting',
      'response.code_interpreter_call.completed',
      'response.output_item.done',
      'response.output_item.added',
    ]);
    expect(response.output[0]).toMatchObject({
      type: 'code_interpreter_call',
      status: 'completed',
      code,
      container_id: expect.stringMatching(/^cntr_/),
      outputs: [{ type: 'logs', logs: '6 times 7\n' }],
    });
    expect(response.output_text).toBe('The code printed: 6 times 7');

    const withoutTool = await client.responses.create({ model: 'm', input: 'CODEINTERP 1' });
    expect(withoutTool.output.map((item) => item.type)).toEqual(['message']);
  });

  it('ends INCOMPLETE replies cut off by max output tokens', async () => {
    const { events, response, types } = await streamed({ model: 'm', input: 'INCOMPLETE a long answer' });
    expect(deltas(events)).toEqual(['You ', 'said: ', 'INCOMPLETE ']);
    expect(types.at(-1)).toBe('response.incomplete');
    expect(response).toMatchObject({
      status: 'incomplete',
      incomplete_details: { reason: 'max_output_tokens' },
      output_text: 'You said: INCOMPLETE ',
    });
  });

  it('fails ERROR replies mid-stream with the nested error event, then response.failed', async () => {
    const raw = await fetch(`${fake.url}/responses`, {
      method: 'POST',
      body: JSON.stringify({ model: 'm', input: 'ERROR now', stream: true }),
    });
    const frames = (await raw.text()).trim().split('\n\n');
    expect(frames.at(-2)).toMatch(
      /^event: error\ndata: \{"type":"error","sequence_number":\d+,"error":\{"type":"server_error","code":"server_error",/,
    );
    expect(JSON.parse(frames.at(-1)?.split('data: ')[1] ?? '')).toMatchObject({
      type: 'response.failed',
      response: { status: 'failed', error: { code: 'server_error' } },
    });

    const stream = client.responses.stream({ model: 'm', input: 'ERROR now' });
    const texts: string[] = [];
    stream.on('response.output_text.delta', (event) => texts.push(event.delta));
    const err = await stream.finalResponse().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ status: undefined, code: 'server_error' });
    expect(texts).toEqual(['You ', 'said: ', 'ERROR ']);
  });

  it('refuses RATELIMIT before any stream with a 429 the SDK must not retry', async () => {
    const retrying = new OpenAI({ apiKey: 'test', baseURL: fake.url, maxRetries: 2 });
    const err = await retrying.responses
      .stream({ model: 'm', input: 'RATELIMIT' })
      .finalResponse()
      .catch((e) => e);
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded' });
    expect((err as RateLimitError).headers?.get('x-should-retry')).toBe('false');
    expect(fake.requests).toHaveLength(1);
  });

  it('stops writing as soon as the client aborts a SLOW stream', async () => {
    const controller = new AbortController();
    const stream = await client.responses.create(
      { model: 'm', input: 'SLOW please', stream: true },
      { signal: controller.signal },
    );
    let received = 0;
    let abortedAt = 0;
    for await (const event of stream) {
      if (event.type === 'response.output_text.delta' && ++received === 3) {
        abortedAt = now();
        controller.abort();
      }
    }

    const record = lastRequest('responses.create');
    await vi.waitFor(() => expect(record?.stream?.closedAt).toBeDefined());
    expect(record?.stream?.clientClosed).toBe(true);
    expect(record?.stream?.finishedAt).toBeUndefined();
    expect((record?.stream?.closedAt ?? 0) - abortedAt).toBeLessThan(200);
    expect(received).toBe(3);
  });
});

describe('POST /chat/completions', () => {
  it('streams data-only chunks, then usage, then [DONE]', async () => {
    const stream = await client.chat.completions.create({
      model: 'local',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: [{ type: 'text', text: 'Hi there' }] },
      ],
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);

    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? null).slice(1, -2)).toEqual([
      'You ',
      'said: ',
      'Hi ',
      'there',
    ]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
    expect(chunks.at(-1)).toMatchObject({ choices: [], usage: { completion_tokens: 5 } });
    expect(lastRequest('chat.completions.create')?.stream).toMatchObject({ clientClosed: false });

    const raw = await fetch(`${fake.url}/chat/completions`, {
      method: 'POST',
      body: JSON.stringify({ model: 'local', messages: [{ role: 'user', content: 'x' }], stream: true }),
    });
    const body = await raw.text();
    expect(body).not.toMatch(/^event:|"usage"/m);
    expect(body.trimEnd().endsWith('data: [DONE]')).toBe(true);
  });

  it('answers without a stream, and runs the same scenarios', async () => {
    const completion = await client.chat.completions.create({
      model: 'local',
      messages: [{ role: 'user', content: 'INCOMPLETE cut short here' }],
    });
    expect(completion.choices[0]).toMatchObject({
      finish_reason: 'length',
      message: { content: 'You said: INCOMPLETE ' },
    });
    await expect(
      client.chat.completions.create({ model: 'local', messages: [{ role: 'user', content: 'RATELIMIT' }] }),
    ).rejects.toBeInstanceOf(RateLimitError);

    const failing = await client.chat.completions.create({
      model: 'local',
      messages: [{ role: 'user', content: 'ERROR now' }],
      stream: true,
    });
    const texts: string[] = [];
    const err = await (async () => {
      for await (const chunk of failing) texts.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(APIError);
    expect(err).toMatchObject({ status: undefined, code: 'server_error' });
    expect(texts.join('')).toBe('You said: ERROR ');
  });
});

describe('scripted replies', () => {
  it('override the scenario, first in first out, across both endpoints', async () => {
    fake.queueReply({ chunks: ['Hel', 'lo!'], usage: { input_tokens: 7, output_tokens: 2 } });
    fake.queueReply({ text: 'second reply' });

    const { events, response } = await streamed({ model: 'm', input: 'ERROR ignored' });
    expect(deltas(events)).toEqual(['Hel', 'lo!']);
    expect(response.usage).toMatchObject({ input_tokens: 7, output_tokens: 2, total_tokens: 9 });
    const completion = await client.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(completion.choices[0]?.message.content).toBe('second reply');
    expect((await client.responses.create({ model: 'm', input: 'back' })).output_text).toBe('You said: back');
  });

  it('fail before or during the stream', async () => {
    fake.queueReply({ status: 503 });
    fake.queueReply({ text: 'one two three four', errorAfterChunks: 2 });

    await expect(client.responses.create({ model: 'm', input: 'x' })).rejects.toMatchObject({ status: 503 });
    const stream = client.responses.stream({ model: 'm', input: 'x' });
    const texts: string[] = [];
    stream.on('response.output_text.delta', (event) => texts.push(event.delta));
    await expect(stream.finalResponse()).rejects.toMatchObject({ code: 'server_error' });
    expect(texts).toEqual(['one ', 'two ']);
  });

  it('are controllable over HTTP, with a global pace, and forgotten on reset', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${fake.origin}/__fake/${path}`, { method: 'POST', body: JSON.stringify(body) });
    expect((await post('replies', { text: 'via http', delayMs: 'soon' })).status).toBe(400);
    expect((await post('replies', { status: 429, code: 'insufficient_quota' })).status).toBe(200);
    expect((await post('pace', { delayMs: 40 })).status).toBe(200);

    await expect(client.responses.create({ model: 'm', input: 'x' })).rejects.toMatchObject({
      status: 429,
      code: 'insufficient_quota',
    });
    const started = now();
    await streamed({ model: 'm', input: 'one two' });
    expect(now() - started).toBeGreaterThanOrEqual(3 * 40 - 5);

    await post('replies', { text: 'never used' });
    await post('reset', {});
    const begun = now();
    expect((await streamed({ model: 'm', input: 'a b c' })).response.output_text).toBe('You said: a b c');
    expect(now() - begun).toBeLessThan(100);
  });
});
