import { z } from 'zod';

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
