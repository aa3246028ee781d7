import { ApiError, type Context, isRecord, type JsonBody } from './http';
import type { Frame } from './sse';

export interface ScriptedUsage {
  input_tokens: number;
  output_tokens: number;
}

/** The next model reply, scripted by a test; it overrides the scenario the user text would pick. */
export interface ReplyScript {
  /** The answer, streamed word by word. */
  text?: string;
  /** The answer as exactly these deltas (wins over `text`). */
  chunks?: string[];
  /** Pause between deltas (wins over the global pace). */
  delayMs?: number;
  /** Refuse the request with this HTTP status before any stream. */
  status?: number;
  /** The error code sent with `status`. */
  code?: string;
  /** Fail mid-stream after this many deltas. */
  errorAfterChunks?: number;
  usage?: ScriptedUsage;
}

/** Scripted replies, first in first out, shared by `/responses` and `/chat/completions`, and the global pace. */
export class Replies {
  private readonly queue: ReplyScript[] = [];
  /** Pause between deltas when no script sets one. */
  pace = 0;

  add(script: ReplyScript) {
    this.queue.push(script);
  }

  next(): ReplyScript | undefined {
    return this.queue.shift();
  }

  reset() {
    this.queue.length = 0;
    this.pace = 0;
  }
}

/** What the model endpoints need from the server. */
export interface ReplyDeps {
  replies: Replies;
  /** Answers the request with these frames, recording the stream's timings on its record. */
  sendStream(ctx: Context, frames: Frame[], delayMs: number): Promise<void>;
}

const isCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 0;

/** Validates a script sent to the HTTP control plane (programmatic callers have the types). */
export function parseReplyScript(body: JsonBody): ReplyScript {
  const invalid = (field: string, expected: string) =>
    new ApiError(400, `Invalid '${field}': expected ${expected}.`, { param: field });
  const { text, chunks, delayMs, status, code, errorAfterChunks, usage } = body;
  if (text !== undefined && typeof text !== 'string') throw invalid('text', 'a string');
  if (
    chunks !== undefined &&
    !(Array.isArray(chunks) && chunks.every((chunk) => typeof chunk === 'string'))
  ) {
    throw invalid('chunks', 'an array of strings');
  }
  if (delayMs !== undefined && !isCount(delayMs)) throw invalid('delayMs', 'a whole number of ms');
  if (status !== undefined && !(isCount(status) && status >= 400 && status <= 599)) {
    throw invalid('status', 'an HTTP error status');
  }
  if (code !== undefined && typeof code !== 'string') throw invalid('code', 'a string');
  if (errorAfterChunks !== undefined && !isCount(errorAfterChunks)) {
    throw invalid('errorAfterChunks', 'a count');
  }
  if (
    usage !== undefined &&
    !(isRecord(usage) && isCount(usage.input_tokens) && isCount(usage.output_tokens))
  ) {
    throw invalid('usage', '{input_tokens, output_tokens}');
  }
  return body as ReplyScript;
}
