import { and, eq, type SQL, sql } from 'drizzle-orm';
import type { PgUpdateSetSource } from 'drizzle-orm/pg-core';
import type { Queryable } from '@/lib/db';
import { type Chat, chats } from '@/lib/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { liveChatInScope, type Scope } from '@/lib/policy';

/**
 * The chat queries every service shares. A chat of another user, a deleted chat and an id that
 * is not even a UUID all answer the same 404, so nobody learns whether someone else's chat exists.
 */

/** An id that cannot name a chat is refused before anything else of the request is looked at. */
export function assertChatId(chatId: string): void {
  if (!isUuid(chatId)) throw notFound('Chat');
}

export async function loadLiveChat(q: Queryable, scope: Scope, chatId: string): Promise<Chat> {
  assertChatId(chatId);
  const [chat] = await q.select().from(chats).where(liveChatInScope(scope, chatId));
  if (!chat) throw notFound('Chat');
  return chat;
}

/**
 * Changes a live chat of the scope in one statement, whose condition is the compare-and-set.
 * `expected` adds what the change was decided on: a chat that no longer matches it answers 409.
 */
export async function updateLiveChat(
  q: Queryable,
  scope: Scope,
  chatId: string,
  set: PgUpdateSetSource<typeof chats>,
  expected?: SQL,
): Promise<Chat> {
  assertChatId(chatId);
  const [chat] = await q
    .update(chats)
    .set(set)
    .where(and(liveChatInScope(scope, chatId), expected))
    .returning();
  if (chat) return chat;
  if (expected) {
    // Gone answers 404 as always; still there means someone changed it first.
    await loadLiveChat(q, scope, chatId);
    throw new AppError(
      'conflict',
      'This chat was changed by another request meanwhile; reload it and try again.',
    );
  }
  throw notFound('Chat');
}

/**
 * Locks a live chat of the scope until the transaction ends, serializing what must not interleave
 * on one chat (sends). FOR NO KEY UPDATE, so inserts that reference the chat still go through.
 */
export async function lockLiveChat(tx: Queryable, scope: Scope, chatId: string): Promise<void> {
  const [row] = await tx
    .select({ id: chats.id })
    .from(chats)
    .where(liveChatInScope(scope, chatId))
    .for('no key update');
  if (!row) throw notFound('Chat');
}

/** The chat moves to the top of the list; a chat without a title is named after its first message. */
export async function touchChat(q: Queryable, chatId: string, content: string): Promise<void> {
  await q
    .update(chats)
    .set({
      updatedAt: sql`now()`,
      title: sql`coalesce(${chats.title}, ${titleFrom(content)})`,
    })
    .where(eq(chats.id, chatId));
}

const TITLE_CHARS = 80;

/** The first line of a message, spaces collapsed, cut to 80 characters (an ellipsis marks the cut). */
export function titleFrom(content: string): string {
  const line = content.trim().split('\n')[0]?.trim().replace(/\s+/g, ' ') ?? '';
  const chars = [...line];
  return chars.length <= TITLE_CHARS
    ? line
    : `${chars
        .slice(0, TITLE_CHARS - 1)
        .join('')
        .trimEnd()}…`;
}
