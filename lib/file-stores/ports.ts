import { brandOf } from '@/lib/errors';

/**
 * The narrow interfaces the attachment service needs from a provider. Adapters: `openai`,
 * `azure` (the same SDK against Azure OpenAI) and `local` (a folder plus our own full-text index).
 * Provider ids (file ids, vector store ids) cross these interfaces but never reach a client.
 */

export type FileStoreId = 'openai' | 'azure' | 'local';

export interface UploadInput {
  /** The structured provider filename `{chat_id}_{attachment_id}.{ext}`. */
  filename: string;
  contentType: string;
  /** The bytes as they arrive from the client; consumed once, never buffered whole. */
  body: AsyncIterable<Uint8Array>;
  signal?: AbortSignal;
}

export interface StoredFile {
  providerFileId: string;
}

/** A file or vector store as a provider lists it: what cleanup needs to tell ours from others'. */
export interface StoredObject {
  id: string;
  /** A file's name, a store's name; null when the provider has none. */
  name: string | null;
  createdAt: Date;
}

export interface FileStorage {
  upload(input: UploadInput): Promise<StoredFile>;
  /** Resolves when the file is gone, including when it was already gone. */
  delete(providerFileId: string): Promise<void>;
  /**
   * Every file, newest first; with `createdAfter`, stops at the first older one, so the reaper
   * looking for a recent upload's file does not page through the whole account.
   */
  list(options?: { createdAfter?: Date }): AsyncIterable<StoredObject>;
}

export type VectorStoreFileStatus = 'in_progress' | 'completed' | 'failed' | 'cancelled';

/**
 * Why indexing failed, when the reason lies in the file itself and may be shown to its owner as
 * the attachment's `error_code`; any other failure is `indexing_failed`.
 */
export const INDEXING_FAILURES = ['document_too_complex'] as const;
export type IndexingFailure = (typeof INDEXING_FAILURES)[number];

export interface VectorStoreFileState {
  status: VectorStoreFileStatus;
  /** Only with `failed`, and only when the provider says why in one of our words. */
  error?: IndexingFailure;
}

export interface VectorStores {
  /** With the chat id the store is named after it, which is how reconciliation recognizes ours. */
  create(options?: { chatId?: string }): Promise<string>;
  addFile(vectorStoreId: string, providerFileId: string, attributes: Record<string, string>): Promise<void>;
  fileStatus(vectorStoreId: string, providerFileId: string): Promise<VectorStoreFileState>;
  /** Resolves when the file is out of the store, including when it never was in it. */
  removeFile(vectorStoreId: string, providerFileId: string): Promise<void>;
  /** Resolves when the store is gone, including when it was already gone. */
  delete(vectorStoreId: string): Promise<void>;
  list(): AsyncIterable<StoredObject>;
}

export interface FileStore {
  readonly id: FileStoreId;
  /** The storage backend label recorded on each attachment row (upstream's `storage_backend`). */
  readonly storageBackend: string;
  readonly files: FileStorage;
  readonly vectorStores: VectorStores;
}

export type FileStoreErrorCode =
  | 'provider_unavailable'
  | 'upload_failed'
  | 'vector_store_failed'
  | 'indexing_failed'
  | 'configuration_error';

/**
 * A provider call that failed. `message` is for logs only; it may hold a provider's raw words
 * and ids, so it is never put in a response: the service answers with `code` alone.
 */
const providerErrorBrand = brandOf('FileStoreError');

export class FileStoreError extends Error {
  static [Symbol.hasInstance](value: unknown): boolean {
    return providerErrorBrand.test(value);
  }

  constructor(
    readonly code: FileStoreErrorCode,
    message: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    providerErrorBrand.mark(this);
    this.name = 'FileStoreError';
    this.status = options.status;
  }
  readonly status: number | undefined;
}
