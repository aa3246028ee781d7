import { randomBytes } from 'node:crypto';
import { ApiError } from './http';
import { expireUploads, type StoredUpload } from './uploads';

export type Attributes = Record<string, string | number | boolean>;

export interface StoredFile {
  id: string;
  seq: number;
  filename: string;
  purpose: string;
  bytes: number;
  createdAt: number;
  expiresAt: number | null;
  data: Buffer;
}

export interface IndexingError {
  code: 'unsupported_file' | 'server_error';
  message: string;
}

export interface StoredVectorStoreFile {
  fileId: string;
  seq: number;
  createdAt: number;
  bytes: number;
  attributes: Attributes;
  status: 'in_progress' | 'completed' | 'failed';
  lastError: IndexingError | null;
  /** Epoch ms from which the next request sees the indexing outcome. */
  readyAt: number;
  /** Decided on attach, so changing the indexing settings later does not rewrite history. */
  outcome: IndexingError | null;
}

export interface StoredVectorStore {
  id: string;
  seq: number;
  name: string | null;
  metadata: Record<string, string>;
  createdAt: number;
  files: Map<string, StoredVectorStoreFile>;
}

export interface IndexingOptions {
  /**
   * How long an attached file stays `in_progress` (default 0: the attach call itself answers `in_progress`,
   * every later request sees the outcome).
   */
  delayMs?: number;
  /** Files for which this returns true end up `failed` (null clears it). */
  failWhen?: ((file: { filename: string; purpose: string; bytes: number }) => boolean) | null;
  failCode?: IndexingError['code'];
}

export interface FakeSnapshot {
  files: { id: string; filename: string; purpose: string; bytes: number; created_at: number }[];
  /** Uploads (the Uploads API) with the parts they hold now: none once completed, cancelled or expired. */
  uploads: { id: string; status: StoredUpload['status']; bytes: number; filename: string; parts: number }[];
  vectorStores: {
    id: string;
    name: string | null;
    files: { id: string; status: StoredVectorStoreFile['status']; attributes: Attributes }[];
  }[];
}

const FAILURE_MESSAGES: Record<IndexingError['code'], string> = {
  unsupported_file: 'The file type is not supported for indexing.',
  server_error: 'An internal error occurred while indexing the file.',
};

const DEFAULT_INDEXING: Required<IndexingOptions> = {
  delayMs: 0,
  failWhen: null,
  failCode: 'unsupported_file',
};

export function newId(prefix: string): string {
  return prefix + randomBytes(16).toString('base64url').replace(/[-_]/g, '').slice(0, 22);
}

export const nowSeconds = () => Math.floor(Date.now() / 1000);

export class FakeState {
  readonly files = new Map<string, StoredFile>();
  readonly vectorStores = new Map<string, StoredVectorStore>();
  readonly uploads = new Map<string, StoredUpload>();
  private readonly cursors = new Map<string, number>();
  private seq = 0;
  private indexing = DEFAULT_INDEXING;

  constructor(private readonly initialIndexing: IndexingOptions = {}) {
    this.setIndexing(initialIndexing);
  }

  setIndexing(options: IndexingOptions) {
    const defined = Object.entries(options).filter(([, value]) => value !== undefined);
    this.indexing = { ...this.indexing, ...Object.fromEntries(defined) };
  }

  /** List position of an id; it outlives the item so an `after` cursor naming a deleted item still works. */
  cursorSeq(key: string): number | undefined {
    return this.cursors.get(key);
  }

  private nextSeq(key: string): number {
    this.cursors.set(key, ++this.seq);
    return this.seq;
  }

  /**
   * A file keeps its bytes as the chunks they arrived in and joins them on first read: copying
   * tens of MiB on every upload would put the fake's own cost into the app's measurements.
   */
  addFile(
    input: Omit<StoredFile, 'seq' | 'createdAt' | 'bytes' | 'data'> & { chunks: Buffer[] },
  ): StoredFile {
    const { chunks, ...rest } = input;
    let joined: Buffer | undefined;
    const file: StoredFile = {
      ...rest,
      seq: this.nextSeq(input.id),
      bytes: chunks.reduce((sum, chunk) => sum + chunk.length, 0),
      createdAt: nowSeconds(),
      get data() {
        if (!joined) {
          joined = Buffer.concat(chunks);
          chunks.length = 0;
        }
        return joined;
      },
    };
    this.files.set(file.id, file);
    return file;
  }

  requireFile(id: string): StoredFile {
    const file = this.files.get(id);
    if (!file) throw new ApiError(404, `No such File object: ${id}`, { param: 'id' });
    return file;
  }

  deleteFile(id: string) {
    this.requireFile(id);
    this.files.delete(id);
    for (const store of this.vectorStores.values()) store.files.delete(id);
  }

  addVectorStore(name: string | null, metadata: Record<string, string>): StoredVectorStore {
    const id = newId('vs_');
    const store = { id, seq: this.nextSeq(id), name, metadata, createdAt: nowSeconds(), files: new Map() };
    this.vectorStores.set(id, store);
    return store;
  }

  requireVectorStore(id: string): StoredVectorStore {
    const store = this.vectorStores.get(id);
    if (!store) throw new ApiError(404, `No vector store found with id '${id}'.`);
    return store;
  }

  attach(store: StoredVectorStore, file: StoredFile, attributes: Attributes): StoredVectorStoreFile {
    const { delayMs, failWhen, failCode } = this.indexing;
    const entry: StoredVectorStoreFile = {
      fileId: file.id,
      seq: this.nextSeq(`${store.id}/${file.id}`),
      createdAt: nowSeconds(),
      bytes: file.bytes,
      attributes,
      status: 'in_progress',
      lastError: null,
      readyAt: Date.now() + delayMs,
      outcome: failWhen?.(file) ? { code: failCode, message: FAILURE_MESSAGES[failCode] } : null,
    };
    store.files.set(file.id, entry);
    return entry;
  }

  requireAttachment(store: StoredVectorStore, fileId: string): StoredVectorStoreFile {
    const entry = store.files.get(fileId);
    if (!entry) throw new ApiError(404, `No file found with id '${fileId}' in vector store '${store.id}'.`);
    return entry;
  }

  /** Moves due files out of `in_progress`; runs before every request so indexing needs no timers. */
  settle(now = Date.now()) {
    expireUploads(this, Math.floor(now / 1000));
    for (const store of this.vectorStores.values()) {
      for (const entry of store.files.values()) {
        if (entry.status !== 'in_progress' || now < entry.readyAt) continue;
        entry.status = entry.outcome ? 'failed' : 'completed';
        entry.lastError = entry.outcome;
      }
    }
  }

  snapshot(): FakeSnapshot {
    this.settle();
    return {
      files: [...this.files.values()].map(({ id, filename, purpose, bytes, createdAt }) => ({
        id,
        filename,
        purpose,
        bytes,
        created_at: createdAt,
      })),
      uploads: [...this.uploads.values()].map(({ id, status, bytes, filename, parts }) => ({
        id,
        status,
        bytes,
        filename,
        parts: parts.size,
      })),
      vectorStores: [...this.vectorStores.values()].map((store) => ({
        id: store.id,
        name: store.name,
        files: [...store.files.values()].map(({ fileId, status, attributes }) => ({
          id: fileId,
          status,
          attributes,
        })),
      })),
    };
  }

  /** Moves every pending upload's expiry to now, as if its hour had passed. */
  expireUploadsNow() {
    for (const upload of this.uploads.values()) upload.expiresAt = Math.min(upload.expiresAt, nowSeconds());
    this.settle();
  }

  reset() {
    this.files.clear();
    this.uploads.clear();
    this.vectorStores.clear();
    this.cursors.clear();
    this.indexing = DEFAULT_INDEXING;
    this.setIndexing(this.initialIndexing);
  }
}
