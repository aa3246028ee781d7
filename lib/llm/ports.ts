import { CodedError } from '@/lib/errors';
import type { ModelEntry } from '@/lib/models/catalog';

/**
 * The narrow interface a turn needs from a language model: one streamed answer. Adapters:
 * `responses` (OpenAI and Azure, the Responses API with hosted file_search and code_interpreter),
 * `chat-completions` (any OpenAI-compatible server) and `offline` (no model: quotes passages).
 * Provider ids (file ids, vector store ids) go in; only our own ids may come out to a client,
 * which is the turn service's job (citations are mapped to attachment ids there).
 */

export interface HistoryMessage {
  role: 'user' | 'assistant';
  content: string;
}

/** A passage of one of the chat's documents, retrieved from our own index (local providers). */
export interface Passage {
  attachmentId: string;
  filename: string;
  /** The whole retrieved chunk, for a model to read. */
  text: string;
  /** Its part worth quoting for the question: what the citation shows. */
  quote: string;
  /** The page of the document it starts on, when the document has pages (PDF). */
  page?: number;
}

export interface ModelInput {
  model: ModelEntry;
  /** The system prompt. */
  instructions: string;
  /** Earlier messages of the chat, oldest first, already cut to the context budget. */
  history: HistoryMessage[];
  /** The message being answered. */
  user: {
    text: string;
    /** The message's images, by provider file id (only on the turn they were attached to). */
    imageFileIds: string[];
  };
  /** Retrieved passages to put in the prompt (local retrieval); absent for hosted file search. */
  passages?: Passage[];
  /** Hosted file search over the chat's vector store, restricted to these attachments. */
  fileSearch?: { vectorStoreId: string; attachmentIds: string[]; maxResults: number };
  /** Hosted code interpreter with these provider file ids in its container. */
  codeInterpreter?: { fileIds: string[] };
  maxOutputTokens: number;
}

export type ToolName = 'file_search' | 'code_interpreter';

export type ModelEvent =
  | { type: 'text'; delta: string }
  | {
      type: 'tool';
      name: ToolName;
      phase: 'started' | 'completed';
      /** Code interpreter: the code run, and its logs, when completed. */
      code?: string;
      output?: string;
    }
  /**
   * A hosted file_search citation: the provider's file id, mapped to our attachment by the turn
   * service (which also cites the passages it retrieved itself, so adapters never do).
   */
  | { type: 'file_citation'; providerFileId: string; filename?: string }
  | { type: 'usage'; inputTokens: number; outputTokens: number }
  /**
   * The provider is still at work (a reasoning step, a keep-alive) though nothing is shown: it
   * keeps the turn from being given up on as idle.
   */
  | { type: 'progress' }
  | { type: 'finish'; reason: FinishReason };

export type FinishReason = 'stop' | 'length' | 'content_filter';

export interface ChatModel {
  /**
   * Streams the answer. Text deltas are yielded as they arrive, never batched. Ends after a
   * `finish` event; throws ModelError on a provider failure, before or during the stream. When
   * `signal` aborts, the provider request is aborted at once and the iteration ends (it may
   * throw an abort error, which the caller ignores).
   */
  stream(input: ModelInput, signal: AbortSignal): AsyncIterable<ModelEvent>;
}

export type ModelErrorCode =
  | 'provider_error'
  | 'provider_timeout'
  | 'provider_unavailable'
  | 'rate_limited'
  | 'context_too_long'
  | 'content_filtered';

/** A model call that failed. `message` is for logs only (it may hold provider ids and words). */
export class ModelError extends CodedError<ModelErrorCode> {
  static readonly brand = 'ModelError';
}
