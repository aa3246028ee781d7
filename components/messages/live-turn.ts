import type { FinishReason } from '@/lib/llm/ports';
import type {
  AnswerState,
  Citation,
  Message,
  MessageAttachment,
  StreamEvent,
  ToolEvent,
  ToolName,
} from './message-types';

/** A tool the model used while answering: running until its `completed` event. */
export interface ToolActivity {
  name: ToolName;
  done: boolean;
  code?: string;
  output?: string;
}

export type LivePhase = 'sending' | 'streaming' | 'done' | 'stopped' | 'failed';

/** The turn this tab is sending (or retrying) and reading, until the message list holds its answer. */
export interface LiveTurn {
  /** The id sent (a send's own), or the retried turn's. */
  requestId: string;
  /** For a retry: the turn being answered again, whose messages make way for this one. */
  retryOf?: string;
  /** The server's id for the turn, from `stream_started` (a retry's is new). */
  serverRequestId?: string;
  assistantMessageId?: string;
  /** The message as this tab sent it, shown until the list has it. */
  user?: { content: string; attachments: MessageAttachment[] };
  content: string;
  tools: ToolActivity[];
  citations: Citation[];
  phase: LivePhase;
  finishReason?: FinishReason;
  /** The message's images the model does not see, from `stream_started`. */
  unseenImages?: number;
  /** A stream `error` event, a broken connection, or a stream that ended without its last event. */
  errorCode?: string;
}

/** What the stream told about an answer beyond its text, kept after the list takes the answer over. */
export interface TurnExtras {
  tools: ToolActivity[];
  finishReason?: FinishReason;
}

export const liveRequestId = (turn: LiveTurn) => turn.serverRequestId ?? turn.requestId;
export const isRunning = (turn: LiveTurn | null) => turn?.phase === 'sending' || turn?.phase === 'streaming';

function applyTool(tools: ToolActivity[], event: ToolEvent): ToolActivity[] {
  const extra = {
    ...(event.code ? { code: event.code } : {}),
    ...(event.output ? { output: event.output } : {}),
  };
  if (event.phase === 'started') return [...tools, { name: event.name, done: false, ...extra }];
  // Completes the latest run of the tool still going, or records one whose start was not seen.
  const index = tools.findLastIndex((tool) => tool.name === event.name && !tool.done);
  if (index < 0) return [...tools, { name: event.name, done: true, ...extra }];
  return tools.map((tool, i) => (i === index ? { ...tool, done: true, ...extra } : tool));
}

/** The turn after one stream event (deltas are applied in batches by the caller, as text). */
export function applyEvent(turn: LiveTurn, event: StreamEvent): LiveTurn {
  switch (event.event) {
    case 'stream_started':
      return {
        ...turn,
        phase: 'streaming',
        serverRequestId: event.data.request_id,
        assistantMessageId: event.data.assistant_message_id,
        unseenImages: event.data.unseen_images,
        // A replay of a finished turn sends the whole text again.
        content: event.data.is_new_turn ? turn.content : '',
      };
    case 'delta':
      return { ...turn, phase: 'streaming', content: turn.content + event.data.content };
    case 'tool':
      return { ...turn, phase: 'streaming', tools: applyTool(turn.tools, event.data) };
    case 'citations':
      return { ...turn, citations: event.data.items };
    case 'done':
      return {
        ...turn,
        phase: 'done',
        assistantMessageId: event.data.message_id,
        finishReason: event.data.finish_reason,
        // A tool whose completion never came is over with the answer.
        tools: turn.tools.map((tool) => ({ ...tool, done: true })),
      };
    case 'error':
      return {
        ...turn,
        phase: 'failed',
        errorCode: event.data.code,
        tools: turn.tools.map((tool) => ({ ...tool, done: true })),
      };
  }
}

/** One message as the list draws it, from the server's list or from the live turn. */
export type Bubble =
  | { key: string; role: 'user'; content: string; attachments: MessageAttachment[] }
  | {
      key: string;
      role: 'assistant';
      requestId: string;
      content: string;
      citations: Citation[];
      tools: ToolActivity[];
      state: AnswerState | 'streaming';
      errorCode?: string;
      finishReason?: FinishReason;
      unseenImages?: number;
      /** The model that wrote a stored answer (a chat may have switched since). */
      model?: string;
    };

/*
 * Keys follow the turn (role and request id), not the message id: the bubble a live turn draws
 * and the one the list draws once it holds the answer are then the same element, so nothing
 * flickers and screen readers hear no second addition to the log.
 */
const keyOf = (role: Message['role'], requestId: string) => `${role}:${requestId}`;

function storedBubble(message: Message, extras: ReadonlyMap<string, TurnExtras>): Bubble {
  const key = keyOf(message.role, message.request_id);
  if (message.role === 'user')
    return { key, role: 'user', content: message.content, attachments: message.attachments };
  const extra = extras.get(message.request_id);
  return {
    key,
    role: 'assistant',
    requestId: message.request_id,
    content: message.content,
    citations: message.citations,
    tools: extra?.tools ?? message.tools.map((tool) => ({ ...tool, done: true })),
    state: message.state ?? 'completed',
    errorCode: message.error_code,
    finishReason: message.finish_reason ?? extra?.finishReason,
    unseenImages: message.unseen_images,
    model: message.model,
  };
}

function liveAnswer(turn: LiveTurn): Bubble & { role: 'assistant' } {
  const requestId = liveRequestId(turn);
  return {
    key: keyOf('assistant', requestId),
    role: 'assistant',
    requestId,
    content: turn.content,
    citations: turn.citations,
    tools: turn.tools,
    state:
      turn.phase === 'done'
        ? 'completed'
        : turn.phase === 'stopped'
          ? 'cancelled'
          : turn.phase === 'failed'
            ? 'failed'
            : 'streaming',
    errorCode: turn.errorCode,
    finishReason: turn.finishReason,
    unseenImages: turn.unseenImages,
  };
}

/** The list's answer to the live turn, once the turn is over and the list has caught up with it. */
export function storedAnswerOf(messages: Message[], turn: LiveTurn): Message | undefined {
  if (isRunning(turn)) return undefined;
  const requestId = liveRequestId(turn);
  return messages.find(
    (message) =>
      message.role === 'assistant' &&
      (message.id === turn.assistantMessageId || message.request_id === requestId),
  );
}

export interface Transcript {
  /** The conversation as the log holds it, oldest first. */
  bubbles: Bubble[];
  /** The answer being written, drawn after the log and outside it, so that deltas are not announced. */
  writing: (Bubble & { role: 'assistant' }) | null;
}

/** The server's messages with the live turn in place of its own (or the retried turn's) messages. */
export function buildTranscript(
  messages: Message[],
  turn: LiveTurn | null,
  extras: ReadonlyMap<string, TurnExtras>,
): Transcript {
  if (!turn || storedAnswerOf(messages, turn)) {
    return { bubbles: messages.map((message) => storedBubble(message, extras)), writing: null };
  }
  const hidden = new Set([turn.requestId, turn.retryOf, turn.serverRequestId]);
  const bubbles = messages
    .filter((message) => !hidden.has(message.request_id))
    .map((message) => storedBubble(message, extras));
  if (turn.user) {
    bubbles.push({
      key: keyOf('user', turn.retryOf ?? turn.requestId),
      role: 'user',
      content: turn.user.content,
      attachments: turn.user.attachments,
    });
  }
  const answer = liveAnswer(turn);
  if (isRunning(turn)) return { bubbles, writing: answer };
  bubbles.push(answer);
  return { bubbles, writing: null };
}
