import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, or } from 'drizzle-orm';
import { canOpen, type ThumbnailView, thumbnailOf } from '@/lib/attachments/view';
import { loadLiveChat } from '@/lib/chats/queries';
import type { Db } from '@/lib/db';
import {
  attachments,
  type Message,
  messageAttachments,
  messages,
  type StoredCitation,
  type StoredToolCall,
} from '@/lib/db/schema';
import { validationError } from '@/lib/errors';
import { decodeCursor, encodeCursor, parseLimit } from '@/lib/pagination';
import { authorize, type Caller } from '@/lib/policy';

export interface SentAttachmentView {
  attachment_id: string;
  kind: 'document' | 'image';
  filename: string;
  content_type: string;
  /** Its original can be fetched from the attachment's `…/content` (see AttachmentView). */
  can_open: boolean;
  img_thumbnail?: ThumbnailView;
}

/** A file an administrator deleted after it was sent: its place in the message, and nothing of it. */
export interface RemovedAttachmentView {
  attachment_id: string;
  removed_by_admin: true;
}

export type MessageAttachmentView = SentAttachmentView | RemovedAttachmentView;

export interface MessageView {
  id: string;
  request_id: string;
  role: Message['role'];
  content: string;
  attachments: MessageAttachmentView[];
  citations: StoredCitation[];
  /** The tools an answer used ([] on user messages). */
  tools: StoredToolCall[];
  /** Answers: the question's images their model could not see; absent when none. */
  unseen_images?: number;
  state?: NonNullable<Message['state']>;
  error_code?: string;
  finish_reason?: NonNullable<Message['finishReason']>;
  model?: string;
  input_tokens?: number;
  output_tokens?: number;
  created_at: string;
}

export interface MessagePage {
  items: MessageView[];
  next_cursor: string | null;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 100;

/**
 * A chat's messages by keyset pagination on (created_at, id), oldest first by default; `desc`
 * pages back from the newest, which is how a chat window loads. Messages of retried turns are
 * gone; so are deleted attachments from a message's list, except that one an administrator removed
 * leaves a placeholder.
 */
export async function listMessages(
  db: Db,
  caller: Caller | null,
  chatId: string,
  query: { limit?: string | null; cursor?: string | null; order?: string | null },
): Promise<MessagePage> {
  const scope = authorize(caller, 'message.list');
  const order = query.order ?? 'asc';
  if (order !== 'asc' && order !== 'desc') {
    throw validationError('order must be asc or desc.', [{ field: 'order', message: 'Use asc or desc.' }]);
  }
  const limit = parseLimit(query.limit, DEFAULT_LIMIT, MAX_LIMIT);
  const after = query.cursor ? decodeCursor(query.cursor) : null;
  const chat = await loadLiveChat(db, scope, chatId);
  const beyond = order === 'asc' ? gt : lt;
  const rows = await db
    .select()
    .from(messages)
    .where(
      and(
        eq(messages.chatId, chat.id),
        isNull(messages.deletedAt),
        after
          ? or(
              beyond(messages.createdAt, after.at),
              and(eq(messages.createdAt, after.at), beyond(messages.id, after.id)),
            )
          : undefined,
      ),
    )
    .orderBy(
      ...(order === 'asc'
        ? [asc(messages.createdAt), asc(messages.id)]
        : [desc(messages.createdAt), desc(messages.id)]),
    )
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const attached = await attachmentsOf(
    db,
    chat.id,
    page.filter((m) => m.role === 'user').map((m) => m.id),
  );
  const last = page.at(-1);
  return {
    items: page.map((m) => toMessageView(m, attached.get(m.id) ?? [])),
    next_cursor: rows.length > limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
  };
}

async function attachmentsOf(db: Db, chatId: string, messageIds: string[]) {
  const byMessage = new Map<string, MessageAttachmentView[]>();
  if (messageIds.length === 0) return byMessage;
  const rows = await db
    .select({ messageId: messageAttachments.messageId, attachment: attachments })
    .from(messageAttachments)
    .innerJoin(
      attachments,
      and(
        eq(attachments.id, messageAttachments.attachmentId),
        eq(attachments.chatId, messageAttachments.chatId),
      ),
    )
    .where(
      and(
        eq(messageAttachments.chatId, chatId),
        inArray(messageAttachments.messageId, messageIds),
        or(isNull(attachments.deletedAt), isNotNull(attachments.removedByAdminAt)),
      ),
    )
    .orderBy(asc(messageAttachments.createdAt), asc(attachments.id));
  for (const { messageId, attachment: a } of rows) {
    const list = byMessage.get(messageId) ?? [];
    list.push(
      a.removedByAdminAt
        ? { attachment_id: a.id, removed_by_admin: true }
        : {
            attachment_id: a.id,
            kind: a.kind,
            filename: a.filename,
            content_type: a.contentType,
            can_open: canOpen(a),
            ...thumbnailOf(a),
          },
    );
    byMessage.set(messageId, list);
  }
  return byMessage;
}

function toMessageView(m: Message, attached: MessageAttachmentView[]): MessageView {
  const assistant = m.role === 'assistant';
  return {
    id: m.id,
    request_id: m.requestId,
    role: m.role,
    content: m.content,
    attachments: attached,
    citations: m.citations ?? [],
    tools: m.tools ?? [],
    ...(assistant && m.unseenImages ? { unseen_images: m.unseenImages } : {}),
    ...(assistant && m.state ? { state: m.state } : {}),
    ...(m.errorCode ? { error_code: m.errorCode } : {}),
    ...(m.finishReason ? { finish_reason: m.finishReason } : {}),
    ...(assistant && m.model ? { model: m.model } : {}),
    ...(m.inputTokens !== null ? { input_tokens: m.inputTokens } : {}),
    ...(m.outputTokens !== null ? { output_tokens: m.outputTokens } : {}),
    created_at: m.createdAt.toISOString(),
  };
}
