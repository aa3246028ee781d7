import { eq, sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { getAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { listChatModels, type ModelChoiceDeps } from '@/lib/chats/models';
import { updateLiveChat } from '@/lib/chats/queries';
import { deleteChat, updateChat } from '@/lib/chats/service';
import type { Db } from '@/lib/db';
import { chats, chatTurns } from '@/lib/db/schema';
import { listMessages } from '@/lib/messages/service';
import { createModelCatalog, type ModelEntry } from '@/lib/models/catalog';
import { getDb } from '@/lib/runtime';
import { sendMessage } from '@/lib/turns/service';
import { fakeOpenAIForFile, fileInput, makeChat, type TestDeps } from '@/tests/support/attachments';
import type { FakeOpenAI } from '@/tests/support/fake-openai';
import { failure, makeUser, type TestUser } from '@/tests/support/fixtures';
import { answerOf, readEvents, type TestTurnDeps, TURN_MODELS, turnBed } from '@/tests/support/turns';

/*
 * Switching a chat's model. TURN_MODELS has several OpenAI models (one store), an Azure one, and
 * two on the local index (offline and an OpenAI-compatible server). Here one more OpenAI model
 * has a name of its own at the provider, and one is turned off.
 */
const GPT: ModelEntry = TURN_MODELS[0] as ModelEntry;
const MODELS: ModelEntry[] = [...TURN_MODELS, { ...GPT, id: 'gpt-mini', providerModel: 'gpt-mini-2025' }];
const RETIRED: ModelEntry = { ...GPT, id: 'gpt-retired', enabled: false };
const catalog = createModelCatalog({ MODEL_CATALOG: JSON.stringify([...MODELS, RETIRED]) });
const choice: ModelChoiceDeps = { catalog, fallbackFileStore: 'openai' };

let fake: FakeOpenAI;
let files: TestDeps;
let deps: TestTurnDeps;
let user: TestUser;

const server = fakeOpenAIForFile();
beforeEach(async () => {
  ({ fake, files, deps, user } = await turnBed(server(), MODELS));
  // Turns find models in the same catalog as the switch.
  deps = { ...deps, models: { find: catalog.findModel } };
});

let db: Db;
beforeEach(async () => {
  db = await getDb();
});

const update = (chatId: string, body: unknown, who = user) =>
  updateChat(db, choice, who.caller, chatId, body);

const chatRow = async (chatId: string) => (await db.select().from(chats).where(eq(chats.id, chatId)))[0];

async function uploadReady(chatId: string, text: string) {
  const outcome = await uploadFile(files, user.caller, chatId, fileInput(text, { filename: 'notes.txt' }));
  await outcome.indexing?.();
  const view = await getAttachment(files, user.caller, chatId, outcome.attachment.id);
  expect(view.status).toBe('ready');
  return view;
}

async function send(chatId: string, content: string) {
  const turn = await sendMessage(deps, user.caller, chatId, { content });
  const events = await readEvents(turn.body);
  await turn.finished;
  return events;
}

const answerModels = async (chatId: string) =>
  (await listMessages(db, user.caller, chatId, {})).items
    .filter((m) => m.role === 'assistant')
    .map((m) => m.model);

const callsTo = (endpoint: string) => fake.requests.filter((r) => r.endpoint === endpoint);

describe('PATCH a chat model', () => {
  it('moves the chat to another enabled model of its file store', async () => {
    const chatId = await makeChat(user, 'gpt-test');
    const before = await chatRow(chatId);
    const chat = await update(chatId, { model: 'gpt-blind' });
    expect(chat).toMatchObject({ id: chatId, model: 'gpt-blind', title: 'files' });
    expect((await chatRow(chatId))?.model).toBe('gpt-blind');
    expect(Date.parse(chat.updated_at)).toBeGreaterThanOrEqual(before?.updatedAt.getTime() as number);
    // Back again, and to the chat's own model: both are the same store.
    expect(await update(chatId, { model: 'gpt-test' })).toMatchObject({ model: 'gpt-test' });
    expect(await update(chatId, { model: 'gpt-test' })).toMatchObject({ model: 'gpt-test' });
  });

  it('refuses a model that keeps files in another store, saying where the files are', async () => {
    const openai = await makeChat(user, 'gpt-test');
    const toLocal = await failure(update(openai, { model: 'offline' }));
    expect(toLocal).toMatchObject({ code: 'model_unavailable', status: 409 });
    expect(toLocal.message).toBe(
      'offline cannot be used in this chat. Files in this chat are kept by OpenAI; this model keeps files in the local index. Start a new chat to use it.',
    );
    expect(await failure(update(openai, { model: 'azure-test' }))).toMatchObject({
      code: 'model_unavailable',
      message: expect.stringContaining('this model keeps files with Azure OpenAI'),
    });

    const local = await makeChat(user, 'offline');
    const toOpenAI = await failure(update(local, { model: 'gpt-test' }));
    expect(toOpenAI).toMatchObject({ code: 'model_unavailable', status: 409 });
    expect(toOpenAI.message).toContain(
      'Files in this chat are kept in the local index; this model keeps files with OpenAI.',
    );
    expect((await chatRow(openai))?.model).toBe('gpt-test');
    expect((await chatRow(local))?.model).toBe('offline');
    expect(await update(local, { model: 'local-llm' })).toMatchObject({ model: 'local-llm' });
  });

  it('refuses a model turned off or unknown, and a body with nothing to change', async () => {
    const chatId = await makeChat(user, 'gpt-test');
    for (const model of ['gpt-retired', 'gpt-imaginary', '']) {
      expect(await failure(update(chatId, { model }))).toMatchObject({ code: 'invalid_model', status: 400 });
    }
    expect(await failure(update(chatId, { model: 42 }))).toMatchObject({
      code: 'validation_error',
      extensions: { errors: [{ field: 'model', message: 'The model must be a model id.' }] },
    });
    expect(await failure(update(chatId, {}))).toMatchObject({
      code: 'validation_error',
      message: 'Give a new title, a new model, or both.',
    });
    expect((await chatRow(chatId))?.model).toBe('gpt-test');
  });

  it('changes title and model together, or neither', async () => {
    const chatId = await makeChat(user, 'gpt-test');
    expect(await update(chatId, { title: '  Budget  ', model: 'gpt-no-tools' })).toMatchObject({
      title: 'Budget',
      model: 'gpt-no-tools',
    });
    expect(await failure(update(chatId, { title: 'Never saved', model: 'offline' }))).toMatchObject({
      code: 'model_unavailable',
    });
    expect(await failure(update(chatId, { title: '', model: 'gpt-test' }))).toMatchObject({
      code: 'validation_error',
    });
    expect(await chatRow(chatId)).toMatchObject({ title: 'Budget', model: 'gpt-no-tools' });
  });

  it("answers 404 for another user's chat, a deleted chat and a bad id, changing nothing", async () => {
    const chatId = await makeChat(user, 'gpt-test');
    const colleague = await makeUser({ tenant: user.tenant });
    const stranger = await makeUser();
    for (const who of [colleague, stranger]) {
      expect(await failure(update(chatId, { model: 'gpt-blind' }, who))).toMatchObject({
        code: 'not_found',
        status: 404,
      });
      expect(await failure(listChatModels(db, choice, who.caller, chatId))).toMatchObject({
        code: 'not_found',
      });
    }
    expect(await failure(update('not-a-uuid', { model: 42 }))).toMatchObject({ code: 'not_found' });
    expect((await chatRow(chatId))?.model).toBe('gpt-test');
    await deleteChat(db, user.caller, chatId);
    expect(await failure(update(chatId, { model: 'gpt-blind' }))).toMatchObject({ code: 'not_found' });
    expect(await failure(listChatModels(db, choice, user.caller, chatId))).toMatchObject({
      code: 'not_found',
    });
  });

  it('is a compare-and-set: a chat changed since it was read answers 409, a deleted one 404', async () => {
    const chatId = await makeChat(user, 'gpt-test');
    const scope = user.caller;
    const stale = eq(chats.model, 'gpt-no-tools');
    expect(
      await failure(updateLiveChat(db, scope, chatId, { model: 'gpt-blind', updatedAt: sql`now()` }, stale)),
    ).toMatchObject({ code: 'conflict', status: 409 });
    expect((await chatRow(chatId))?.model).toBe('gpt-test');
    const fresh = eq(chats.model, 'gpt-test');
    expect(await updateLiveChat(db, scope, chatId, { model: 'gpt-blind' }, fresh)).toMatchObject({
      model: 'gpt-blind',
    });
    await deleteChat(db, user.caller, chatId);
    expect(
      await failure(updateLiveChat(db, scope, chatId, { model: 'gpt-test' }, eq(chats.model, 'gpt-blind'))),
    ).toMatchObject({ code: 'not_found' });
  });
});

describe('the models a chat may switch to', () => {
  it('lists the enabled models, those of another store unavailable with the reason', async () => {
    const chatId = await makeChat(user, 'gpt-test');
    const view = await listChatModels(db, choice, user.caller, chatId);
    expect(view.current).toBe('gpt-test');
    expect(view.items.map((m) => m.id)).toEqual(MODELS.map((m) => m.id));
    const byId = new Map(view.items.map((m) => [m.id, m]));
    for (const id of ['gpt-test', 'gpt-no-tools', 'gpt-small', 'gpt-blind', 'gpt-mini']) {
      expect(byId.get(id)).toMatchObject({ available: true });
      expect(byId.get(id)).not.toHaveProperty('reason');
    }
    expect(byId.get('offline')).toEqual({
      id: 'offline',
      display_name: 'offline',
      capabilities: ['file_search'],
      context_window: 128_000,
      max_file_size_mb: 25,
      available: false,
      reason:
        'Files in this chat are kept by OpenAI; this model keeps files in the local index. Start a new chat to use it.',
    });
    expect(byId.get('azure-test')).toMatchObject({ available: false });
    expect(byId.get('local-llm')).toMatchObject({ available: false });
    // What GET /api/models shows, and no more.
    expect(JSON.stringify(view)).not.toMatch(/provider|llama-test|gpt-mini-2025|vector/i);
  });

  it("lists a chat's model that was turned off, unavailable, so the chat still shows it", async () => {
    const chatId = await makeChat(user, 'gpt-retired');
    const view = await listChatModels(db, choice, user.caller, chatId);
    expect(view.current).toBe('gpt-retired');
    expect(view.items.find((m) => m.id === 'gpt-retired')).toMatchObject({
      available: false,
      reason: 'This model has been turned off; choose another to keep chatting.',
    });
    expect(view.items.find((m) => m.id === 'gpt-blind')).toMatchObject({ available: true });
    expect(await update(chatId, { model: 'gpt-blind' })).toMatchObject({ model: 'gpt-blind' });
  });

  it("goes by where the chat's files are when its model has left the catalog", async () => {
    const chatId = await makeChat(user, 'offline');
    await uploadReady(chatId, 'The budget is 42 units.');
    await db.update(chats).set({ model: 'gone-model' }).where(eq(chats.id, chatId));
    const view = await listChatModels(db, choice, user.caller, chatId);
    expect(view.current).toBe('gone-model');
    expect(view.items.filter((m) => m.available).map((m) => m.id)).toEqual(['offline', 'local-llm']);
    expect(await failure(update(chatId, { model: 'gpt-test' }))).toMatchObject({
      code: 'model_unavailable',
    });
    expect(await update(chatId, { model: 'local-llm' })).toMatchObject({ model: 'local-llm' });

    // With no files, where an upload would put them: the fallback store.
    const empty = await makeChat(user, 'gone-model');
    const none = await listChatModels(db, choice, user.caller, empty);
    expect(none.items.find((m) => m.id === 'gpt-test')).toMatchObject({ available: true });
    expect(none.items.find((m) => m.id === 'offline')).toMatchObject({ available: false });
  });
});

describe('the next turn after a switch', () => {
  it('is answered by the new model, with the local index passages; earlier answers keep theirs', async () => {
    const chatId = await makeChat(user, 'offline');
    await uploadReady(chatId, 'Refunds. Damaged goods are refunded in full within 14 days.');
    const first = await send(chatId, 'How are damaged goods refunded?');
    expect(answerOf(first)).toContain('refunded in full');
    expect(callsTo('chat.completions.create')).toHaveLength(0);

    await update(chatId, { model: 'local-llm' });
    const second = await send(chatId, 'And damaged goods again?');
    expect(answerOf(second)).toBe('You said: And damaged goods again?');
    const call = callsTo('chat.completions.create').at(-1)?.body as {
      model: string;
      messages: { content: string }[];
    };
    expect(call.model).toBe('llama-test');
    expect(call.messages[0]?.content).toContain('refunded in full within 14 days');
    expect(await answerModels(chatId)).toEqual(['offline', 'local-llm']);
  });

  it('a turn running during the switch keeps its model; the next uses the new one', async () => {
    const chatId = await makeChat(user, 'gpt-test');
    const client = new AbortController();
    const running = await sendMessage(deps, user.caller, chatId, { content: 'SLOW story' }, client.signal);
    const reader = running.body.getReader();
    await reader.read();
    await expect.poll(() => callsTo('responses.create').at(-1)?.stream?.firstTokenAt).toBeDefined();
    const turnRow = async () => (await db.select().from(chatTurns).where(eq(chatTurns.chatId, chatId)))[0];

    expect(await update(chatId, { model: 'gpt-mini' })).toMatchObject({ model: 'gpt-mini' });
    expect(await turnRow()).toMatchObject({ model: 'gpt-test', state: 'running' });
    client.abort();
    await running.finished;
    expect(await turnRow()).toMatchObject({ model: 'gpt-test', state: 'cancelled' });

    expect(answerOf(await send(chatId, 'hello again'))).toBe('You said: hello again');
    expect(callsTo('responses.create').map((r) => (r.body as { model: string }).model)).toEqual([
      'gpt-test',
      'gpt-mini-2025',
    ]);
    expect(await answerModels(chatId)).toEqual(['gpt-test', 'gpt-mini']);
  });
});
