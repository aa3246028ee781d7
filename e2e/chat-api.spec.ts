import { randomUUID } from 'node:crypto';
import { expect, test } from '@playwright/test';
import { E2E_METRICS_TOKEN } from '@/playwright.config';
import {
  type ApiUser,
  api,
  createApiUser,
  createChat,
  expectNoProviderLeak,
  expectProblem,
  fake,
  postMessage,
  readStream,
  uploadFile,
  waitUntilReady,
} from './api-helpers';

/**
 * Sending messages over plain HTTP against the production build: the event stream as a client
 * reads it (not buffered by Next), cancellation by disconnecting, and the pre-stream refusals.
 */

const GRAMMAR = /^stream_started( ping)*( (delta|tool))*( citations)? (done|error)$/;
const names = (events: { event: string }[]) => events.map((e) => e.event).join(' ');

let user: ApiUser;

test.beforeAll(async ({ browser }) => {
  user = await createApiUser(browser);
});

test.beforeEach(async () => {
  await fake.reset();
});

test('an answer streams token by token, in the grammar, with citations that name our attachment', async () => {
  const chatId = await createChat(user.token, 'gpt-4.1-mini');
  const upload = await uploadFile(user.token, chatId, {
    filename: 'policy.txt',
    contentType: 'text/plain',
    data: 'Refunds. Damaged goods are refunded in full within 14 days of the return reaching us.',
  });
  expect(upload.status, upload.text).toBe(201);
  await waitUntilReady(user.token, chatId, upload.json.id);

  const response = await postMessage(user.token, chatId, { content: 'FILESEARCH: damaged goods refunded' });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
  const { events } = await readStream(response);
  expect(names(events)).toMatch(GRAMMAR);
  const citations = events.find((e) => e.event === 'citations')?.data.items;
  expect(citations).toEqual([{ attachment_id: upload.json.id, filename: 'policy.txt' }]);
  expect(events.at(-1)?.event).toBe('done');
});

test('deltas reach the client as the model writes them, not at the end', async () => {
  const chatId = await createChat(user.token, 'gpt-4.1-mini');
  await fake.pace(40);
  const { events } = await readStream(
    await postMessage(user.token, chatId, { content: 'one two three four five six' }),
  );
  const deltas = events.filter((e) => e.event === 'delta');
  expect(deltas.length).toBeGreaterThan(5);
  // Paced 40 ms apart at the model, the deltas cannot all have arrived in one buffered burst.
  expect((deltas.at(-1)?.at ?? 0) - (deltas[0]?.at ?? 0)).toBeGreaterThan(100);
});

test('closing the connection cancels the turn and aborts the model request within 200 ms', async () => {
  const chatId = await createChat(user.token, 'gpt-4.1-mini');
  const requestId = randomUUID();
  const abort = new AbortController();
  const response = await postMessage(
    user.token,
    chatId,
    { content: 'SLOW story', request_id: requestId },
    abort.signal,
  );
  const { abortedAt } = await readStream(response, {
    abort,
    stopWhen: (events) => events.filter((e) => e.event === 'delta').length >= 3,
  });

  await expect
    .poll(
      async () =>
        (await api('GET', `/api/chats/${chatId}/turns/${requestId}`, { token: user.token })).json.state,
    )
    .toBe('cancelled');
  const call = (await fake.requests()).find((r) => r.endpoint === 'responses.create');
  expect(call?.stream?.clientClosed).toBe(true);
  expect((call?.stream?.closedAt as number) - (abortedAt as number)).toBeLessThan(200);

  const list = await api('GET', `/api/chats/${chatId}/messages`, { token: user.token });
  expect(list.json.items.at(-1)).toMatchObject({ role: 'assistant', state: 'cancelled' });
  expect(list.json.items.at(-1).content.length).toBeGreaterThan(0);
});

test('refusals before the stream are problem JSON; a repeated request id is replayed', async ({
  browser,
}) => {
  // A second organisation signs up in the browser midway: room for a busy machine.
  test.setTimeout(90_000);
  const chatId = await createChat(user.token, 'gpt-4.1-mini');
  const empty = await postMessage(user.token, chatId, { content: '   ' });
  expectProblem(
    { status: empty.status, headers: empty.headers, text: await empty.text() },
    400,
    'validation_error',
  );

  const bogus = await postMessage(user.token, chatId, { content: 'hi', attachment_ids: [randomUUID()] });
  const { request_id: _bogusRequest, ...missing } = expectProblem(
    { status: bogus.status, headers: bogus.headers, text: await bogus.text() },
    400,
    'invalid_attachment',
  );
  // Another organisation's attachment answers exactly like an id that was never issued.
  const outsider = await createApiUser(browser);
  const theirChat = await createChat(outsider.token, 'gpt-4.1-mini');
  const theirs = await uploadFile(outsider.token, theirChat, {
    filename: 'theirs.txt',
    contentType: 'text/plain',
    data: 'Not yours to send.',
  });
  expect(theirs.status, theirs.text).toBe(201);
  await waitUntilReady(outsider.token, theirChat, theirs.json.id);
  const foreign = await postMessage(user.token, chatId, { content: 'hi', attachment_ids: [theirs.json.id] });
  const { request_id: _foreignRequest, ...unknown } = expectProblem(
    { status: foreign.status, headers: foreign.headers, text: await foreign.text() },
    400,
    'invalid_attachment',
  );
  expect(unknown).toEqual(missing);

  const abort = new AbortController();
  const slow = await postMessage(user.token, chatId, { content: 'SLOW one' }, abort.signal);
  const busy = await postMessage(user.token, chatId, { content: 'two' });
  expectProblem(
    { status: busy.status, headers: busy.headers, text: await busy.text() },
    409,
    'generation_in_progress',
  );
  abort.abort();
  await slow.body?.cancel().catch(() => {});

  // Once the stopped turn has ended, a send with a fresh request id goes through and is read whole.
  const requestId = randomUUID();
  await expect
    .poll(async () => {
      const response = await postMessage(user.token, chatId, { content: 'once', request_id: requestId });
      if (response.status === 200) await readStream(response);
      else await response.body?.cancel();
      return response.status;
    })
    .toBe(200);
  const calls = (await fake.requests()).filter((r) => r.endpoint === 'responses.create').length;
  const again = await readStream(
    await postMessage(user.token, chatId, { content: 'once', request_id: requestId }),
  );
  expect(names(again.events)).toBe('stream_started delta done');
  expect(again.events[0]?.data.is_new_turn).toBe(false);
  expect((await fake.requests()).filter((r) => r.endpoint === 'responses.create')).toHaveLength(calls);

  const stranger = await api('POST', `/api/chats/${chatId}/messages`, {
    token: null,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ content: 'hi' }),
  });
  expectProblem(stranger, 401, 'unauthorized');
});

test('the offline model quotes the matching passage of a document and cites it', async () => {
  const chatId = await createChat(user.token, 'offline');
  const upload = await uploadFile(user.token, chatId, {
    filename: 'handbook.md',
    contentType: 'text/markdown',
    data: '# Leave\n\nEach employee has 25 days of paid leave a year.\n\n# Travel\n\nTrains are booked in second class.',
  });
  expect(upload.status).toBe(201);
  await waitUntilReady(user.token, chatId, upload.json.id);
  const { events } = await readStream(
    await postMessage(user.token, chatId, { content: 'How many days of paid leave?' }),
  );
  const text = events
    .filter((e) => e.event === 'delta')
    .map((e) => e.data.content)
    .join('');
  expect(text).toContain('25 days of paid leave');
  expect(text).not.toContain('second class');
  expect(events.find((e) => e.event === 'citations')?.data.items[0]).toMatchObject({
    attachment_id: upload.json.id,
    filename: 'handbook.md',
  });
});

test('models list only what a client may know, and the stream metrics are exported', async () => {
  const models = await api('GET', '/api/models', { token: user.token });
  expect(models.status).toBe(200);
  expect(models.json.default_model).toBe('offline');
  expect(models.json.items.map((m: { id: string }) => m.id)).toEqual(
    expect.arrayContaining(['gpt-4.1-mini', 'offline']),
  );
  expect(models.json.items.find((m: { id: string }) => m.id === 'offline')).toMatchObject({
    display_name: 'Offline (no model)',
    capabilities: ['file_search'],
  });
  expectNoProviderLeak(models.text, 'models');

  const chatId = await createChat(user.token, 'gpt-4.1-mini');
  await readStream(await postMessage(user.token, chatId, { content: 'count me' }));
  const metrics = await api('GET', '/api/metrics', {
    headers: { authorization: `Bearer ${E2E_METRICS_TOKEN}` },
  });
  expect(metrics.text).toMatch(
    /mini_chat_stream_started_total\{provider="openai",model="gpt-4.1-mini"\} [1-9]/,
  );
  expect(metrics.text).toMatch(
    /mini_chat_ttft_provider_ms_count\{provider="openai",model="gpt-4.1-mini"\} [1-9]/,
  );
});
