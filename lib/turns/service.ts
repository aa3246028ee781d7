import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { loadLiveChat, lockLiveChat, touchChat } from '@/lib/chats/queries';
import type { Db, Queryable } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import {
  type Attachment,
  attachments,
  type Chat,
  type ChatTurn,
  chatTurns,
  messageAttachments,
  messages,
} from '@/lib/db/schema';
import { AppError, notFound } from '@/lib/errors';
import type { FileStore, FileStoreId } from '@/lib/file-stores/ports';
import { isUuid, newId } from '@/lib/ids';
import { refuseWhileDraining } from '@/lib/lifecycle';
import type { ChatModel } from '@/lib/llm/ports';
import type { ModelEntry } from '@/lib/models/catalog';
import { authorize, type Caller, type OwnerScope } from '@/lib/policy';
import { checkRate } from '@/lib/rate-limits/check';
import type { RateLimits } from '@/lib/rate-limits/config';
import { type KillSwitches, readKillSwitches } from '@/lib/tenants/settings';
import { parseInput } from '@/lib/validation';
import { checkImages, lockMessageAttachments } from './attachments';
import type { TurnEvent } from './events';
import { MAX_CONTENT_CHARS } from './limits';
import { stopLocalStream } from './local-streams';
import { estimateTokens, planTurn, type TurnSettings } from './plan';
import { type RunnerDeps, replayStream, runTurn, type TurnStream } from './runner';
import { findMessage, findTurn, insertTurn, latestTurn, requestCancel } from './store';

export interface TurnDeps extends RunnerDeps {
  /** The file stores by id: a turn searches the chat's documents in its model's store. */
  fileStores: (id: FileStoreId) => FileStore;
  /** Enabled catalog entries only: a chat whose model is gone cannot send. */
  models: { find(id: string): ModelEntry | undefined };
  chatModel(model: ModelEntry): ChatModel;
  settings: TurnSettings & { maxImagesPerMessage: number };
  rateLimits: Pick<RateLimits, 'messages'>;
}

const sendSchema = z.object({
  content: z
    .string({ message: 'content must be a string.' })
    .max(MAX_CONTENT_CHARS, { message: `A message can have at most ${MAX_CONTENT_CHARS} characters.` })
    .refine((s) => s.trim() !== '', { message: 'The message must not be empty.' }),
  request_id: z.uuid({ message: 'request_id must be a UUID.' }).optional(),
  attachment_ids: z
    .array(z.string({ message: 'attachment_ids must hold attachment ids.' }), {
      message: 'attachment_ids must be an array.',
    })
    .max(50, { message: 'A message can carry at most 50 attachments.' })
    .optional(),
});

interface Started {
  turn: ChatTurn;
  sent: Attachment[];
  text: string;
}

/**
 * Sends a message and answers it as an event stream. Everything that can be refused is refused
 * before the stream starts, as problem JSON; a request id seen before is replayed or refused.
 */
export async function sendMessage(
  deps: TurnDeps,
  caller: Caller | null,
  chatId: string,
  body: unknown,
  signal?: AbortSignal,
): Promise<TurnStream> {
  const scope = authorize(caller, 'message.send');
  refuseWhileDraining();
  const input = parseInput(sendSchema, body ?? {});
  const chat = await loadLiveChat(deps.db, scope, chatId);
  const requestId = input.request_id ?? newId();
  if (input.request_id) {
    const seen = await findTurn(deps.db, chat.id, requestId);
    if (seen) return replayOrRefuse(deps, seen);
  }
  const switches = await readKillSwitches(deps.db, chat.tenantId);
  const model = usableModel(deps, chat, switches);
  if (estimateTokens(input.content) > model.contextWindow - model.maxOutputTokens) {
    throw new AppError('input_too_long', `The message is too long for ${model.displayName}.`);
  }
  let started: Started;
  try {
    started = await deps.db.transaction(async (tx) => {
      await lockChatForTurn(tx, scope, chat, requestId);
      await checkRate(tx, scope, 'messages', deps.rateLimits.messages);
      const sent = await lockMessageAttachments(tx, scope, chat.id, input.attachment_ids ?? []);
      return openTurn(tx, deps, { scope, chat, model, switches }, { requestId, text: input.content, sent });
    });
  } catch (err) {
    // Two sends with one request id at once: the loser answers as a repeat of the winner.
    if (
      isUniqueViolation(err, 'chat_turns_request_uq') ||
      isUniqueViolation(err, 'messages_request_role_uq')
    ) {
      const seen = await findTurn(deps.db, chat.id, requestId);
      if (seen) return replayOrRefuse(deps, seen);
    }
    throw runningConflict(err);
  }
  return start(deps, model, started, switches, signal);
}

/**
 * Answers the chat's last turn again, as a new turn with a new request id: the same message and
 * attachments are sent again, and the old turn's messages leave the conversation.
 */
export async function retryTurn(
  deps: TurnDeps,
  caller: Caller | null,
  chatId: string,
  requestId: string,
  signal?: AbortSignal,
): Promise<TurnStream> {
  const scope = authorize(caller, 'turn.retry');
  refuseWhileDraining();
  const chat = await loadLiveChat(deps.db, scope, chatId);
  const old = isUuid(requestId) ? await findTurn(deps.db, chat.id, requestId) : undefined;
  if (!old || old.deletedAt) throw notFound('Turn');
  const switches = await readKillSwitches(deps.db, chat.tenantId);
  const model = usableModel(deps, chat, switches);
  let started: Started;
  try {
    started = await deps.db.transaction(async (tx) => {
      await lockChatForTurn(tx, scope, chat);
      await checkRate(tx, scope, 'messages', deps.rateLimits.messages);
      const last = await latestTurn(tx, chat.id);
      if (last?.id !== old.id)
        throw new AppError('not_latest_turn', 'Only the last answer of a chat can be retried.');
      const original = await findMessage(tx, chat.id, old.userMessageId);
      if (!original) throw notFound('Turn');
      const sent = await stillAttached(tx, chat.id, original.id);
      const newRequestId = newId();
      await tx
        .update(messages)
        .set({ deletedAt: sql`now()` })
        .where(
          and(
            eq(messages.chatId, chat.id),
            eq(messages.requestId, old.requestId),
            isNull(messages.deletedAt),
          ),
        );
      await tx
        .update(chatTurns)
        .set({ deletedAt: sql`now()`, replacedByRequestId: newRequestId, updatedAt: sql`now()` })
        .where(eq(chatTurns.id, old.id));
      return openTurn(
        tx,
        deps,
        { scope, chat, model, switches },
        { requestId: newRequestId, text: original.content, sent },
      );
    });
  } catch (err) {
    throw runningConflict(err);
  }
  return start(deps, model, started, switches, signal);
}

/**
 * Stops a running turn from any request, not only the one reading its stream (another tab, or
 * the same page after a reload). At once when this process streams it; otherwise the stream reads
 * the flag within a couple of seconds. Idempotent: an ended turn is answered as it is.
 */
export async function cancelTurn(
  db: Db,
  caller: Caller | null,
  chatId: string,
  requestId: string,
): Promise<TurnView> {
  const scope = authorize(caller, 'turn.cancel');
  const chat = await loadLiveChat(db, scope, chatId);
  const turn = isUuid(requestId) ? await findTurn(db, chat.id, requestId) : undefined;
  if (!turn || turn.deletedAt) throw notFound('Turn');
  if (turn.state !== 'running' || !(await requestCancel(db, { turnId: turn.id }))) return toTurnView(turn);
  stopLocalStream(turn.id);
  // The flag is written; the stream ends the turn itself, so it is reported as it is now.
  return toTurnView((await findTurn(db, chat.id, requestId)) ?? turn);
}

export interface TurnView {
  request_id: string;
  state: ChatTurn['state'];
  error_code?: string;
  assistant_message_id?: string;
  updated_at: string;
}

export async function getTurn(
  db: Db,
  caller: Caller | null,
  chatId: string,
  requestId: string,
): Promise<TurnView> {
  const scope = authorize(caller, 'turn.read');
  const chat = await loadLiveChat(db, scope, chatId);
  const turn = isUuid(requestId) ? await findTurn(db, chat.id, requestId) : undefined;
  if (!turn) throw notFound('Turn');
  return toTurnView(turn);
}

function toTurnView(turn: ChatTurn): TurnView {
  return {
    request_id: turn.requestId,
    state: turn.state,
    ...(turn.errorCode ? { error_code: turn.errorCode } : {}),
    ...(turn.state !== 'running' ? { assistant_message_id: turn.assistantMessageId } : {}),
    updated_at: turn.updatedAt.toISOString(),
  };
}

function usableModel(deps: TurnDeps, chat: Chat, switches: KillSwitches): ModelEntry {
  const model = deps.models.find(chat.model);
  if (!model)
    throw new AppError('invalid_model', "This chat's model is no longer available; start a new chat.");
  if (switches?.enabledModels && !switches.enabledModels.includes(model.id)) {
    throw new AppError(
      'model_unavailable',
      `Your organisation has turned ${model.displayName} off; switch this chat to another model.`,
    );
  }
  return model;
}

/**
 * Serializes sends to a chat and refuses a second running turn. The partial unique index on
 * running turns is the real arbiter (it holds across processes and for the reaper too); the
 * lock makes the common case a clear 409 instead of a failed insert.
 */
async function lockChatForTurn(tx: Queryable, scope: OwnerScope, chat: Chat, requestId?: string) {
  await lockLiveChat(tx, scope, chat.id);
  const [running] = await tx
    .select({ requestId: chatTurns.requestId })
    .from(chatTurns)
    .where(and(eq(chatTurns.chatId, chat.id), eq(chatTurns.state, 'running'), isNull(chatTurns.deletedAt)));
  // The same request sent twice at once: the second finds the first one running.
  if (running && running.requestId === requestId) throw stillRunning();
  if (running) throw generationInProgress();
}

const stillRunning = () =>
  new AppError(
    'request_id_conflict',
    'This request id was used for a message that is still being answered; send with a new one.',
  );

const generationInProgress = () =>
  new AppError('generation_in_progress', 'This chat is already answering a message; wait for it or stop it.');

const runningConflict = (err: unknown) =>
  isUniqueViolation(err, 'chat_turns_one_running_uq') ? generationInProgress() : err;

/**
 * The part of a send and of a retry that is the same: the message's images checked against the
 * tenant's switch and the per-message cap, then the user message, its links and the running turn written, and the
 * chat touched. In the caller's transaction, after the chat is locked.
 */
async function openTurn(
  tx: Queryable,
  deps: TurnDeps,
  on: { scope: OwnerScope; chat: Chat; model: ModelEntry; switches: KillSwitches },
  message: { requestId: string; text: string; sent: Attachment[] },
): Promise<Started> {
  const { scope, chat, model, switches } = on;
  checkImages(message.sent, !switches?.disableImages, deps.settings.maxImagesPerMessage);
  const turn = await insertTurn(tx, {
    tenantId: chat.tenantId,
    chatId: chat.id,
    userId: scope.userId,
    requestId: message.requestId,
    model: model.id,
    content: message.text,
    attachments: message.sent,
  });
  await touchChat(tx, chat.id, message.text);
  return { turn, sent: message.sent, text: message.text };
}

/** A retried message keeps the attachments it was sent with, except any deleted since. */
async function stillAttached(tx: Queryable, chatId: string, messageId: string): Promise<Attachment[]> {
  const links = await tx
    .select({ id: messageAttachments.attachmentId })
    .from(messageAttachments)
    .where(and(eq(messageAttachments.chatId, chatId), eq(messageAttachments.messageId, messageId)))
    .orderBy(messageAttachments.createdAt);
  if (links.length === 0) return [];
  const rows = await tx
    .select()
    .from(attachments)
    .where(
      and(
        eq(attachments.chatId, chatId),
        inArray(
          attachments.id,
          links.map((l) => l.id),
        ),
        isNull(attachments.deletedAt),
        eq(attachments.status, 'ready'),
      ),
    );
  return rows;
}

async function start(
  deps: TurnDeps,
  model: ModelEntry,
  started: Started,
  switches: KillSwitches,
  signal?: AbortSignal,
): Promise<TurnStream> {
  const { turn, sent, text } = started;
  const plan = await planTurn(deps, {
    turn,
    model,
    text,
    sent,
    switches: {
      fileSearch: !switches?.disableFileSearch,
      codeInterpreter: !switches?.disableCodeInterpreter,
    },
    settings: deps.settings,
  });
  return runTurn(deps, { turn, model, chatModel: deps.chatModel(model), plan, isNewTurn: true, signal });
}

/** A request id seen before: a completed turn is replayed with no model call; any other is refused. */
async function replayOrRefuse(deps: TurnDeps, turn: ChatTurn): Promise<TurnStream> {
  const answer =
    turn.state === 'completed' ? await findMessage(deps.db, turn.chatId, turn.assistantMessageId) : undefined;
  if (turn.state === 'running') throw stillRunning();
  if (!answer || turn.deletedAt) {
    const why = turn.deletedAt ? 'was answered again since' : `ended ${turn.state}`;
    throw new AppError(
      'request_id_conflict',
      `This request id was used for a message that ${why}; send with a new one.`,
    );
  }
  deps.metrics.replay();
  const events: TurnEvent[] = [
    {
      event: 'stream_started',
      data: {
        request_id: turn.requestId,
        user_message_id: turn.userMessageId,
        assistant_message_id: turn.assistantMessageId,
        is_new_turn: false,
        ...(answer.unseenImages ? { unseen_images: answer.unseenImages } : {}),
      },
    },
    { event: 'delta', data: { content: answer.content } },
  ];
  if (answer.citations?.length) events.push({ event: 'citations', data: { items: answer.citations } });
  events.push({
    event: 'done',
    data: {
      message_id: answer.id,
      finish_reason: answer.finishReason ?? 'stop',
      usage: { input_tokens: answer.inputTokens ?? 0, output_tokens: answer.outputTokens ?? 0 },
    },
  });
  return { body: replayStream(events), finished: Promise.resolve() };
}
