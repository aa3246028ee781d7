import { ApiError, isRecord } from './http';
import type { Attributes } from './state';

type Value = Attributes[string] | undefined;
type Predicate = (attributes: Attributes) => boolean;

const numeric =
  (compare: (actual: number, expected: number) => boolean) => (actual: Value, expected: unknown) =>
    typeof actual === 'number' && typeof expected === 'number' && compare(actual, expected);

const COMPARISONS: Record<string, (actual: Value, expected: unknown) => boolean> = {
  eq: (actual, expected) => actual === expected,
  ne: (actual, expected) => actual !== expected,
  gt: numeric((a, e) => a > e),
  gte: numeric((a, e) => a >= e),
  lt: numeric((a, e) => a < e),
  lte: numeric((a, e) => a <= e),
  in: (actual, expected) => (expected as unknown[]).includes(actual),
  nin: (actual, expected) => !(expected as unknown[]).includes(actual),
};

/** Validates the whole filter up front (the API rejects a bad filter even when nothing would be compared). */
export function compileFilter(filter: unknown): Predicate {
  const invalid = () => new ApiError(400, `Invalid filter: ${JSON.stringify(filter)}`, { param: 'filters' });
  if (!isRecord(filter)) throw invalid();
  const { type, key, value, filters } = filter;
  if (type === 'and' || type === 'or') {
    if (!Array.isArray(filters)) throw invalid();
    const parts = filters.map(compileFilter);
    return type === 'and' ? (attrs) => parts.every((p) => p(attrs)) : (attrs) => parts.some((p) => p(attrs));
  }
  const compare = typeof type === 'string' ? COMPARISONS[type] : undefined;
  const wantsList = type === 'in' || type === 'nin';
  if (!compare || typeof key !== 'string' || Array.isArray(value) !== wantsList) throw invalid();
  return (attributes) => compare(attributes[key], value);
}

const words = (text: string) => new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu));

/** Paragraphs, cut to a bounded size, stand in for the real token chunks. */
function chunk(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .flatMap((paragraph) => paragraph.match(/[\s\S]{1,2000}/g) ?? []);
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** Only text-like files are searchable: bytes that decode as UTF-8 and hold no NUL. */
export function extractText(data: Buffer): string | undefined {
  try {
    const text = utf8.decode(data);
    return text.includes('\0') ? undefined : text;
  } catch {
    return undefined;
  }
}

export interface SearchDocument {
  fileId: string;
  filename: string;
  attributes: Attributes;
  text: string;
}

/**
 * Deterministic keyword scoring: a chunk scores the share of distinct query words it contains. Ties keep
 * document then chunk order.
 */
export function search(documents: SearchDocument[], queries: string[], maxResults: number) {
  const terms = words(queries.join(' '));
  const hits = documents.flatMap((doc) =>
    chunk(doc.text).map((text) => {
      const present = words(text);
      const matched = [...terms].filter((term) => present.has(term)).length;
      return { doc, text, score: terms.size ? matched / terms.size : 0 };
    }),
  );
  return hits
    .filter((hit) => hit.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, maxResults)
    .map(({ doc, text, score }) => ({
      file_id: doc.fileId,
      filename: doc.filename,
      score,
      attributes: doc.attributes,
      content: [{ type: 'text', text }],
    }));
}
