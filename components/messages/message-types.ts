/*
 * The chat API's messages, turns and stream events as the browser receives them: the server's
 * own view types (docs/chat-api.md), so the two cannot drift apart.
 */
import type { StoredCitation } from '@/lib/db/schema';
import type {
  MessageAttachmentView,
  MessagePage,
  MessageView,
  SentAttachmentView,
} from '@/lib/messages/service';
import type { TurnEvent } from '@/lib/turns/events';
import type { TurnView } from '@/lib/turns/service';

export type { MessagePage };
export type Message = MessageView;
export type MessageAttachment = MessageAttachmentView;
export type SentAttachment = SentAttachmentView;
export type Citation = StoredCitation;
export type Turn = TurnView;
export type AnswerState = NonNullable<MessageView['state']>;
export type ToolEvent = Extract<TurnEvent, { event: 'tool' }>['data'];
export type ToolName = ToolEvent['name'];
/** The events of a turn's stream the page shows; `ping` carries nothing. */
export type StreamEvent = Exclude<TurnEvent, { event: 'ping' }>;
