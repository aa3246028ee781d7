import { and, desc, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { Queryable } from '@/lib/db';
import { type Attachment, attachments, type ChatTurn, chatVectorStores, messages } from '@/lib/db/schema';
import { type FileStore, FileStoreError, type FileStoreId, type Retrieval } from '@/lib/file-stores/ports';
import { excerpt } from '@/lib/llm/excerpt';
import type { HistoryMessage, ModelInput, Passage } from '@/lib/llm/ports';
import type { ModelEntry } from '@/lib/models/catalog';
import { fileStoreOf } from '@/lib/models/file-store';
import { systemPrompt } from './prompt';

export interface TurnSettings {
  /** How many earlier messages a turn sends at most. */
  recentMessages: number;
  /** Hosted file_search: results per search. */
  fileSearchMaxResults: number;
  /** A store that searches itself: passages put in the prompt. */
  localPassages: number;
}

export interface Switches {
  fileSearch: boolean;
  codeInterpreter: boolean;
}

export interface PlanDeps {
  db: Queryable;
  fileStores: (id: FileStoreId) => FileStore;
}

export interface TurnPlan {
  input: ModelInput;
  /**
   * Finds the passages of the chat's documents that the prompt carries, before the model is
   * called; absent when the model provider searches the store itself, or nothing is searchable.
   */
  retrieve?: () => Promise<Passage[]>;
  /** The message's images that the model is not given, having no vision: the answer says so. */
  unseenImages: number;
}

/** Rough, and deliberately pessimistic for English: what the budget below counts in. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** Images and tool definitions cost tokens the text estimate does not see. */
const OVERHEAD_TOKENS = 1_000;

/**
 * What a turn sends to the model: the system prompt, the recent messages that fit the context
 * window, the message with its images, and the tools its files and the tenant's switches allow.
 */
export async function planTurn(
  deps: PlanDeps,
  args: {
    turn: ChatTurn;
    model: ModelEntry;
    text: string;
    sent: Attachment[];
    switches: Switches;
    settings: TurnSettings;
  },
): Promise<TurnPlan> {
  const { turn, model, text, sent, switches, settings } = args;
  const documents = await searchableDocuments(deps.db, turn.chatId);
  const store = documents.length > 0 ? await chatStore(deps.db, turn.tenantId, turn.chatId) : undefined;
  const storeId = fileStoreOf(model);
  // A model searches its own file store only; a store the chat has elsewhere is out of its reach.
  const reachable = store !== undefined && store.provider === storeId;
  const retrieval =
    model.fileSearch && switches.fileSearch && reachable ? retrievalOf(deps, storeId) : undefined;
  const codeFiles = sent
    .filter((a) => a.forCodeInterpreter && a.providerFileId)
    .map((a) => a.providerFileId as string);
  const codeInterpreter = model.codeInterpreter && switches.codeInterpreter && codeFiles.length > 0;
  const images = sent.filter((a) => a.kind === 'image' && a.providerFileId);
  // A model without vision gets the text alone; the images stay attached to the message.
  const unseenImages = model.vision ? 0 : images.length;

  const instructions = systemPrompt({ documents: retrieval !== undefined, codeInterpreter, unseenImages });
  const budget =
    model.contextWindow -
    model.maxOutputTokens -
    estimateTokens(instructions) -
    estimateTokens(text) -
    OVERHEAD_TOKENS;
  const input: ModelInput = {
    model,
    instructions,
    history: await recentHistory(deps.db, turn, settings.recentMessages, budget),
    user: {
      text,
      imageFileIds: model.vision ? images.map((a) => a.providerFileId as string) : [],
    },
    maxOutputTokens: model.maxOutputTokens,
  };
  if (codeInterpreter) input.codeInterpreter = { fileIds: codeFiles };
  if (!retrieval || !store) return { input, unseenImages };
  const attachmentIds = documents.map((d) => d.id);
  if (retrieval.kind === 'hosted') {
    input.fileSearch = {
      vectorStoreId: store.id,
      attachmentIds,
      maxResults: settings.fileSearchMaxResults,
    };
    return { input, unseenImages };
  }
  const filenames = new Map(documents.map((d) => [d.id, d.filename]));
  const retrieve = async (): Promise<Passage[]> => {
    const hits = await retrieval.search(store.id, text, { attachmentIds, limit: settings.localPassages });
    return hits.map((hit) => ({
      attachmentId: hit.attachmentId,
      filename: filenames.get(hit.attachmentId) ?? 'document',
      text: hit.content,
      quote: excerpt(hit.content, text),
      ...(hit.page === undefined ? {} : { page: hit.page }),
    }));
  };
  return { input, retrieve, unseenImages };
}

/**
 * How the model's store is searched. A store that is not configured is not: the model it keeps
 * files for has no key either, so the turn fails as provider_unavailable when it calls the model.
 */
function retrievalOf(deps: PlanDeps, id: FileStoreId): Retrieval | undefined {
  try {
    return deps.fileStores(id).retrieval;
  } catch (err) {
    if (err instanceof FileStoreError && err.code === 'configuration_error') return undefined;
    throw err;
  }
}

/** The chat's documents that search may return: ready, not deleted (deleted ones drop out at once). */
async function searchableDocuments(db: Queryable, chatId: string) {
  return db
    .select({ id: attachments.id, filename: attachments.filename })
    .from(attachments)
    .where(
      and(
        eq(attachments.chatId, chatId),
        eq(attachments.status, 'ready'),
        eq(attachments.forFileSearch, true),
        isNull(attachments.deletedAt),
      ),
    );
}

async function chatStore(db: Queryable, tenantId: string, chatId: string) {
  const [row] = await db
    .select({ id: chatVectorStores.vectorStoreId, provider: chatVectorStores.provider })
    .from(chatVectorStores)
    .where(and(eq(chatVectorStores.tenantId, tenantId), eq(chatVectorStores.chatId, chatId)));
  // A store still being created (no id yet) cannot be searched.
  return row?.id ? { id: row.id, provider: row.provider } : undefined;
}

/** The newest earlier messages that fit the budget, oldest first; empty (failed) answers are skipped. */
async function recentHistory(
  db: Queryable,
  turn: ChatTurn,
  limit: number,
  budget: number,
): Promise<HistoryMessage[]> {
  if (limit === 0 || budget <= 0) return [];
  const rows = await db
    .select({ role: messages.role, content: messages.content })
    .from(messages)
    .where(
      and(
        eq(messages.chatId, turn.chatId),
        isNull(messages.deletedAt),
        ne(messages.id, turn.userMessageId),
        inArray(messages.role, ['user', 'assistant']),
        ne(messages.content, ''),
      ),
    )
    .orderBy(desc(messages.createdAt), desc(messages.id))
    .limit(limit);
  const kept: HistoryMessage[] = [];
  let used = 0;
  for (const row of rows) {
    used += estimateTokens(row.content);
    if (used > budget) break;
    kept.push({ role: row.role as HistoryMessage['role'], content: row.content });
  }
  return kept.reverse();
}
