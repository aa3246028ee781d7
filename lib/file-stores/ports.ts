import { CodedError } from '@/lib/errors';
import type { ByteRange } from '@/lib/http/range';

/**
 * The narrow interfaces the attachment service, cleanup and turns need from a provider. Adapters:
 * `openai`, `azure` (the same SDK against Azure OpenAI) and `local` (a folder plus our own
 * full-text index). Provider ids (file ids, vector store ids) cross these interfaces but never
 * reach a client.
 */

export const FILE_STORE_IDS = ['openai', 'azure', 'local'] as const;
export type FileStoreId = (typeof FILE_STORE_IDS)[number];

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

/** A stored file's bytes as read back. */
export interface StoredBytes {
  /** The whole file's size in bytes. */
  size: number;
  /** The bytes asked for, read from the store as the consumer pulls them; cancel it to stop. */
  body: ReadableStream<Uint8Array>;
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
  /**
   * The file's bytes, whole or one range inside it. Absent where the store cannot give them back:
   * OpenAI and Azure refuse downloads of files kept for assistants (`keepsOriginals` says which
   * stores have it). Fails with status 404 when the file is not there.
   */
  read?(providerFileId: string, range?: ByteRange): Promise<StoredBytes>;
  /** Where a chunked upload's parts wait; every store in this repository has one. */
  staging?: UploadStaging;
  /**
   * What the store wrote that is not (yet) a file. Absent where the store writes nothing before
   * the file exists (OpenAI's unfinished Uploads are found through our upload rows instead).
   */
  temporaries?: Temporaries;
}

/** Where a chunked upload's parts wait until it completes. Every part is at most 4 MiB. */
export interface UploadStaging {
  /** Opens a staging area; `ref` is opaque to callers and kept on the upload row. */
  begin(input: {
    attachmentId: string;
    /** The structured provider filename the completed file gets (see UploadInput). */
    filename: string;
    contentType: string;
    sizeBytes: number;
    partSize: number;
    partCount: number;
  }): Promise<{ ref: string; expiresAt: Date | null }>;
  /** Stores one part (1-based). The same part again replaces it. `partRef` is kept on the part row. */
  putPart(ref: string, partNumber: number, bytes: Uint8Array): Promise<{ partRef: string }>;
  /**
   * Optional: stores one part of `sizeBytes` as it streams in, so that it is never whole in memory.
   * The part is kept only if `body` ends without throwing (the caller's checks run inside it, up to
   * its last bytes); a store without it is given the part whole through `putPart`.
   */
  putPartStream?(
    ref: string,
    partNumber: number,
    body: AsyncIterable<Uint8Array>,
    sizeBytes: number,
  ): Promise<{ partRef: string }>;
  /** Joins the parts, in order, into the stored file; the staging area is gone afterwards. */
  complete(
    ref: string,
    parts: { partNumber: number; partRef: string }[],
    options: { sizeBytes: number },
  ): Promise<StoredFile>;
  /** Resolves when the staging area and its parts are gone, including when already gone. */
  abort(ref: string): Promise<void>;
}

/** Something a store wrote that is not (yet) a file: a temp file, staged parts, an unfinished multipart upload. */
export interface Temporary {
  ref: string;
  /** The attachment it belongs to, from its name or metadata; null when it predates the naming. */
  attachmentId: string | null;
  createdAt: Date;
  bytes: number | null;
}

export interface Temporaries {
  list(): AsyncIterable<Temporary>;
  /** Resolves when it is gone, including when it was already gone. */
  remove(ref: string): Promise<void>;
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

/** A passage of one of a store's files that a search found, by the attachment it was indexed for. */
export interface SearchHit {
  attachmentId: string;
  content: string;
  /** The page of the document the passage starts on (from 1), when the document has pages. */
  page?: number;
}

/**
 * How a model gets at the documents in a store. `hosted`: the model provider searches the vector
 * store itself, with its own file_search tool. `search`: the store answers a query itself, and
 * the passages it finds are put in the model's prompt.
 */
export type Retrieval =
  | { readonly kind: 'hosted' }
  | {
      readonly kind: 'search';
      /** The passages of the given attachments' files that best match the query, best first. */
      search(
        vectorStoreId: string,
        query: string,
        options: { attachmentIds: string[]; limit: number },
      ): Promise<SearchHit[]>;
    };

export interface FileStore {
  readonly id: FileStoreId;
  /** The storage backend label recorded on each attachment row (`storage_backend`), for operators. */
  readonly storageBackend: string;
  readonly files: FileStorage;
  readonly vectorStores: VectorStores;
  readonly retrieval: Retrieval;
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
export class FileStoreError extends CodedError<FileStoreErrorCode> {
  static readonly brand = 'FileStoreError';

  /** The provider's HTTP status, when it answered. */
  readonly status: number | undefined;

  constructor(code: FileStoreErrorCode, message: string, options: { status?: number; cause?: unknown } = {}) {
    super(code, message, { cause: options.cause });
    this.status = options.status;
  }
}
