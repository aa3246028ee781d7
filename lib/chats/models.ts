import { and, desc, eq, isNull } from 'drizzle-orm';
import type { Db, Queryable } from '@/lib/db';
import { attachments, type Chat, chatVectorStores } from '@/lib/db/schema';
import type { FileStoreId } from '@/lib/file-stores/ports';
import { type ModelCatalog, type ModelEntry, type ModelView, toModelView } from '@/lib/models/catalog';
import { fileStoreOf } from '@/lib/models/file-store';
import { authorize, type Caller } from '@/lib/policy';
import { tenantModels } from '@/lib/tenants/models';
import { loadLiveChat } from './queries';

/**
 * Which models a chat may switch to. A chat's files live in one file store, and a model can only
 * search its own store, so a chat may move between the models of its store and no others.
 */

export interface ModelChoiceDeps {
  catalog: Pick<ModelCatalog, 'findEntry' | 'findModel' | 'enabledModels'>;
  /** Where uploads go for a chat whose model has left the catalog (see lib/attachments/context.ts). */
  fallbackFileStore: FileStoreId;
}

/** A model as one chat sees it: whether the chat can switch to it, and if not, why in plain words. */
export interface ChatModelOption extends ModelView {
  available: boolean;
  reason?: string;
}

export interface ChatModelsView {
  items: ChatModelOption[];
  /** The chat's model id; it is missing from `items` only when the catalog no longer has it. */
  current: string;
}

/**
 * The file store that holds a chat's files. What the chat already has decides: the store of its
 * search index, else of its newest live file, since files never move between stores and an
 * upload into an index of another store is refused. A chat with no files yet keeps them where
 * its model would put them, as an upload would. This is also right for a chat whose model's
 * store changed with the catalog: it is offered the models that can still read its files.
 */
export async function chatFileStore(q: Queryable, chat: Chat, deps: ModelChoiceDeps): Promise<FileStoreId> {
  const [index] = await q
    .select({ provider: chatVectorStores.provider })
    .from(chatVectorStores)
    .where(and(eq(chatVectorStores.tenantId, chat.tenantId), eq(chatVectorStores.chatId, chat.id)));
  if (index) return index.provider as FileStoreId;
  const [file] = await q
    .select({ provider: attachments.provider })
    .from(attachments)
    .where(
      and(
        eq(attachments.tenantId, chat.tenantId),
        eq(attachments.chatId, chat.id),
        isNull(attachments.deletedAt),
      ),
    )
    .orderBy(desc(attachments.createdAt))
    .limit(1);
  if (file) return file.provider as FileStoreId;
  const model = deps.catalog.findEntry(chat.model);
  return model ? fileStoreOf(model) : deps.fallbackFileStore;
}

// The stores in the words a user knows them by: the hosting company, or our own index.
const FILES_ARE_KEPT: Record<FileStoreId, string> = {
  openai: 'are kept by OpenAI',
  azure: 'are kept by Azure OpenAI',
  local: 'are kept in the local index',
};
const MODEL_KEEPS_FILES: Record<FileStoreId, string> = {
  openai: 'keeps files with OpenAI',
  azure: 'keeps files with Azure OpenAI',
  local: 'keeps files in the local index',
};

/** Why a model cannot serve a chat whose files are in `chatStore`; undefined when it can. */
export function unavailableReason(model: ModelEntry, chatStore: FileStoreId): string | undefined {
  if (!model.enabled) return 'This model has been turned off; choose another to keep chatting.';
  const store = fileStoreOf(model);
  if (store === chatStore) return undefined;
  return `Files in this chat ${FILES_ARE_KEPT[chatStore]}; this model ${MODEL_KEEPS_FILES[store]}. Start a new chat to use it.`;
}

/**
 * The models of `GET /api/models`, each marked available or not for this chat, and the chat's
 * own model (listed even when turned off, so the chat still shows its name).
 */
export async function listChatModels(
  db: Db,
  deps: ModelChoiceDeps,
  caller: Caller | null,
  chatId: string,
): Promise<ChatModelsView> {
  const chat = await loadLiveChat(db, authorize(caller, 'chat.read'), chatId);
  const store = await chatFileStore(db, chat, deps);
  const catalog = await tenantModels(db, deps.catalog, chat.tenantId);
  const current = catalog.findEntry(chat.model);
  const models = [...catalog.enabledModels(), ...(current && !current.enabled ? [current] : [])];
  return {
    items: models.map((model) => {
      const reason = unavailableReason(model, store);
      return { ...toModelView(model), available: reason === undefined, ...(reason ? { reason } : {}) };
    }),
    current: chat.model,
  };
}
