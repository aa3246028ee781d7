import { ApiError, isRecord } from './http';
import type { ReplyScript, ScriptedUsage } from './replies';

export type Ending =
  | { type: 'completed' }
  | { type: 'failed'; afterChunks: number }
  | { type: 'incomplete'; afterChunks: number };

export type PlannedTool =
  | { type: 'file_search'; query: string }
  | { type: 'code_interpreter'; code: string; logs: string };

export interface ReplyPlan {
  /** The whole answer, as deltas. */
  chunks: string[];
  delayMs: number;
  ending: Ending;
  /** An HTTP error to answer instead of any reply. */
  rejection?: ApiError;
  usage?: ScriptedUsage;
  /** Responses only: a hosted tool call before the message. */
  tool?: PlannedTool;
}

/** Word-sized deltas: each word with the whitespace after it. */
export const words = (text: string): string[] => text.match(/^\s+|\S+\s*/g) ?? [];

/** The usual rule of thumb, about four characters per token. */
export const estimateTokens = (text: string) => Math.ceil(text.length / 4);

const echo = (text: string) => `You said: ${text}`;

/** The text of the last user message: a string, or its text parts (images and files are ignored). */
export function lastUserText(messages: unknown[], textPart: 'input_text' | 'text'): string {
  const message = messages.findLast((item) => isRecord(item) && item.role === 'user');
  const content = isRecord(message) ? message.content : undefined;
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((part) => isRecord(part) && part.type === textPart && typeof part.text === 'string')
    .map((part) => part.text)
    .join('\n');
}

export const STREAM_FAILURE = 'The server had an error while processing your request.';

const PARTIAL_DELTAS = 3;
const SLOW_EXTRA_DELTAS = 120;
const SLOW_PACE_MS = 50;
const PREFIX = /^(RATELIMIT|ERROR|INCOMPLETE|SLOW|CODEINTERP)\b|^FILESEARCH:/;

/** Before-stream failures tell the SDK not to retry, or every failure test would wait out its backoff. */
export function scriptedFailure(status: number, code: string | undefined, message: string): ApiError {
  const type = status === 429 ? 'requests' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return new ApiError(status, message, { type, code: code ?? null, headers: { 'x-should-retry': 'false' } });
}

function fromScript(script: ReplyScript, text: string, pace: number): ReplyPlan {
  const chunks = script.chunks ?? words(script.text ?? echo(text));
  const { status, errorAfterChunks } = script;
  return {
    chunks,
    delayMs: script.delayMs ?? pace,
    ending:
      errorAfterChunks === undefined
        ? { type: 'completed' }
        : { type: 'failed', afterChunks: errorAfterChunks },
    rejection:
      status === undefined
        ? undefined
        : scriptedFailure(status, script.code, `Scripted failure (${status}).`),
    usage: script.usage,
  };
}

/**
 * What a model reply does, picked from a scripted reply or else from the last user message's prefix:
 *   RATELIMIT   429 `rate_limit_exceeded` before any stream
 *   ERROR       a few deltas, then a mid-stream server error
 *   INCOMPLETE  a few deltas, then cut off by max output tokens
 *   SLOW        the echo plus 120 more word deltas, 50 ms apart (room to cancel mid-way)
 *   CODEINTERP  a code interpreter call, then a message (needs the `code_interpreter` tool)
 *   FILESEARCH: the rest is the file_search query (needs the `file_search` tool, which otherwise searches
 *               for the whole text)
 * and by default `You said: <text>`, streamed word by word.
 */
export function planReply(
  text: string,
  options: { script?: ReplyScript; pace: number; tools: { fileSearch: boolean; codeInterpreter: boolean } },
): ReplyPlan {
  const { script, pace, tools } = options;
  if (script) return fromScript(script, text, pace);
  const chunks = words(echo(text));
  const plain: ReplyPlan = { chunks, delayMs: pace, ending: { type: 'completed' } };
  const prefix = PREFIX.exec(text)?.[0];
  const rest = text.slice(prefix?.length ?? 0).trim();
  switch (prefix) {
    case 'RATELIMIT':
      return {
        ...plain,
        rejection: scriptedFailure(429, 'rate_limit_exceeded', 'Rate limit reached for requests (fake).'),
      };
    case 'ERROR':
      return { ...plain, ending: { type: 'failed', afterChunks: Math.min(PARTIAL_DELTAS, chunks.length) } };
    case 'INCOMPLETE':
      return {
        ...plain,
        ending: { type: 'incomplete', afterChunks: Math.min(PARTIAL_DELTAS, chunks.length) },
      };
    case 'SLOW': {
      const counting = Array.from({ length: SLOW_EXTRA_DELTAS }, (_, i) => i + 1).join(' ');
      return { ...plain, chunks: words(`${echo(text)} Counting: ${counting}`), delayMs: SLOW_PACE_MS };
    }
    case 'CODEINTERP': {
      if (!tools.codeInterpreter) return plain;
      const printed = rest || 'hello';
      const tool: PlannedTool = {
        type: 'code_interpreter',
        code: `print(${JSON.stringify(printed)})`,
        logs: `${printed}\n`,
      };
      return { ...plain, chunks: words(`The code printed: ${printed}`), tool };
    }
    case 'FILESEARCH:':
      return tools.fileSearch ? { ...plain, tool: { type: 'file_search', query: rest } } : plain;
    default:
      return tools.fileSearch ? { ...plain, tool: { type: 'file_search', query: text } } : plain;
  }
}
