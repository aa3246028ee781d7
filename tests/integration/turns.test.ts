import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteAttachment, getAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { deleteChat } from '@/lib/chats/service';
import { attachments, chats, chatTurns, messageAttachments, messages, tenantSettings } from '@/lib/db/schema';
import { newId } from '@/lib/ids';
import { createChatModelRegistry } from '@/lib/llm/registry';
import { listMessages } from '@/lib/messages/service';
import { getDb } from '@/lib/runtime';
import { citedAttachments } from '@/lib/turns/runner';
import { cancelTurn, getTurn, retryTurn, sendMessage } from '@/lib/turns/service';
import { reapOrphanTurns, requestCancel } from '@/lib/turns/store';
import { fakeOpenAIForFile, fileInput, makeChat, type TestDeps } from '@/tests/support/attachments';
import type { FakeOpenAI } from '@/tests/support/fake-openai';
import { failure, makeUser, type TestUser } from '@/tests/support/fixtures';
import { pdf, png, XLSX_TYPE, xlsx } from '@/tests/support/sample-files';
import {
  answerOf,
  GRAMMAR,
  makeTurnDeps,
  names,
  readEvents,
  type TestTurnDeps,
  turnBed,
} from '@/tests/support/turns';

let fake: FakeOpenAI;
let files: TestDeps;
let deps: TestTurnDeps;
let user: TestUser;

const server = fakeOpenAIForFile();
beforeEach(async () => {
  ({ fake, files, deps, user } = await turnBed(server()));
});

async function uploadReady(chatId: string, ...args: Parameters<typeof fileInput>) {
  const outcome = await uploadFile(files, user.caller, chatId, fileInput(...args));
  await outcome.indexing?.();
  return getAttachment(files, user.caller, chatId, outcome.attachment.id);
}

async function send(chatId: string, body: Record<string, unknown>, who = user) {
  const turn = await sendMessage(deps, who.caller, chatId, body);
  const events = await readEvents(turn.body);
  await turn.finished;
  return events;
}

const REFUND_POLICY = [
  'Shipping. Orders leave our warehouse within two working days of payment.',
  'Refunds. Damaged goods are refunded in full within 14 days of the return reaching us; the refund goes to the original card.',
  'Warranty. Every appliance carries a two-year warranty against manufacturing defects.',
].join('\n\n');

const turnsOf = async (chatId: string) =>
  (await getDb()).select().from(chatTurns).where(eq(chatTurns.chatId, chatId));
const responsesCalls = () => fake.requests.filter((r) => r.endpoint === 'responses.create');

describe('the offline model (no language model configured)', () => {
  it('quotes the passage of an uploaded document that answers the question, and cites it', async () => {
    const chatId = await makeChat(user, 'offline');
    await (await getDb()).update(chats).set({ title: null }).where(eq(chats.id, chatId));
    const doc = await uploadReady(chatId, REFUND_POLICY, { filename: 'policy.txt' });
    expect(doc.status).toBe('ready');

    const events = await send(chatId, { content: 'How are damaged goods refunded?' });

    expect(names(events).join(' ')).toMatch(GRAMMAR);
    expect(names(events)).toEqual(expect.arrayContaining(['tool', 'citations', 'done']));
    const answer = answerOf(events);
    expect(answer).toContain('Damaged goods are refunded in full within 14 days');
    expect(answer).not.toContain('Every appliance carries');
    expect(answer).toMatch(/OPENAI_API_KEY/);
    const citations = events.find((e) => e.event === 'citations')?.data.items as { attachment_id: string }[];
    expect(citations[0]).toMatchObject({ attachment_id: doc.id, filename: 'policy.txt' });
    expect(citations[0]).toHaveProperty('quote', expect.stringContaining('refunded in full'));

    const page = await listMessages(await getDb(), user.caller, chatId, {});
    expect(page.items.map((m) => m.role)).toEqual(['user', 'assistant']);
    expect(page.items[1]).toMatchObject({ state: 'completed', content: answer, citations });
    const [chat] = await (await getDb()).select().from(chats).where(eq(chats.id, chatId));
    expect(chat?.title).toBe('How are damaged goods refunded?');
  });

  it('cites the page of a PDF where the quoted passage starts, in the stream and in the history', async () => {
    const chatId = await makeChat(user, 'offline');
    const page = (n: number, text: string) =>
      `Page ${n}. ${'This page is about something else entirely. '.repeat(20)}${text}`;
    const manual = pdf(
      page(1, 'Shipping takes two working days.'),
      page(2, 'Every appliance carries a two-year warranty.'),
      page(3, 'Damaged goods are refunded in full within 14 days.'),
    );
    const doc = await uploadReady(chatId, manual, { filename: 'manual.pdf', type: 'application/pdf' });
    const notes = await uploadReady(chatId, 'Damaged parcels: photograph them first.', {
      filename: 'notes.txt',
    });

    const events = await send(chatId, { content: 'How are damaged goods refunded?' });

    const citations = events.find((e) => e.event === 'citations')?.data.items as Record<string, unknown>[];
    expect(citations[0]).toMatchObject({ attachment_id: doc.id, filename: 'manual.pdf', page: 3 });
    expect(citations[0]?.quote).toContain('refunded in full');
    const fromText = citations.find((c) => c.attachment_id === notes.id);
    expect(fromText).toBeDefined();
    expect(fromText).not.toHaveProperty('page');
    const history = await listMessages(await getDb(), user.caller, chatId, {});
    expect(history.items[1]?.citations).toEqual(citations);
  });

  it('says so when the chat has no documents, and cites nothing', async () => {
    const chatId = await makeChat(user, 'offline');
    const events = await send(chatId, { content: 'What is the refund window?' });
    expect(names(events)).toEqual(['stream_started', 'delta', 'delta', 'done']);
    expect(answerOf(events)).toMatch(/has none I can search/);
  });

  it('a deleted document is no longer searched', async () => {
    const chatId = await makeChat(user, 'offline');
    const doc = await uploadReady(chatId, REFUND_POLICY, { filename: 'policy.txt' });
    await deleteAttachment(files, user.caller, chatId, doc.id);
    const events = await send(chatId, { content: 'damaged goods refund' });
    expect(answerOf(events)).not.toContain('refunded in full');
    expect(names(events)).not.toContain('citations');
  });
});

describe('sending to an OpenAI model', () => {
  it('streams the answer in the grammar and stores it with its usage', async () => {
    const chatId = await makeChat(user);
    const events = await send(chatId, { content: 'hello there' });
    expect(names(events).join(' ')).toMatch(GRAMMAR);
    expect(events[0]?.data).toMatchObject({ is_new_turn: true });
    expect(answerOf(events)).toBe('You said: hello there');
    const done = events.at(-1)?.data as { usage: { input_tokens: number; output_tokens: number } };
    expect(done.usage.output_tokens).toBeGreaterThan(0);
    const page = await listMessages(await getDb(), user.caller, chatId, {});
    expect(page.items[1]).toMatchObject({
      role: 'assistant',
      content: 'You said: hello there',
      output_tokens: done.usage.output_tokens,
      model: 'gpt-test',
    });
  });

  it('maps file_search citations to our attachment ids and never sends a provider id', async () => {
    const chatId = await makeChat(user);
    const doc = await uploadReady(chatId, REFUND_POLICY, { filename: 'policy.txt' });
    const turn = await sendMessage(deps, user.caller, chatId, {
      content: 'FILESEARCH: damaged goods refunded',
    });
    const raw = await new Response(turn.body).text();
    await turn.finished;
    expect(raw).not.toMatch(/file-|vs_|assistant-/);
    expect(raw).toContain('event: citations');
    expect(raw).toContain(`"attachment_id":"${doc.id}"`);

    const request = responsesCalls().at(-1)?.body as { tools: Record<string, unknown>[] };
    expect(request.tools).toEqual([
      expect.objectContaining({
        type: 'file_search',
        filters: { type: 'in', key: 'attachment_id', value: [doc.id] },
      }),
    ]);
  });

  it('drops citations of files that are not live attachments of the chat', async () => {
    const chatId = await makeChat(user);
    const otherChat = await makeChat(user);
    const kept = await uploadReady(chatId, 'kept notes', { filename: 'kept.txt' });
    const removed = await uploadReady(chatId, 'removed notes', { filename: 'removed.txt' });
    const foreign = await uploadReady(otherChat, 'other notes', { filename: 'other.txt' });
    await deleteAttachment(files, user.caller, chatId, removed.id);
    const rows = await (await getDb()).select().from(attachments);
    const fileOf = (id: string) => rows.find((r) => r.id === id)?.providerFileId as string;
    const cited = await citedAttachments(await getDb(), chatId, [
      'file-unknown',
      fileOf(removed.id),
      fileOf(foreign.id),
      fileOf(kept.id),
    ]);
    expect(cited).toEqual([{ attachment_id: kept.id, filename: 'kept.txt' }]);
  });

  it('sends the message images by file id and its spreadsheets to the code interpreter', async () => {
    const chatId = await makeChat(user);
    const image = await uploadReady(chatId, await png(), { filename: 'chart.png', type: 'image/png' });
    const sheet = await uploadReady(chatId, xlsx(), { filename: 'sales.xlsx', type: XLSX_TYPE });
    const events = await send(chatId, {
      content: 'CODEINTERP sum the sales',
      attachment_ids: [image.id, sheet.id],
    });
    expect(names(events).join(' ')).toMatch(GRAMMAR);
    expect(events.filter((e) => e.event === 'tool').map((e) => e.data)).toEqual([
      { name: 'code_interpreter', phase: 'started' },
      {
        name: 'code_interpreter',
        phase: 'completed',
        code: 'print("sum the sales")',
        output: 'sum the sales\n',
      },
    ]);
    expect(answerOf(events)).toBe('The code printed: sum the sales');
    // Kept with the answer for whoever reads it later.
    const page = await listMessages(await getDb(), user.caller, chatId, {});
    expect(page.items[1]?.tools).toEqual([
      { name: 'code_interpreter', code: 'print("sum the sales")', output: 'sum the sales\n' },
    ]);
    const [imageRow] = await (await getDb()).select().from(attachments).where(eq(attachments.id, image.id));
    const [sheetRow] = await (await getDb()).select().from(attachments).where(eq(attachments.id, sheet.id));
    const body = responsesCalls().at(-1)?.body as {
      input: { role: string; content: unknown }[];
      tools: unknown[];
    };
    expect(body.input.at(-1)).toMatchObject({
      role: 'user',
      content: [
        { type: 'input_text', text: 'CODEINTERP sum the sales' },
        { type: 'input_image', file_id: imageRow?.providerFileId },
      ],
    });
    expect(body.tools).toContainEqual(
      expect.objectContaining({
        type: 'code_interpreter',
        container: { type: 'auto', file_ids: [sheetRow?.providerFileId] },
      }),
    );
  });

  it('leaves out the tools the tenant switched off', async () => {
    const chatId = await makeChat(user);
    await uploadReady(chatId, REFUND_POLICY, { filename: 'policy.txt' });
    const sheet = await uploadReady(chatId, xlsx(), { filename: 'sales.xlsx', type: XLSX_TYPE });
    await (await getDb())
      .insert(tenantSettings)
      .values({ tenantId: user.caller.tenantId, disableFileSearch: true, disableCodeInterpreter: true });
    const events = await send(chatId, { content: 'damaged goods refund', attachment_ids: [sheet.id] });
    expect(events.at(-1)?.event).toBe('done');
    const body = responsesCalls().at(-1)?.body as { tools?: unknown[]; instructions: string };
    expect(body.tools).toBeUndefined();
    expect(body.instructions).not.toMatch(/documents|code interpreter/);
  });

  it('sends the earlier messages of the chat as history', async () => {
    const chatId = await makeChat(user);
    await send(chatId, { content: 'first question' });
    await send(chatId, { content: 'second question' });
    const body = responsesCalls().at(-1)?.body as { input: { role: string; content: unknown }[] };
    expect(body.input.slice(0, 2)).toEqual([
      { role: 'user', content: 'first question' },
      { role: 'assistant', content: 'You said: first question' },
    ]);
  });

  it('a mid-stream failure ends in one error event, and the turn fails keeping the partial answer', async () => {
    const chatId = await makeChat(user);
    const events = await send(chatId, { content: 'ERROR please' });
    expect(names(events).join(' ')).toMatch(GRAMMAR);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'provider_error' } });
    expect(JSON.stringify(events.at(-1))).not.toMatch(/server_error|internal error occurred/i);
    const [turn] = await turnsOf(chatId);
    expect(turn).toMatchObject({ state: 'failed', errorCode: 'provider_error' });
    const page = await listMessages(await getDb(), user.caller, chatId, {});
    expect(page.items[1]).toMatchObject({
      state: 'failed',
      error_code: 'provider_error',
      content: answerOf(events),
    });
  });

  it('a model that falls silent mid-answer is given up on as provider_timeout', async () => {
    deps = makeTurnDeps(files, fake, { idleTimeoutMs: 300, pingIntervalMs: 100 });
    fake.queueReply({ chunks: ['Starting ', 'and then ', 'silence'], delayMs: 2_000 });
    const chatId = await makeChat(user);
    const events = await send(chatId, { content: 'anything' });
    expect(names(events).join(' ')).toMatch(GRAMMAR);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'provider_timeout' } });
    expect((await turnsOf(chatId))[0]).toMatchObject({ state: 'failed', errorCode: 'provider_timeout' });
  });

  it('a rate-limited provider is reported as rate_limited', async () => {
    const chatId = await makeChat(user);
    const events = await send(chatId, { content: 'RATELIMIT now' });
    expect(names(events)).toEqual(['stream_started', 'error']);
    expect(events[1]?.data).toMatchObject({ code: 'rate_limited' });
  });

  it('a model whose provider is not configured fails the turn with provider_unavailable', async () => {
    const keyless = { ...deps, chatModel: createChatModelRegistry({}) };
    const chatId = await makeChat(user);
    const turn = await sendMessage(keyless, user.caller, chatId, { content: 'hi' });
    const events = await readEvents(turn.body);
    await turn.finished;
    expect(names(events)).toEqual(['stream_started', 'error']);
    expect(events[1]?.data).toMatchObject({ code: 'provider_unavailable' });
    expect((await turnsOf(chatId))[0]).toMatchObject({ state: 'failed', errorCode: 'provider_unavailable' });
  });
});

describe('idempotency and one turn at a time', () => {
  it('replays a completed request id without calling the model', async () => {
    const chatId = await makeChat(user);
    const requestId = newId();
    const first = await send(chatId, { content: 'remember me', request_id: requestId });
    const calls = responsesCalls().length;
    const again = await send(chatId, { content: 'remember me', request_id: requestId });
    expect(responsesCalls()).toHaveLength(calls);
    expect(names(again)).toEqual(['stream_started', 'delta', 'done']);
    expect(again[0]?.data).toMatchObject({ request_id: requestId, is_new_turn: false });
    expect(answerOf(again)).toBe(answerOf(first));
    expect(again.at(-1)?.data).toEqual(first.at(-1)?.data);
    expect(await turnsOf(chatId)).toHaveLength(1);
  });

  it('refuses a request id whose turn failed, and one still running', async () => {
    const chatId = await makeChat(user);
    const failed = newId();
    await send(chatId, { content: 'ERROR', request_id: failed });
    expect(
      await failure(sendMessage(deps, user.caller, chatId, { content: 'x', request_id: failed })),
    ).toMatchObject({
      code: 'request_id_conflict',
      status: 409,
    });

    const running = newId();
    const client = new AbortController();
    const slow = await sendMessage(
      deps,
      user.caller,
      chatId,
      { content: 'SLOW answer', request_id: running },
      client.signal,
    );
    const reading = readEvents(slow.body);
    expect(
      await failure(sendMessage(deps, user.caller, chatId, { content: 'x', request_id: running })),
    ).toMatchObject({
      code: 'request_id_conflict',
    });
    expect(await failure(sendMessage(deps, user.caller, chatId, { content: 'another' }))).toMatchObject({
      code: 'generation_in_progress',
      status: 409,
    });
    client.abort();
    await reading;
    await slow.finished;
  });

  it('the same request sent twice at once starts one turn; the other is told it is still running', async () => {
    const chatId = await makeChat(user);
    const requestId = newId();
    const client = new AbortController();
    const body = { content: 'SLOW twice', request_id: requestId };
    const [a, b] = await Promise.allSettled([
      sendMessage(deps, user.caller, chatId, body, client.signal),
      sendMessage(deps, user.caller, chatId, body, client.signal),
    ]);
    const started = [a, b].filter((r) => r.status === 'fulfilled');
    expect(started).toHaveLength(1);
    const refused = [a, b].find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toMatchObject({ code: 'request_id_conflict', status: 409 });
    client.abort();
    const turn = (started[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof sendMessage>>>).value;
    await readEvents(turn.body);
    await turn.finished;
    expect(await turnsOf(chatId)).toHaveLength(1);
  });

  it('lets only one of many simultaneous sends to a chat start a turn', async () => {
    const chatId = await makeChat(user);
    fake.setPace(20);
    const attempts = await Promise.allSettled(
      Array.from({ length: 6 }, (_, i) =>
        sendMessage(deps, user.caller, chatId, { content: `message ${i}` }),
      ),
    );
    const started = attempts.filter((a) => a.status === 'fulfilled');
    expect(started).toHaveLength(1);
    for (const a of attempts) {
      if (a.status === 'rejected') expect(a.reason).toMatchObject({ code: 'generation_in_progress' });
    }
    const turn = (started[0] as PromiseFulfilledResult<Awaited<ReturnType<typeof sendMessage>>>).value;
    await readEvents(turn.body);
    await turn.finished;
    expect(await turnsOf(chatId)).toHaveLength(1);
    const page = await listMessages(await getDb(), user.caller, chatId, {});
    expect(page.items).toHaveLength(2);
  });
});

describe('cancelling', () => {
  it('aborts the provider request within 200 ms and keeps the partial answer', async () => {
    const chatId = await makeChat(user);
    const turn = await sendMessage(deps, user.caller, chatId, { content: 'SLOW please' });
    const events = await readEvents(turn.body, (seen) => seen.filter((e) => e.event === 'delta').length >= 3);
    const cancelledAt = performance.timeOrigin + performance.now();
    await turn.finished;
    const call = responsesCalls().at(-1);
    await expect.poll(() => call?.stream?.closedAt).toBeDefined();
    expect(call?.stream?.clientClosed).toBe(true);
    expect((call?.stream?.closedAt as number) - cancelledAt).toBeLessThan(200);

    const [row] = await turnsOf(chatId);
    expect(row?.state).toBe('cancelled');
    const page = await listMessages(await getDb(), user.caller, chatId, {});
    const partial = page.items[1];
    expect(partial).toMatchObject({ role: 'assistant', state: 'cancelled' });
    expect(partial?.content.startsWith(answerOf(events))).toBe(true);
    expect(partial?.content.length).toBeLessThan('You said: SLOW please'.length * 20);
  });

  it('a request signal that aborts cancels the turn too', async () => {
    const chatId = await makeChat(user);
    const client = new AbortController();
    const turn = await sendMessage(deps, user.caller, chatId, { content: 'SLOW please' }, client.signal);
    const reader = turn.body.getReader();
    await reader.read();
    client.abort();
    await turn.finished;
    expect((await turnsOf(chatId))[0]?.state).toBe('cancelled');
  });
});

describe('stopping from another request', () => {
  it('stops a turn this process streams at once; its reader is told, and the partial answer is kept', async () => {
    const chatId = await makeChat(user);
    const requestId = newId();
    const turn = await sendMessage(deps, user.caller, chatId, {
      content: 'SLOW story',
      request_id: requestId,
    });
    const reading = readEvents(turn.body);
    await expect.poll(() => responsesCalls().at(-1)?.stream?.firstTokenAt).toBeDefined();
    const view = await cancelTurn(await getDb(), user.caller, chatId, requestId);
    expect(view.request_id).toBe(requestId);
    const events = await reading;
    await turn.finished;
    expect(names(events).join(' ')).toMatch(GRAMMAR);
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    await expect.poll(() => responsesCalls().at(-1)?.stream?.clientClosed).toBe(true);
    const page = await listMessages(await getDb(), user.caller, chatId, {});
    expect(page.items[1]).toMatchObject({ state: 'cancelled', content: answerOf(events) });
    // Idempotent once ended.
    expect(await cancelTurn(await getDb(), user.caller, chatId, requestId)).toMatchObject({
      state: 'cancelled',
    });
  });

  it('a stream in another process reads the stop from the database', async () => {
    deps = makeTurnDeps(files, fake, { cancelPollMs: 50 });
    const chatId = await makeChat(user);
    const turn = await sendMessage(deps, user.caller, chatId, { content: 'SLOW story' });
    const reading = readEvents(turn.body);
    await expect.poll(() => responsesCalls().at(-1)?.stream?.firstTokenAt).toBeDefined();
    const [row] = await turnsOf(chatId);
    // What cancelTurn does when the stream is not in this process: only the flag.
    expect(await requestCancel(await getDb(), { turnId: row?.id as string })).toBe(true);
    const events = await reading;
    await turn.finished;
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    expect((await turnsOf(chatId))[0]?.state).toBe('cancelled');
  });

  it('deleting the chat stops its answer', async () => {
    deps = makeTurnDeps(files, fake, { cancelPollMs: 50 });
    const chatId = await makeChat(user);
    const turn = await sendMessage(deps, user.caller, chatId, { content: 'SLOW story' });
    const reading = readEvents(turn.body);
    await expect.poll(() => responsesCalls().at(-1)?.stream?.firstTokenAt).toBeDefined();
    await deleteChat(await getDb(), user.caller, chatId);
    const events = await reading;
    await turn.finished;
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    await expect.poll(() => responsesCalls().at(-1)?.stream?.clientClosed).toBe(true);
  });

  it("is refused for someone else's chat, and for a turn that does not exist", async () => {
    const chatId = await makeChat(user);
    const requestId = newId();
    await send(chatId, { content: 'hi', request_id: requestId });
    const stranger = await makeUser();
    const db = await getDb();
    expect(await failure(cancelTurn(db, stranger.caller, chatId, requestId))).toMatchObject({
      code: 'not_found',
    });
    expect(await failure(cancelTurn(db, user.caller, chatId, newId()))).toMatchObject({ code: 'not_found' });
    expect(await cancelTurn(db, user.caller, chatId, requestId)).toMatchObject({ state: 'completed' });
  });
});

describe('the attachments a message is sent with', () => {
  async function expectInvalid(chatId: string, ids: string[], detail: RegExp) {
    const err = await failure(
      sendMessage(deps, user.caller, chatId, { content: 'look', attachment_ids: ids }),
    );
    expect(err).toMatchObject({ code: 'invalid_attachment', status: 400 });
    expect(err.message).toMatch(detail);
    return err;
  }

  it('refuses duplicated, unknown, unready, deleted, foreign and other-user attachments, writing nothing', async () => {
    const chatId = await makeChat(user);
    const otherChat = await makeChat(user);
    const ready = await uploadReady(chatId, 'alpha beta', { filename: 'a.txt' });
    const elsewhere = await uploadReady(otherChat, 'gamma', { filename: 'b.txt' });
    const gone = await uploadReady(chatId, 'delta', { filename: 'c.txt' });
    await deleteAttachment(files, user.caller, chatId, gone.id);
    const stuck = await uploadReady(chatId, 'epsilon', { filename: 'd.txt' });
    await (await getDb()).update(attachments).set({ status: 'uploaded' }).where(eq(attachments.id, stuck.id));
    const colleague = await makeUser({ tenant: user.tenant });
    const theirs = await uploadReady(chatId, 'zeta', { filename: 'e.txt' });
    await (await getDb())
      .update(attachments)
      .set({ uploadedByUserId: colleague.caller.userId })
      .where(eq(attachments.id, theirs.id));
    // A colleague's attachment in the colleague's own chat, ready, deleted and still pending.
    const colleagueChat = await makeChat(colleague);
    const colleagueReady = await uploadFile(
      files,
      colleague.caller,
      colleagueChat,
      fileInput('theta', { filename: 'g.txt' }),
    );
    await colleagueReady.indexing?.();
    const colleagueGone = await uploadFile(
      files,
      colleague.caller,
      colleagueChat,
      fileInput('iota', { filename: 'h.txt' }),
    );
    await deleteAttachment(files, colleague.caller, colleagueChat, colleagueGone.attachment.id);
    const stranger = await makeUser();
    const strangerChat = await makeChat(stranger);
    const outsider = await uploadFile(
      files,
      stranger.caller,
      strangerChat,
      fileInput('eta', { filename: 'f.txt' }),
    );

    await expectInvalid(chatId, [ready.id, ready.id], /Duplicate/);
    const missing = await expectInvalid(chatId, [newId()], /not found/);
    await expectInvalid(chatId, ['not-a-uuid'], /not found/);
    await expectInvalid(chatId, [stuck.id], /not ready/);
    await expectInvalid(chatId, [gone.id], /deleted/);
    await expectInvalid(chatId, [elsewhere.id], /does not belong/);
    // Someone else's attachment answers word for word like an id that was never issued, wherever
    // it is and whatever its state, and the same when it comes after one of the sender's own.
    for (const id of [
      theirs.id,
      colleagueReady.attachment.id,
      colleagueGone.attachment.id,
      outsider.attachment.id,
    ]) {
      expect((await expectInvalid(chatId, [id], /not found/)).message).toBe(missing.message);
      expect((await expectInvalid(chatId, [ready.id, id], /not found/)).message).toBe(missing.message);
    }

    expect(await turnsOf(chatId)).toHaveLength(0);
    expect(await (await getDb()).select().from(messages).where(eq(messages.chatId, chatId))).toHaveLength(0);
    expect((await getAttachment(files, user.caller, chatId, ready.id)).locked).toBe(false);
  });

  it('refuses more than four images, and images the tenant turned off', async () => {
    const chatId = await makeChat(user);
    const images = [];
    for (let i = 0; i < 5; i++) {
      images.push(
        await uploadReady(chatId, await png(8 + i, 8), { filename: `p${i}.png`, type: 'image/png' }),
      );
    }
    const ids = images.map((i) => i.id);
    expect(
      await failure(sendMessage(deps, user.caller, chatId, { content: 'x', attachment_ids: ids })),
    ).toMatchObject({
      code: 'too_many_images',
      status: 400,
    });
    await (await getDb())
      .insert(tenantSettings)
      .values({ tenantId: user.caller.tenantId, disableImages: true });
    expect(
      await failure(
        sendMessage(deps, user.caller, chatId, { content: 'x', attachment_ids: ids.slice(0, 1) }),
      ),
    ).toMatchObject({ code: 'images_disabled' });
    expect(await turnsOf(chatId)).toHaveLength(0);
  });

  it('refuses empty content, a chat of someone else, a message too long for the model, and a model no longer in the catalog', async () => {
    const chatId = await makeChat(user);
    expect(await failure(sendMessage(deps, user.caller, chatId, { content: '  \n ' }))).toMatchObject({
      code: 'validation_error',
    });
    // Postgres text cannot hold NUL: refused as invalid input, before anything is written.
    expect(
      await failure(sendMessage(deps, user.caller, chatId, { content: 'before\u0000after' })),
    ).toMatchObject({
      code: 'validation_error',
      status: 400,
      extensions: { errors: [{ field: 'content', message: expect.stringContaining('NUL') }] },
    });
    expect(await (await getDb()).select().from(messages).where(eq(messages.chatId, chatId))).toEqual([]);
    const stranger = await makeUser();
    expect(await failure(sendMessage(deps, stranger.caller, chatId, { content: 'hi' }))).toMatchObject({
      code: 'not_found',
      status: 404,
    });
    const colleague = await makeUser({ tenant: user.tenant });
    expect(await failure(sendMessage(deps, colleague.caller, chatId, { content: 'hi' }))).toMatchObject({
      code: 'not_found',
    });
    const small = await makeChat(user, 'local-llm');
    expect(
      await failure(sendMessage(deps, user.caller, small, { content: 'word '.repeat(6_000) })),
    ).toMatchObject({
      code: 'input_too_long',
      status: 422,
    });
    await (await getDb()).update(chats).set({ model: 'retired-model' }).where(eq(chats.id, chatId));
    expect(await failure(sendMessage(deps, user.caller, chatId, { content: 'hi' }))).toMatchObject({
      code: 'invalid_model',
    });
  });

  it('a sent attachment is locked: listed with its message, flagged, and not deletable', async () => {
    const chatId = await makeChat(user);
    const image = await uploadReady(chatId, await png(), { filename: 'photo.png', type: 'image/png' });
    const doc = await uploadReady(chatId, 'some notes', { filename: 'notes.txt' });
    await send(chatId, { content: 'see these', attachment_ids: [image.id, doc.id] });

    expect((await getAttachment(files, user.caller, chatId, image.id)).locked).toBe(true);
    expect(await failure(deleteAttachment(files, user.caller, chatId, doc.id))).toMatchObject({
      code: 'attachment_locked',
      status: 409,
    });
    const page = await listMessages(await getDb(), user.caller, chatId, {});
    expect(page.items[0]?.attachments).toEqual([
      expect.objectContaining({ attachment_id: image.id, kind: 'image', img_thumbnail: expect.any(Object) }),
      expect.objectContaining({ attachment_id: doc.id, kind: 'document', filename: 'notes.txt' }),
    ]);
  });

  it('a delete racing a send either wins before the link or is refused: never a deleted linked file', async () => {
    const chatId = await makeChat(user, 'offline');
    for (let round = 0; round < 8; round++) {
      const doc = await uploadReady(chatId, `round ${round} text`, { filename: `r${round}.txt` });
      const [sent, deleted] = await Promise.allSettled([
        sendMessage(deps, user.caller, chatId, { content: `round ${round}`, attachment_ids: [doc.id] }),
        deleteAttachment(files, user.caller, chatId, doc.id),
      ]);
      if (sent.status === 'fulfilled') {
        await readEvents(sent.value.body);
        await sent.value.finished;
        expect(deleted).toMatchObject({ status: 'rejected', reason: { code: 'attachment_locked' } });
      } else {
        expect(sent.reason).toMatchObject({ code: 'invalid_attachment' });
        expect(deleted.status).toBe('fulfilled');
      }
      const linked = await (await getDb())
        .select({ deletedAt: attachments.deletedAt })
        .from(messageAttachments)
        .innerJoin(attachments, eq(attachments.id, messageAttachments.attachmentId))
        .where(and(eq(messageAttachments.chatId, chatId), eq(messageAttachments.attachmentId, doc.id)));
      for (const link of linked) expect(link.deletedAt).toBeNull();
    }
  });
});

describe('turns', () => {
  it('reports a turn by request id, and hides it from other users', async () => {
    const chatId = await makeChat(user);
    const requestId = newId();
    await send(chatId, { content: 'hi', request_id: requestId });
    const db = await getDb();
    expect(await getTurn(db, user.caller, chatId, requestId)).toMatchObject({
      request_id: requestId,
      state: 'completed',
      assistant_message_id: expect.any(String),
    });
    expect(await failure(getTurn(db, user.caller, chatId, newId()))).toMatchObject({ code: 'not_found' });
    const stranger = await makeUser();
    expect(await failure(getTurn(db, stranger.caller, chatId, requestId))).toMatchObject({
      code: 'not_found',
    });
  });

  it('retries the last turn as a new one with the same message and attachments', async () => {
    const chatId = await makeChat(user);
    const doc = await uploadReady(chatId, 'the notes', { filename: 'notes.txt' });
    await send(chatId, { content: 'first' });
    const failed = newId();
    await send(chatId, { content: 'ERROR then', request_id: failed, attachment_ids: [doc.id] });

    const retried = await retryTurn(deps, user.caller, chatId, failed);
    const events = await readEvents(retried.body);
    await retried.finished;
    const started = events[0]?.data as { request_id: string; is_new_turn: boolean };
    expect(started.request_id).not.toBe(failed);
    expect(started.is_new_turn).toBe(true);
    expect(events.at(-1)?.event).toBe('error'); // the same text asks the fake to fail again

    const page = await listMessages(await getDb(), user.caller, chatId, {});
    expect(page.items.map((m) => [m.role, m.request_id === started.request_id])).toEqual([
      ['user', false],
      ['assistant', false],
      ['user', true],
      ['assistant', true],
    ]);
    expect(page.items[2]?.attachments.map((a) => a.attachment_id)).toEqual([doc.id]);
    const old = (await turnsOf(chatId)).find((t) => t.requestId === failed);
    expect(old).toMatchObject({ replacedByRequestId: started.request_id, deletedAt: expect.any(Date) });

    expect(await failure(retryTurn(deps, user.caller, chatId, failed))).toMatchObject({ code: 'not_found' });
    const firstTurn = (await turnsOf(chatId)).find((t) => !t.deletedAt && t.requestId !== started.request_id);
    expect(await failure(retryTurn(deps, user.caller, chatId, firstTurn?.requestId as string))).toMatchObject(
      { code: 'not_latest_turn', status: 409 },
    );
  });
});

describe('the orphan reaper', () => {
  it('fails running turns that stopped progressing, and leaves live ones alone', async () => {
    const db = await getDb();
    const chatA = await makeChat(user);
    const chatB = await makeChat(user);
    const start = async (chatId: string, ageSeconds: number) => {
      const [message] = await db
        .insert(messages)
        .values({ tenantId: user.caller.tenantId, chatId, role: 'user', content: 'hi', requestId: newId() })
        .returning();
      const [turn] = await db
        .insert(chatTurns)
        .values({
          tenantId: user.caller.tenantId,
          chatId,
          userId: user.caller.userId,
          requestId: message?.requestId as string,
          state: 'running',
          model: 'gpt-test',
          userMessageId: message?.id as string,
          assistantMessageId: newId(),
          lastProgressAt: new Date(Date.now() - ageSeconds * 1000),
          partialContent: 'The answer began like this',
        })
        .returning();
      return turn;
    };
    const stale = await start(chatA, 600);
    const live = await start(chatB, 10);

    expect(await reapOrphanTurns(db, 300_000)).toBe(1);
    const [reaped] = await db
      .select()
      .from(chatTurns)
      .where(eq(chatTurns.id, stale?.id as string));
    expect(reaped).toMatchObject({ state: 'failed', errorCode: 'orphan_timeout' });
    const [liveRow] = await db
      .select()
      .from(chatTurns)
      .where(eq(chatTurns.id, live?.id as string));
    expect(liveRow?.state).toBe('running');
    const page = await listMessages(db, user.caller, chatA, {});
    // What the stream last saved is kept.
    expect(page.items.at(-1)).toMatchObject({
      role: 'assistant',
      content: 'The answer began like this',
      state: 'failed',
      error_code: 'orphan_timeout',
    });
    // The chat can answer again.
    const events = await send(chatA, { content: 'again' });
    expect(events.at(-1)?.event).toBe('done');
  });
});

describe('the message list', () => {
  it('pages by cursor in both orders', async () => {
    const chatId = await makeChat(user, 'offline');
    for (let i = 0; i < 3; i++) await send(chatId, { content: `question ${i}` });
    const db = await getDb();
    const first = await listMessages(db, user.caller, chatId, { limit: '4' });
    expect(first.items).toHaveLength(4);
    const rest = await listMessages(db, user.caller, chatId, { limit: '4', cursor: first.next_cursor });
    expect(rest.items).toHaveLength(2);
    expect(rest.next_cursor).toBeNull();
    const newest = await listMessages(db, user.caller, chatId, { limit: '2', order: 'desc' });
    expect(newest.items.map((m) => m.content)).toEqual([expect.any(String), 'question 2']);
    expect(newest.items[0]?.role).toBe('assistant');
    expect(await failure(listMessages(db, user.caller, chatId, { order: 'sideways' }))).toMatchObject({
      code: 'validation_error',
    });
  });
});

describe('another user', () => {
  it("cannot list, retry or read the turns of someone else's chat, in the same tenant or not", async () => {
    const chatId = await makeChat(user);
    const requestId = newId();
    await send(chatId, { content: 'mine', request_id: requestId });
    const db = await getDb();
    for (const other of [await makeUser(), await makeUser({ tenant: user.tenant })]) {
      expect(await failure(listMessages(db, other.caller, chatId, {}))).toMatchObject({ code: 'not_found' });
      expect(await failure(retryTurn(deps, other.caller, chatId, requestId))).toMatchObject({
        code: 'not_found',
      });
      expect(await failure(getTurn(db, other.caller, chatId, requestId))).toMatchObject({
        code: 'not_found',
      });
    }
    expect(await failure(listMessages(db, null, chatId, {}))).toMatchObject({ code: 'unauthorized' });
  });
});

describe('an OpenAI-compatible server', () => {
  it('answers over Chat Completions with passages from our own index, cited', async () => {
    const chatId = await makeChat(user, 'local-llm');
    const doc = await uploadReady(chatId, REFUND_POLICY, { filename: 'policy.txt' });
    const events = await send(chatId, { content: 'How are damaged goods refunded?' });
    expect(names(events).join(' ')).toMatch(GRAMMAR);
    const call = fake.requests.filter((r) => r.endpoint === 'chat.completions.create').at(-1);
    const body = call?.body as { model: string; messages: { role: string; content: string }[] };
    expect(body.model).toBe('llama-test');
    expect(body.messages[0]?.role).toBe('system');
    expect(body.messages[0]?.content).toContain('refunded in full within 14 days');
    const citations = events.find((e) => e.event === 'citations')?.data.items as { attachment_id: string }[];
    expect(citations.map((c) => c.attachment_id)).toContain(doc.id);
  });
});
