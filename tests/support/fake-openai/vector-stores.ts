import { searchableFiles } from './file-search';
import { ApiError, type Context, isRecord, type JsonBody, paginate, type Router } from './http';
import { compileFilter, search } from './search';
import type { Attributes, StoredVectorStore, StoredVectorStoreFile } from './state';

const isShortString = (value: unknown) => typeof value === 'string' && value.length <= 512;
const isAttributeValue = (value: unknown) =>
  isShortString(value) || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));

/** Metadata and attributes share the shape rules: at most 16 keys of at most 64 characters. */
function checkMap<T>(value: unknown, param: string, isValue: (value: unknown) => boolean): Record<string, T> {
  if (value === undefined || value === null) return {};
  const invalid = (detail: string) => new ApiError(400, `Invalid '${param}': ${detail}`, { param });
  if (!isRecord(value)) throw invalid('expected an object.');
  const entries = Object.entries(value);
  if (entries.length > 16) throw invalid('at most 16 keys are allowed.');
  for (const [key, item] of entries) {
    if (key.length > 64 || !isValue(item)) throw invalid(`unsupported key or value for '${key}'.`);
  }
  return value as Record<string, T>;
}

const attributesOf = (body: JsonBody) =>
  checkMap<Attributes[string]>(body.attributes, 'attributes', isAttributeValue);
const metadataOf = (body: JsonBody) => checkMap<string>(body.metadata, 'metadata', isShortString);

function nameOf(body: JsonBody): string | null {
  if (body.name !== undefined && body.name !== null && typeof body.name !== 'string') {
    throw new ApiError(400, "Invalid 'name': expected a string.", { param: 'name' });
  }
  return body.name ?? null;
}

function vectorStoreJson(store: StoredVectorStore) {
  const fileCounts = { in_progress: 0, completed: 0, failed: 0, cancelled: 0, total: 0 };
  let usageBytes = 0;
  for (const entry of store.files.values()) {
    fileCounts[entry.status]++;
    fileCounts.total++;
    if (entry.status === 'completed') usageBytes += entry.bytes;
  }
  return {
    id: store.id,
    object: 'vector_store',
    created_at: store.createdAt,
    name: store.name,
    status: fileCounts.in_progress ? 'in_progress' : 'completed',
    usage_bytes: usageBytes,
    last_active_at: store.createdAt,
    file_counts: fileCounts,
    metadata: store.metadata,
    expires_at: null,
  };
}

function vectorStoreFileJson(store: StoredVectorStore, entry: StoredVectorStoreFile) {
  return {
    id: entry.fileId,
    object: 'vector_store.file',
    vector_store_id: store.id,
    created_at: entry.createdAt,
    status: entry.status,
    usage_bytes: entry.status === 'completed' ? entry.bytes : 0,
    last_error: entry.lastError,
    attributes: entry.attributes,
    chunking_strategy: { type: 'static', static: { max_chunk_size_tokens: 800, chunk_overlap_tokens: 400 } },
  };
}

/** The SDK's poll helpers sleep for this many ms between GETs instead of their 5 s default. */
const pollFast = ({ res }: Context) => res.setHeader('openai-poll-after-ms', '1');

async function createVectorStore({ state, json }: Context) {
  const body = await json();
  const fileIds = body.file_ids ?? [];
  if (!Array.isArray(fileIds)) throw new ApiError(400, "Invalid 'file_ids'.", { param: 'file_ids' });
  const files = fileIds.map((id) => state.requireFile(String(id)));
  const store = state.addVectorStore(nameOf(body), metadataOf(body));
  for (const file of files) state.attach(store, file, {});
  return vectorStoreJson(store);
}

async function updateVectorStore({ state, params, json }: Context) {
  const store = state.requireVectorStore(params.id);
  const body = await json();
  if ('name' in body) store.name = nameOf(body);
  if ('metadata' in body) store.metadata = metadataOf(body);
  return vectorStoreJson(store);
}

async function searchVectorStore({ state, params, json }: Context) {
  const body = await json();
  const queries = [body.query].flat();
  if (!queries.length || !queries.every((query) => typeof query === 'string')) {
    throw new ApiError(400, "Invalid 'query': expected a string or an array of strings.", { param: 'query' });
  }
  const maxResults = body.max_num_results ?? 10;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50) {
    throw new ApiError(400, "Invalid 'max_num_results': expected 1 to 50.", { param: 'max_num_results' });
  }
  const matches = body.filters === undefined ? () => true : compileFilter(body.filters);
  const documents = searchableFiles(state, params.id, matches);
  return {
    object: 'vector_store.search_results.page',
    search_query: queries,
    data: search(documents, queries as string[], maxResults),
    has_more: false,
    next_page: null,
  };
}

async function attachFile({ state, params, json }: Context) {
  const store = state.requireVectorStore(params.id);
  const body = await json();
  if (typeof body.file_id !== 'string') throw new ApiError(400, "Missing required parameter: 'file_id'.");
  const entry = state.attach(store, state.requireFile(body.file_id), attributesOf(body));
  return vectorStoreFileJson(store, entry);
}

async function updateAttachment({ state, params, json }: Context) {
  const store = state.requireVectorStore(params.id);
  const entry = state.requireAttachment(store, params.fileId);
  entry.attributes = attributesOf(await json());
  return vectorStoreFileJson(store, entry);
}

export function registerVectorStores(router: Router) {
  router
    .add('POST', '/vector_stores', 'vector_stores.create', createVectorStore)
    .add('GET', '/vector_stores', 'vector_stores.list', ({ state, query }) =>
      paginate(state.vectorStores.values(), query, (id) => state.cursorSeq(id), vectorStoreJson),
    )
    .add('GET', '/vector_stores/:id', 'vector_stores.retrieve', ({ state, params }) =>
      vectorStoreJson(state.requireVectorStore(params.id)),
    )
    .add('POST', '/vector_stores/:id', 'vector_stores.update', updateVectorStore)
    .add('DELETE', '/vector_stores/:id', 'vector_stores.delete', ({ state, params }) => {
      state.vectorStores.delete(state.requireVectorStore(params.id).id);
      return { id: params.id, object: 'vector_store.deleted', deleted: true };
    })
    .add('POST', '/vector_stores/:id/search', 'vector_stores.search', searchVectorStore)
    .add('POST', '/vector_stores/:id/files', 'vector_stores.files.create', attachFile)
    .add('GET', '/vector_stores/:id/files', 'vector_stores.files.list', (ctx) => {
      const store = ctx.state.requireVectorStore(ctx.params.id);
      const status = ctx.query.get('filter');
      const entries = [...store.files.values()].filter((entry) => !status || entry.status === status);
      pollFast(ctx);
      return paginate(
        entries,
        ctx.query,
        (id) => ctx.state.cursorSeq(`${store.id}/${id}`),
        (entry) => vectorStoreFileJson(store, entry),
      );
    })
    .add('GET', '/vector_stores/:id/files/:fileId', 'vector_stores.files.retrieve', (ctx) => {
      const store = ctx.state.requireVectorStore(ctx.params.id);
      pollFast(ctx);
      return vectorStoreFileJson(store, ctx.state.requireAttachment(store, ctx.params.fileId));
    })
    .add('POST', '/vector_stores/:id/files/:fileId', 'vector_stores.files.update', updateAttachment)
    .add('DELETE', '/vector_stores/:id/files/:fileId', 'vector_stores.files.delete', ({ state, params }) => {
      const store = state.requireVectorStore(params.id);
      store.files.delete(state.requireAttachment(store, params.fileId).fileId);
      return { id: params.fileId, object: 'vector_store.file.deleted', deleted: true };
    });
}
