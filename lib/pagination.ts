import { validationError } from './errors';
import { isUuid } from './ids';

/** A keyset position: the last row's timestamp sort key and its id (the tie-breaker). */
export interface KeysetCursor {
  at: Date;
  id: string;
}

/** Opaque to clients: base64url of the last row's sort key. */
export const encodeCursor = (c: KeysetCursor): string =>
  Buffer.from(JSON.stringify([c.at.toISOString(), c.id])).toString('base64url');

/**
 * The instants a cursor may name: years 1 to 9999, which `toISOString` writes in the plain form
 * Postgres reads. A Date outside them (year 0, negative years, the `+275760-…` form) would reach
 * the query and fail there as a 500.
 */
const EARLIEST = Date.parse('0001-01-01T00:00:00.000Z');
const LATEST = Date.parse('9999-12-31T23:59:59.999Z');

const inRange = (at: Date) => at.getTime() >= EARLIEST && at.getTime() <= LATEST;

export function decodeCursor(raw: string): KeysetCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [ts, id] = value as unknown[];
      const at = new Date(typeof ts === 'string' ? ts : Number.NaN);
      if (!Number.isNaN(at.getTime()) && inRange(at) && typeof id === 'string' && isUuid(id)) {
        return { at, id };
      }
    }
  } catch {
    // fall through to the validation error
  }
  throw validationError('The cursor is not valid; start again without one.', [
    { field: 'cursor', message: 'Not a cursor this API returned.' },
  ]);
}

/** A `limit` query parameter: absent means the default, anything but an integer in range is refused. */
export function parseLimit(raw: string | null | undefined, fallback: number, max: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw validationError(`limit must be an integer from 1 to ${max}.`, [
      { field: 'limit', message: `Use an integer from 1 to ${max}.` },
    ]);
  }
  return n;
}
