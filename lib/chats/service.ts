import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db';
import { attachments, type Chat, chats } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import type { ModelCatalog } from '@/lib/models/catalog';
import { enqueue } from '@/lib/outbox/store';
import { wakeWorker } from '@/lib/outbox/wake';
import { decodeCursor, encodeCursor, parseLimit } from '@/lib/pagination';
import { authorize, type Caller, chatInScope } from '@/lib/policy';
import { checkRate } from '@/lib/rate-limits/check';
import type { RateLimits } from '@/lib/rate-limits/config';
import { tenantModels } from '@/lib/tenants/models';
import { requestCancel } from '@/lib/turns/store';
import { parseInput } from '@/lib/validation';
import { chatFileStore, type ModelChoiceDeps, unavailableReason } from './models';
import { assertChatId, loadLiveChat, updateLiveChat } from './queries';

export interface ChatDetail {
  id: string;
  title: string | null;
  model: string;
  created_at: string;
  updated_at: string;
}

export const toChatDetail = (c: Chat): ChatDetail => ({
  id: c.id,
  title: c.title,
  model: c.model,
  created_at: c.createdAt.toISOString(),
  updated_at: c.updatedAt.toISOString(),
});

const titleSchema = z
  .string({ message: 'The title must be a string.' })
  .trim()
  .min(1, { message: 'The title must not be empty.' })
  .max(255, { message: 'The title can have at most 255 characters.' });

const createSchema = z.object({ title: titleSchema.optional(), model: z.string().optional() });
const updateSchema = z
  .object({
    title: titleSchema.optional(),
    model: z.string({ message: 'The model must be a model id.' }).optional(),
  })
  .refine((u) => u.title !== undefined || u.model !== undefined, {
    message: 'Give a new title, a new model, or both.',
  });

export interface ChatDeps {
  db: Db;
  models: Pick<ModelCatalog, 'findModel' | 'defaultModel'>;
  rateLimits: Pick<RateLimits, 'chats'>;
}

/** A new chat of the caller's, within the chats a user may create a minute. */
export async function createChat(deps: ChatDeps, caller: Caller | null, input: unknown): Promise<ChatDetail> {
  const scope = authorize(caller, 'chat.create');
  const { title, model } = parseInput(createSchema, input ?? {});
  const models = await tenantModels(deps.db, deps.models, scope.tenantId);
  const entry = model === undefined ? models.defaultModel() : models.findModel(model);
  if (!entry) throw new AppError('invalid_model', `There is no model "${model}".`);
  return deps.db.transaction(async (tx) => {
    await checkRate(tx, scope, 'chats', deps.rateLimits.chats);
    const [row] = await tx
      .insert(chats)
      .values({ tenantId: scope.tenantId, userId: scope.userId, title: title ?? null, model: entry.id })
      .returning();
    return toChatDetail(row as Chat);
  });
}

export async function getChat(db: Db, caller: Caller | null, id: string): Promise<ChatDetail> {
  return toChatDetail(await loadLiveChat(db, authorize(caller, 'chat.read'), id));
}

/**
 * Renames a chat and/or moves it to another model. The new model must be enabled and keep files
 * in the chat's file store. A turn already running keeps the model it started with; the next one
 * uses the new model.
 */
export async function updateChat(
  db: Db,
  models: ModelChoiceDeps,
  caller: Caller | null,
  id: string,
  input: unknown,
): Promise<ChatDetail> {
  const scope = authorize(caller, 'chat.update');
  // A bad id answers 404 even with a bad body, like any chat the caller cannot see.
  assertChatId(id);
  const { title, model } = parseInput(updateSchema, input);
  const set = { ...(title !== undefined ? { title } : {}), updatedAt: sql`now()` };
  if (model === undefined) return toChatDetail(await updateLiveChat(db, scope, id, set));

  const chat = await loadLiveChat(db, scope, id);
  const catalog = await tenantModels(db, models.catalog, scope.tenantId);
  const entry = catalog.findModel(model);
  if (!entry) throw new AppError('invalid_model', `There is no model "${model}".`);
  const reason = unavailableReason(entry, await chatFileStore(db, chat, models));
  if (reason) {
    throw new AppError('model_unavailable', `${entry.displayName} cannot be used in this chat. ${reason}`);
  }
  // Judged against the model read above: a switch made meanwhile is not overwritten unseen.
  return toChatDetail(
    await updateLiveChat(db, scope, id, { ...set, model: entry.id }, eq(chats.model, chat.model)),
  );
}

/**
 * Soft delete; the compare-and-set on deleted_at makes a second delete answer 404. In the same
 * transaction every attachment of the chat is deleted too (its bytes stop counting against the
 * quotas) and marked for provider cleanup, and one job is enqueued to clean the chat up.
 */
export async function deleteChat(db: Db, caller: Caller | null, id: string): Promise<void> {
  const scope = authorize(caller, 'chat.delete');
  assertChatId(id);
  await db.transaction(async (tx) => {
    await updateLiveChat(tx, scope, id, { deletedAt: sql`now()` });
    await tx
      .update(attachments)
      .set({
        deletedAt: sql`coalesce(${attachments.deletedAt}, now())`,
        // Cleanups already done or given up on stay as they are.
        cleanupStatus: sql`coalesce(${attachments.cleanupStatus}, 'pending')`,
        cleanupUpdatedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(attachments.chatId, id),
          eq(attachments.tenantId, scope.tenantId),
          or(isNull(attachments.deletedAt), isNull(attachments.cleanupStatus)),
        ),
      );
    // An answer still streaming is stopped: nobody can read it any more (its stream reads the flag).
    await requestCancel(tx, { chatId: id });
    await enqueue(tx, 'chat_deleted', { tenant_id: scope.tenantId, chat_id: id });
  });
  wakeWorker();
}

export const DEFAULT_PAGE_SIZE = 20;
export const MAX_PAGE_SIZE = 100;

export interface ChatPage {
  items: ChatDetail[];
  page_info: { limit: number; next_cursor: string | null };
}

/** My chats, most recently updated first, by keyset pagination on (updated_at, id). */
export async function listChats(
  db: Db,
  caller: Caller | null,
  query: { limit?: string | null; cursor?: string | null },
): Promise<ChatPage> {
  const scope = authorize(caller, 'chat.list');
  const limit = parseLimit(query.limit, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const rows = await db
    .select()
    .from(chats)
    .where(
      and(
        chatInScope(scope),
        isNull(chats.deletedAt),
        after
          ? or(lt(chats.updatedAt, after.at), and(eq(chats.updatedAt, after.at), lt(chats.id, after.id)))
          : undefined,
      ),
    )
    .orderBy(desc(chats.updatedAt), desc(chats.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toChatDetail),
    page_info: {
      limit,
      next_cursor: rows.length > limit && last ? encodeCursor({ at: last.updatedAt, id: last.id }) : null,
    },
  };
}
