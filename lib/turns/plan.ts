import { and, desc, eq, inArray, isNull, ne } from 'drizzle-orm';
import type { Queryable } from '@/lib/db';
import { type Attachment, attachments, type ChatTurn, chatVectorStores, messages } from '@/lib/db/schema';
import type { HistoryMessage, ModelInput } from '@/lib/llm/ports';
import type { ModelEntry } from '@/lib/models/catalog';
import { systemPrompt } from './prompt';

export interface TurnSettings {
  /** How many earlier messages a turn sends at most (upstream's recent_messages_limit). */
  recentMessages: number;
  /** Hosted file_search: results per search. */
  fileSearchMaxResults: number;
  /** Local retrieval: passages put in the prompt. */
  localPassages: number;
}

export interface Switches {
  fileSearch: boolean;
  codeInterpreter: boolean;
}

/** Retrieval the turn runs itself, in our own index, before calling the model. */
export interface LocalSearch {
  vectorStoreId: string;
  query: string;
  /** The documents it may cite, by attachment id, with their filenames. */
  documents: Map<string, string>;
  limit: number;
}

export interface TurnPlan {
  input: ModelInput;
  localSearch?: LocalSearch;
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
  db: Queryable,
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
  const documents = await searchableDocuments(db, turn.chatId);
  const store = documents.length > 0 ? await chatStore(db, turn.tenantId, turn.chatId) : undefined;
  const hosted = model.provider === 'openai' || model.provider === 'azure';
  // The store must be where this model searches: the provider's own for hosted file search, ours otherwise.
  const reachable = store !== undefined && store.provider === (hosted ? model.provider : 'local');
  const canSearch = model.fileSearch && switches.fileSearch && reachable;
  const codeFiles = sent
    .filter((a) => a.forCodeInterpreter && a.providerFileId)
    .map((a) => a.providerFileId as string);
  const codeInterpreter = model.codeInterpreter && switches.codeInterpreter && codeFiles.length > 0;

  const instructions = systemPrompt({ documents: canSearch, codeInterpreter });
  const budget =
    model.contextWindow -
    model.maxOutputTokens -
    estimateTokens(instructions) -
    estimateTokens(text) -
    OVERHEAD_TOKENS;
  const input: ModelInput = {
    model,
    instructions,
    history: await recentHistory(db, turn, settings.recentMessages, budget),
    user: {
      text,
      imageFileIds: sent
        .filter((a) => a.kind === 'image' && a.providerFileId)
        .map((a) => a.providerFileId as string),
    },
    maxOutputTokens: model.maxOutputTokens,
  };
  if (codeInterpreter) input.codeInterpreter = { fileIds: codeFiles };
  if (!canSearch || !store) return { input };
  if (hosted) {
    input.fileSearch = {
      vectorStoreId: store.id,
      attachmentIds: documents.map((d) => d.id),
      maxResults: settings.fileSearchMaxResults,
    };
    return { input };
  }
  return {
    input,
    localSearch: {
      vectorStoreId: store.id,
      query: text,
      documents: new Map(documents.map((d) => [d.id, d.filename])),
      limit: settings.localPassages,
    },
  };
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
