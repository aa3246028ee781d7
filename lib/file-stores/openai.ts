import 'server-only';
import OpenAI, {
  APIConnectionError,
  APIError,
  AzureOpenAI,
  NotFoundError,
  toFile,
  toStreamingFile,
} from 'openai';
import { vectorStoreName } from './naming';
import {
  type FileStore,
  FileStoreError,
  type FileStoreErrorCode,
  type StoredObject,
  type UploadStaging,
  type VectorStoreFileStatus,
} from './ports';

/**
 * The `openai` and `azure` adapters: the official SDK, uploads streamed with toStreamingFile
 * (never toFile, which buffers the whole file).
 */
export function createOpenAIFileStore(options: {
  id: 'openai' | 'azure';
  client: OpenAI;
  storageBackend?: string;
}): FileStore {
  const { client, id } = options;
  return {
    id,
    storageBackend: options.storageBackend ?? id,
    files: {
      upload: async ({ filename, contentType, body, signal }) => {
        const file = await call('upload_failed', () =>
          client.files.create(
            { file: toStreamingFile(body, filename, { type: contentType }), purpose: 'assistants' },
            { signal },
          ),
        );
        return { providerFileId: file.id };
      },
      delete: (fileId) => gone('provider_unavailable', () => client.files.delete(fileId)),
      list: ({ createdAfter } = {}) =>
        listed(client.files.list({ order: 'desc', limit: PAGE_SIZE }), createdAfter, (file) => ({
          id: file.id,
          name: file.filename,
          createdAt: new Date(file.created_at * 1000),
        })),
      staging: uploadsStaging(client),
    },
    vectorStores: {
      create: async ({ chatId } = {}) =>
        (
          await call('vector_store_failed', () =>
            client.vectorStores.create({
              name: chatId ? vectorStoreName(chatId) : 'mini-chat',
              ...(chatId ? { metadata: { chat_id: chatId } } : {}),
            }),
          )
        ).id,
      addFile: async (vectorStoreId, fileId, attributes) => {
        await call('indexing_failed', () =>
          client.vectorStores.files.create(vectorStoreId, { file_id: fileId, attributes }),
        );
      },
      // OpenAI's own failure reasons are its words, not ours: a failure here is `indexing_failed`.
      fileStatus: async (vectorStoreId, fileId) => ({
        status: (
          await call('indexing_failed', () =>
            client.vectorStores.files.retrieve(fileId, { vector_store_id: vectorStoreId }),
          )
        ).status as VectorStoreFileStatus,
      }),
      removeFile: (vectorStoreId, fileId) =>
        gone('provider_unavailable', () =>
          client.vectorStores.files.delete(fileId, { vector_store_id: vectorStoreId }),
        ),
      delete: (vectorStoreId) =>
        gone('provider_unavailable', () => client.vectorStores.delete(vectorStoreId)),
      list: () =>
        listed(client.vectorStores.list({ order: 'desc', limit: PAGE_SIZE }), undefined, (store) => ({
          id: store.id,
          name: store.name,
          createdAt: new Date(store.created_at * 1000),
        })),
    },
    // The model provider runs file_search over its own vector store while it answers.
    retrieval: { kind: 'hosted' },
  };
}

/**
 * OpenAI's Uploads API as the staging area: the parts stream to the provider as they arrive and `complete` makes the file from the ordered part ids,
 * which we keep because the API cannot list them. An upload the provider already closed
 * (cancelled, expired) is as gone as `abort` asks.
 */
function uploadsStaging(client: OpenAI): UploadStaging {
  return {
    begin: async ({ filename, contentType, sizeBytes }) => {
      const upload = await call('upload_failed', () =>
        client.uploads.create({ bytes: sizeBytes, filename, mime_type: contentType, purpose: 'assistants' }),
      );
      return { ref: upload.id, expiresAt: new Date(upload.expires_at * 1000) };
    },
    putPart: async (ref, partNumber, bytes) => {
      const part = await call('upload_failed', async () =>
        client.uploads.parts.create(ref, { data: await toFile(bytes, `part-${partNumber}`) }),
      );
      return { partRef: part.id };
    },
    // Streamed like a file upload: a body that throws ends the request, and no part is made.
    putPartStream: async (ref, partNumber, body) => {
      const data = toStreamingFile(body, `part-${partNumber}`, { type: 'application/octet-stream' });
      const part = await call('upload_failed', () => client.uploads.parts.create(ref, { data }));
      return { partRef: part.id };
    },
    complete: async (ref, parts, { sizeBytes }) => {
      const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
      const upload = await call('upload_failed', () =>
        client.uploads.complete(ref, { part_ids: ordered.map((part) => part.partRef) }),
      );
      if (!upload.file || upload.file.bytes !== sizeBytes) {
        throw new FileStoreError('upload_failed', `completed upload holds ${upload.file?.bytes} bytes`);
      }
      return { providerFileId: upload.file.id };
    },
    abort: async (ref) => {
      try {
        await call('provider_unavailable', () => client.uploads.cancel(ref));
      } catch (err) {
        const closed = err instanceof FileStoreError && (err.status === 404 || err.status === 400);
        if (!closed) throw err;
      }
    },
  };
}

/** The largest page both list endpoints allow. */
const PAGE_SIZE = 100;

/**
 * Walks a newest-first listing page by page (the SDK fetches the next page as iteration reaches
 * it), stopping at the first object created before `createdAfter`.
 */
async function* listed<T>(
  items: AsyncIterable<T>,
  createdAfter: Date | undefined,
  toObject: (item: T) => StoredObject,
): AsyncGenerator<StoredObject> {
  try {
    for await (const item of items) {
      const object = toObject(item);
      if (createdAfter && object.createdAt < createdAfter) return;
      yield object;
    }
  } catch (err) {
    throw providerError(err, 'provider_unavailable');
  }
}

/** Runs a provider call, turning SDK errors into ProviderErrors. */
async function call<T>(code: FileStoreErrorCode, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw providerError(err, code);
  }
}

/** 5xx, 429 and transport failures → unavailable; other refusals → `code`. */
function providerError(err: unknown, code: FileStoreErrorCode): unknown {
  if (err instanceof APIConnectionError) {
    return new FileStoreError('provider_unavailable', `connection: ${err.message}`, { cause: err });
  }
  if (err instanceof APIError) {
    const status = err.status;
    const unavailable = status === undefined || status >= 500 || status === 429;
    return new FileStoreError(unavailable ? 'provider_unavailable' : code, `${status}: ${err.message}`, {
      status,
      cause: err,
    });
  }
  return err;
}

/** Deletions are idempotent: a 404 means the object is already gone, which is what was asked. */
async function gone(code: FileStoreErrorCode, fn: () => Promise<unknown>): Promise<void> {
  try {
    await call(code, fn);
  } catch (err) {
    if (err instanceof FileStoreError && err.cause instanceof NotFoundError) return;
    throw err;
  }
}

type Env = Record<string, string | undefined>;

/** Retries are ours to decide: streamed uploads cannot be retried anyway, and polling is bounded. */
const MAX_RETRIES = 2;

export function openAIClientFromEnv(env: Env): OpenAI | undefined {
  const apiKey = env.OPENAI_API_KEY?.trim();
  if (!apiKey) return undefined;
  return new OpenAI({ apiKey, baseURL: env.OPENAI_BASE_URL?.trim() || undefined, maxRetries: MAX_RETRIES });
}

export function azureClientFromEnv(env: Env): OpenAI | undefined {
  const endpoint = env.AZURE_OPENAI_ENDPOINT?.trim();
  const apiKey = env.AZURE_OPENAI_API_KEY?.trim();
  if (!endpoint || !apiKey) return undefined;
  const apiVersion = env.AZURE_OPENAI_API_VERSION?.trim();
  // Without a dated api-version, Azure's v1 API takes the plain client at {endpoint}/openai/v1.
  return apiVersion
    ? new AzureOpenAI({ endpoint, apiKey, apiVersion, maxRetries: MAX_RETRIES })
    : new OpenAI({ baseURL: `${endpoint.replace(/\/+$/, '')}/openai/v1`, apiKey, maxRetries: MAX_RETRIES });
}
