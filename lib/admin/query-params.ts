import { z } from 'zod';
import { parseLimit } from '@/lib/pagination';
import { parseInput } from '@/lib/validation';

/** Query parameters as an object, an absent or empty one left out (a blank form field filters nothing). */
export const searchParamsObject = (params: URLSearchParams): Record<string, string> =>
  Object.fromEntries([...params.entries()].filter(([, value]) => value !== ''));

/** A date (`2026-11-01`, midnight UTC) or a date-time with its offset. */
export const instantParam = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((raw) => new Date(raw.length === 10 ? `${raw}T00:00:00Z` : raw));

/** An inclusive end date: a bare date means up to the end of that day. */
export const endInstantParam = z
  .union([z.iso.date(), z.iso.datetime({ offset: true })])
  .transform((raw) =>
    raw.length === 10 ? new Date(Date.parse(`${raw}T00:00:00Z`) + 24 * 60 * 60 * 1000 - 1) : new Date(raw),
  );

export const orderParam = z.enum(['asc', 'desc']).default('desc');

/** A LIKE pattern that matches `text` literally anywhere. */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** An admin list's page size: 50 unless asked, at most 200. */
export const LIST_LIMIT = { fallback: 50, max: 200 } as const;

/** A list's filters (validated by `schema`, an unknown parameter refused), its page size and cursor. */
export function parseListQuery<T extends z.ZodType>(
  schema: T,
  params: URLSearchParams,
): { query: z.output<T>; limit: number; cursor: string | undefined } {
  const { limit, cursor, ...filters } = searchParamsObject(params);
  return {
    query: parseInput(schema, filters),
    limit: parseLimit(limit, LIST_LIMIT.fallback, LIST_LIMIT.max),
    cursor,
  };
}
