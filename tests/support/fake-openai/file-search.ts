import { ApiError, isRecord, type JsonBody } from './http';
import { compileFilter, extractText, type SearchDocument, search } from './search';
import type { Attributes, FakeState } from './state';

export interface FileSearchTool {
  vectorStoreIds: string[];
  matches: (attributes: Attributes) => boolean;
  maxResults: number;
}

/** A hit as a `file_search_call` lists it in `results`. */
export interface FileSearchHit {
  file_id: string;
  filename: string;
  score: number;
  text: string;
  attributes: Attributes;
}

/** The real API's default when the tool sets no `max_num_results`. */
const DEFAULT_MAX_RESULTS = 20;
/** OpenAI's limit; a third store is refused. */
const MAX_VECTOR_STORES = 2;

/** Checks the tool like the API does: known stores (404 otherwise), a valid filter, a sane result count. */
export function parseFileSearchTool(tool: JsonBody, state: FakeState): FileSearchTool {
  const ids = tool.vector_store_ids;
  if (
    !Array.isArray(ids) ||
    ids.length < 1 ||
    ids.length > MAX_VECTOR_STORES ||
    !ids.every((id) => typeof id === 'string')
  ) {
    throw new ApiError(400, `file_search needs 1 to ${MAX_VECTOR_STORES} vector_store_ids.`, {
      param: 'tools.vector_store_ids',
    });
  }
  for (const id of ids) state.requireVectorStore(id);
  const maxResults = tool.max_num_results ?? DEFAULT_MAX_RESULTS;
  if (typeof maxResults !== 'number' || !Number.isInteger(maxResults) || maxResults < 1 || maxResults > 50) {
    throw new ApiError(400, "Invalid 'max_num_results': expected 1 to 50.", {
      param: 'tools.max_num_results',
    });
  }
  return {
    vectorStoreIds: ids,
    matches: tool.filters === undefined || tool.filters === null ? () => true : compileFilter(tool.filters),
    maxResults,
  };
}

export const isFileSearchTool = (tool: unknown): tool is JsonBody =>
  isRecord(tool) && tool.type === 'file_search';

/** The indexed (`completed`), text-like files of a store whose attributes pass the filter. */
export function searchableFiles(
  state: FakeState,
  storeId: string,
  matches: (attributes: Attributes) => boolean,
): SearchDocument[] {
  return [...state.requireVectorStore(storeId).files.values()].flatMap((entry): SearchDocument[] => {
    const file =
      entry.status === 'completed' && matches(entry.attributes) ? state.files.get(entry.fileId) : undefined;
    const text = file && extractText(file.data);
    return file && text !== undefined
      ? [{ fileId: file.id, filename: file.filename, attributes: entry.attributes, text }]
      : [];
  });
}

/** Searches the searchable files of the tool's stores. */
export function runFileSearch(state: FakeState, tool: FileSearchTool, query: string): FileSearchHit[] {
  const documents = tool.vectorStoreIds.flatMap((storeId) => searchableFiles(state, storeId, tool.matches));
  return search(documents, [query], tool.maxResults).map(({ content, ...hit }) => ({
    ...hit,
    text: content.map((part) => part.text).join('\n'),
  }));
}
