import { and, desc, eq, isNull, lt, sql } from 'drizzle-orm';
import type { Db, Queryable } from '@/lib/db';
import {
  type Attachment,
  type ChatTurn,
  chatTurns,
  messageAttachments,
  messages,
  type StoredCitation,
  type StoredToolCall,
} from '@/lib/db/schema';
import { newId } from '@/lib/ids';
import type { FinishReason } from '@/lib/llm/ports';

/** The turn rows and their messages: every write is scoped by the chat the caller was authorized for. */

export interface NewTurn {
  tenantId: string;
  chatId: string;
  userId: string;
  requestId: string;
  model: string;
  content: string;
  attachments: Attachment[];
}

/** Writes the user message, its attachment links and the running turn, in the caller's transaction. */
export async function insertTurn(tx: Queryable, t: NewTurn): Promise<ChatTurn> {
  const [message] = await tx
    .insert(messages)
    .values({
      tenantId: t.tenantId,
      chatId: t.chatId,
      role: 'user',
      content: t.content,
      requestId: t.requestId,
    })
    .returning({ id: messages.id });
  const userMessageId = (message as { id: string }).id;
  if (t.attachments.length > 0) {
    await tx.insert(messageAttachments).values(
      t.attachments.map((a) => ({
        tenantId: t.tenantId,
        chatId: t.chatId,
        messageId: userMessageId,
        attachmentId: a.id,
      })),
    );
  }
  const [turn] = await tx
    .insert(chatTurns)
    .values({
      tenantId: t.tenantId,
      chatId: t.chatId,
      userId: t.userId,
      requestId: t.requestId,
      state: 'running',
      model: t.model,
      userMessageId,
      assistantMessageId: newId(),
    })
    .returning();
  return turn as ChatTurn;
}

export async function findTurn(
  db: Queryable,
  chatId: string,
  requestId: string,
): Promise<ChatTurn | undefined> {
  const [turn] = await db
    .select()
    .from(chatTurns)
    .where(and(eq(chatTurns.chatId, chatId), eq(chatTurns.requestId, requestId)));
  return turn;
}

export async function latestTurn(db: Queryable, chatId: string): Promise<ChatTurn | undefined> {
  const [turn] = await db
    .select()
    .from(chatTurns)
    .where(and(eq(chatTurns.chatId, chatId), isNull(chatTurns.deletedAt)))
    .orderBy(desc(chatTurns.startedAt), desc(chatTurns.id))
    .limit(1);
  return turn;
}

export async function findMessage(db: Queryable, chatId: string, messageId: string) {
  const [message] = await db
    .select()
    .from(messages)
    .where(and(eq(messages.id, messageId), eq(messages.chatId, chatId)));
  return message;
}

export interface TurnOutcome {
  state: 'completed' | 'failed' | 'cancelled';
  content: string;
  errorCode?: string;
  finishReason?: FinishReason;
  citations: StoredCitation[];
  tools?: StoredToolCall[];
  usage?: { inputTokens: number; outputTokens: number };
  /** The question's images the model did not see, kept with the answer. */
  unseenImages?: number;
}

/**
 * Ends a running turn: a compare-and-set on `running`, so the first ending wins (the stream's own,
 * or the orphan reaper's) and only the winner writes the assistant message. False when it lost.
 */
export async function finishTurn(
  db: Db,
  turn: ChatTurn,
  outcome: TurnOutcome,
  options: { onlyIfStaleForMs?: number } = {},
): Promise<boolean> {
  const stale =
    options.onlyIfStaleForMs === undefined
      ? undefined
      : lt(chatTurns.lastProgressAt, sql`now() - make_interval(secs => ${options.onlyIfStaleForMs / 1000})`);
  return db.transaction(async (tx) => {
    const [won] = await tx
      .update(chatTurns)
      .set({
        state: outcome.state,
        errorCode: outcome.errorCode ?? null,
        completedAt: sql`now()`,
        updatedAt: sql`now()`,
        lastProgressAt: sql`now()`,
      })
      .where(and(eq(chatTurns.id, turn.id), eq(chatTurns.state, 'running'), stale))
      .returning({ id: chatTurns.id });
    if (!won) return false;
    await tx.insert(messages).values({
      id: turn.assistantMessageId,
      tenantId: turn.tenantId,
      chatId: turn.chatId,
      role: 'assistant',
      content: outcome.content,
      requestId: turn.requestId,
      model: turn.model,
      inputTokens: outcome.usage?.inputTokens ?? null,
      outputTokens: outcome.usage?.outputTokens ?? null,
      state: outcome.state,
      errorCode: outcome.errorCode ?? null,
      finishReason: outcome.finishReason ?? null,
      citations: outcome.citations.length > 0 ? outcome.citations : null,
      tools: outcome.tools?.length ? outcome.tools : null,
      unseenImages: outcome.unseenImages || null,
    });
    return true;
  });
}

/**
 * The stream is alive: the orphan reaper leaves the turn alone for another timeout. The text so
 * far is saved with it, so that a turn whose process dies keeps what it had streamed.
 */
export async function touchTurn(db: Db, turnId: string, partialContent: string): Promise<void> {
  await db
    .update(chatTurns)
    .set({ lastProgressAt: sql`now()`, partialContent })
    .where(and(eq(chatTurns.id, turnId), eq(chatTurns.state, 'running')));
}

/**
 * Fails running turns whose stream stopped reporting progress (its process died, or a deploy cut
 * it off), with an assistant message holding the text the stream last saved. Returns how many
 * it ended.
 */
export async function reapOrphanTurns(db: Db, timeoutMs: number, batch = 100): Promise<number> {
  const stale = await db
    .select()
    .from(chatTurns)
    .where(
      and(
        eq(chatTurns.state, 'running'),
        lt(chatTurns.lastProgressAt, sql`now() - make_interval(secs => ${timeoutMs / 1000})`),
      ),
    )
    .orderBy(chatTurns.lastProgressAt)
    .limit(batch);
  let ended = 0;
  for (const turn of stale) {
    const outcome: TurnOutcome = {
      state: 'failed',
      content: turn.partialContent ?? '',
      errorCode: 'orphan_timeout',
      citations: [],
    };
    // Stale when read is not enough: a heartbeat since then means the stream lives after all.
    if (await finishTurn(db, turn, outcome, { onlyIfStaleForMs: timeoutMs })) ended++;
  }
  return ended;
}

/**
 * Flags a running turn to stop (by its id, or whichever runs in a chat); its stream reads the
 * flag. False when none was running.
 */
export async function requestCancel(
  db: Queryable,
  which: { turnId: string } | { chatId: string },
): Promise<boolean> {
  const flagged = await db
    .update(chatTurns)
    .set({ cancelRequestedAt: sql`coalesce(${chatTurns.cancelRequestedAt}, now())`, updatedAt: sql`now()` })
    .where(
      and(
        'turnId' in which ? eq(chatTurns.id, which.turnId) : eq(chatTurns.chatId, which.chatId),
        eq(chatTurns.state, 'running'),
      ),
    )
    .returning({ id: chatTurns.id });
  return flagged.length > 0;
}

export async function cancelRequested(db: Db, turnId: string): Promise<boolean> {
  const [row] = await db
    .select({ at: chatTurns.cancelRequestedAt })
    .from(chatTurns)
    .where(eq(chatTurns.id, turnId));
  return Boolean(row?.at);
}
