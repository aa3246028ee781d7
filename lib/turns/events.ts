import type { StoredCitation } from '@/lib/db/schema';
import type { FinishReason, ToolName } from '@/lib/llm/ports';

/**
 * The stream's events and their payloads (docs/chat-api.md). Grammar:
 * `stream_started ping* (delta | tool)* citations? (done | error)`.
 */
export type TurnEvent =
  | {
      event: 'stream_started';
      data: {
        request_id: string;
        user_message_id: string;
        assistant_message_id: string;
        is_new_turn: boolean;
        /** The message's images the model will not see (it has no vision); absent when none. */
        unseen_images?: number;
      };
    }
  | { event: 'ping'; data: Record<string, never> }
  | { event: 'delta'; data: { content: string } }
  | {
      event: 'tool';
      data: { name: ToolName; phase: 'started' | 'completed'; code?: string; output?: string };
    }
  | { event: 'citations'; data: { items: StoredCitation[] } }
  | {
      event: 'done';
      data: {
        message_id: string;
        finish_reason: FinishReason;
        usage: { input_tokens: number; output_tokens: number };
      };
    }
  | { event: 'error'; data: { code: StreamErrorCode; message: string } };

export type StreamErrorCode =
  | 'provider_error'
  | 'provider_timeout'
  | 'provider_unavailable'
  | 'rate_limited'
  | 'context_too_long'
  | 'content_filtered'
  | 'stream_interrupted'
  | 'cancelled'
  | 'internal';

/** What the client reads for each error code: a sentence, never the provider's own words. */
export const STREAM_ERROR_MESSAGES: Record<StreamErrorCode, string> = {
  provider_error: 'The model failed to answer.',
  provider_timeout: 'The model took too long to answer.',
  provider_unavailable: 'The model is not reachable right now.',
  rate_limited: 'The model is receiving too many requests; try again in a moment.',
  context_too_long: 'The conversation is too long for this model.',
  content_filtered: "The answer was stopped by the provider's content filter.",
  stream_interrupted: 'The answer stopped before it was complete.',
  cancelled: 'The answer was stopped.',
  internal: 'Something went wrong while answering.',
};

const encoder = new TextEncoder();

export const encodeEvent = ({ event, data }: TurnEvent): Uint8Array =>
  encoder.encode(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);

/** A comment line: keeps proxies from closing an idle connection, and clients ignore it. */
export const KEEP_ALIVE = encoder.encode(': keep-alive\n\n');
