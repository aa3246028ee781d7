import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { deleteAttachment, getAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { chatVectorStores } from '@/lib/db/schema';
import {
  type FileStore,
  FileStoreError,
  type FileStoreId,
  type Retrieval,
  type SearchHit,
} from '@/lib/file-stores/ports';
import { newId } from '@/lib/ids';
import type { ModelEntry } from '@/lib/models/catalog';
import { getDb } from '@/lib/runtime';
import { planTurn, type TurnSettings } from '@/lib/turns/plan';
import { insertTurn } from '@/lib/turns/store';
import { fileInput, makeChat, makeDeps, type TestDeps } from '@/tests/support/attachments';
import { makeUser, type TestUser } from '@/tests/support/fixtures';
import { TURN_MODELS } from '@/tests/support/turns';

const SETTINGS: TurnSettings = { recentMessages: 10, fileSearchMaxResults: 8, localPassages: 3 };
const QUESTION = 'How are damaged goods refunded?';
const POLICY = [
  'Shipping. Orders leave our warehouse within two working days of payment.',
  'Refunds. Damaged goods are refunded in full within 14 days of the return reaching us.',
].join('\n\n');

const modelOf = (id: string) => TURN_MODELS.find((m) => m.id === id) as ModelEntry;

let files: TestDeps;
let user: TestUser;

beforeEach(async () => {
  // Every document goes to our own index: the stores below differ only in how they retrieve.
  files = await makeDeps(undefined, {}, TURN_MODELS);
  user = await makeUser();
});

async function chatWithDocuments(...names: string[]) {
  const chatId = await makeChat(user, 'offline');
  const docs = [];
  for (const filename of names) {
    const outcome = await uploadFile(files, user.caller, chatId, fileInput(POLICY, { filename }));
    await outcome.indexing?.();
    docs.push(await getAttachment(files, user.caller, chatId, outcome.attachment.id));
  }
  const [store] = await (await getDb())
    .select()
    .from(chatVectorStores)
    .where(eq(chatVectorStores.chatId, chatId));
  return { chatId, docs, vectorStoreId: store?.vectorStoreId as string };
}

/** The test's local store with another way to retrieve; records which stores the planner asked for. */
function registry(retrieval?: Retrieval) {
  const asked: FileStoreId[] = [];
  const fileStores = (id: FileStoreId): FileStore => {
    asked.push(id);
    const store = files.fileStores(id);
    return retrieval ? { ...store, retrieval } : store;
  };
  return { asked, fileStores };
}

async function plan(chatId: string, fileStores: (id: FileStoreId) => FileStore, model = 'offline') {
  const turn = await insertTurn(await getDb(), {
    tenantId: user.caller.tenantId,
    chatId,
    userId: user.caller.userId,
    requestId: newId(),
    model,
    content: QUESTION,
    attachments: [],
  });
  return planTurn(
    { db: await getDb(), fileStores },
    {
      turn,
      model: modelOf(model),
      text: QUESTION,
      sent: [],
      switches: { fileSearch: true, codeInterpreter: true },
      settings: SETTINGS,
    },
  );
}

describe('planning retrieval through the chat’s file store', () => {
  it('a store that searches itself yields passages with their quotes, and no hosted tool', async () => {
    const { chatId, docs } = await chatWithDocuments('policy.txt');
    const { asked, fileStores } = registry();
    const planned = await plan(chatId, fileStores);
    expect(asked).toEqual(['local']);
    expect(planned.input.fileSearch).toBeUndefined();
    expect(planned.input.instructions).toMatch(/shared documents/);

    const passages = await planned.retrieve?.();
    expect(passages?.[0]).toEqual({
      attachmentId: docs[0]?.id,
      filename: 'policy.txt',
      text: expect.stringContaining('refunded in full'),
      quote: expect.stringContaining('refunded in full'),
    });
  });

  it('a store that declares a hosted tool yields file_search over its vector store, for the same model', async () => {
    const { chatId, docs, vectorStoreId } = await chatWithDocuments('a.txt', 'b.txt');
    const planned = await plan(chatId, registry({ kind: 'hosted' }).fileStores);
    expect(planned.retrieve).toBeUndefined();
    expect(planned.input.passages).toBeUndefined();
    expect(planned.input.instructions).toMatch(/shared documents/);
    expect(planned.input.fileSearch).toEqual({
      vectorStoreId,
      attachmentIds: expect.arrayContaining(docs.map((d) => d.id)),
      maxResults: SETTINGS.fileSearchMaxResults,
    });
    expect(planned.input.fileSearch?.attachmentIds).toHaveLength(2);
  });

  it('searches the live documents only, for the message, with the passage limit', async () => {
    const { chatId, docs, vectorStoreId } = await chatWithDocuments('kept.txt', 'deleted.txt');
    const [kept, deleted] = docs as [(typeof docs)[0], (typeof docs)[0]];
    await deleteAttachment(files, user.caller, chatId, deleted.id);
    const calls: unknown[][] = [];
    const hits: SearchHit[] = [
      { attachmentId: kept.id, content: 'Damaged goods are refunded in full.' },
      { attachmentId: newId(), content: 'A passage of a document this chat does not know.' },
    ];
    const planned = await plan(
      chatId,
      registry({
        kind: 'search',
        search: async (...args) => {
          calls.push(args);
          return hits;
        },
      }).fileStores,
    );
    expect(calls).toEqual([]);
    const passages = await planned.retrieve?.();
    expect(calls).toEqual([[vectorStoreId, QUESTION, { attachmentIds: [kept.id], limit: 3 }]]);
    expect(passages?.map((p) => [p.attachmentId, p.filename])).toEqual([
      [kept.id, 'kept.txt'],
      [hits[1]?.attachmentId, 'document'],
    ]);
  });

  it('does not reach a store other than the one its model uses', async () => {
    const { chatId } = await chatWithDocuments('policy.txt');
    const { asked, fileStores } = registry();
    // An OpenAI model searches OpenAI's store; this chat's documents are in our own index.
    const planned = await plan(chatId, fileStores, 'gpt-test');
    expect(asked).toEqual([]);
    expect(planned.retrieve).toBeUndefined();
    expect(planned.input.fileSearch).toBeUndefined();
    expect(planned.input.instructions).not.toMatch(/shared documents/);
  });

  it('leaves retrieval out when the model’s store is not configured, so the turn still starts', async () => {
    const { chatId } = await chatWithDocuments('policy.txt');
    const planned = await plan(chatId, (id) => {
      throw new FileStoreError('configuration_error', `provider ${id} is not configured`);
    });
    expect(planned.retrieve).toBeUndefined();
    expect(planned.input.fileSearch).toBeUndefined();
    expect(planned.input.instructions).not.toMatch(/shared documents/);
  });
});
