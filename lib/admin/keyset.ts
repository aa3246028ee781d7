import { type AnyColumn, type SQL, sql } from 'drizzle-orm';
import { validationError } from '@/lib/errors';
import { isUuid } from '@/lib/ids';

/** Admin lists sort by a timestamp or a size, always with the row id as the tie-breaker. */
export type SortValue = Date | number;

export interface AdminCursor {
  /** The sort it was made for: a cursor is only valid for the same sort and direction. */
  sort: string;
  value: SortValue;
  id: string;
}

/** Opaque to clients: base64url of the sort, the last row's sort key and id. */
export function encodeAdminCursor({ sort, value, id }: AdminCursor): string {
  const key = value instanceof Date ? { t: value.toISOString() } : { n: value };
  return Buffer.from(JSON.stringify([sort, key, id])).toString('base64url');
}

const invalidCursor = () =>
  validationError('The cursor is not valid for this list and sort; start again without one.', [
    { field: 'cursor', message: 'Not a cursor this API returned for this sort.' },
  ]);

// Years 1 to 9999: what Postgres reads back from `toISOString`.
const inRange = (ms: number) =>
  ms >= Date.parse('0001-01-01T00:00:00.000Z') && ms <= Date.parse('9999-12-31T23:59:59.999Z');

export function decodeAdminCursor(raw: string, sort: string): AdminCursor {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
  } catch {
    throw invalidCursor();
  }
  if (!Array.isArray(value) || value.length !== 3) throw invalidCursor();
  const [cursorSort, key, id] = value as unknown[];
  if (cursorSort !== sort || typeof id !== 'string' || !isUuid(id) || typeof key !== 'object' || !key) {
    throw invalidCursor();
  }
  const { t, n } = key as { t?: unknown; n?: unknown };
  if (typeof t === 'string') {
    const at = new Date(t);
    if (!Number.isNaN(at.getTime()) && inRange(at.getTime())) return { sort, value: at, id };
  } else if (typeof n === 'number' && Number.isSafeInteger(n) && n >= 0) {
    return { sort, value: n, id };
  }
  throw invalidCursor();
}

/**
 * The rows after a cursor, as one row comparison so that the (…, sort key, id) index serves it.
 * `desc` pages go towards smaller keys.
 */
export function afterCursor(column: AnyColumn, idColumn: AnyColumn, cursor: AdminCursor, desc: boolean): SQL {
  const value =
    cursor.value instanceof Date
      ? sql`${cursor.value.toISOString()}::timestamptz`
      : sql`${cursor.value}::bigint`;
  return desc
    ? sql`(${column}, ${idColumn}) < (${value}, ${cursor.id}::uuid)`
    : sql`(${column}, ${idColumn}) > (${value}, ${cursor.id}::uuid)`;
}

/** Rows per page when a whole filtered list is read (the CSV exports). */
export const EXPORT_PAGE_SIZE = 1000;

/** Every page of a keyset-paged list, fetched only as the consumer asks for the next. */
export async function* allPages<T>(
  fetchPage: (cursor: string | undefined) => Promise<{ items: T[]; next_cursor: string | null }>,
): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    if (page.items.length > 0) yield page.items;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
}
