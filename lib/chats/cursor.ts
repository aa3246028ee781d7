import { validationError } from '../errors';
import { isUuid } from '../ids';

export interface ChatCursor {
  updatedAt: Date;
  id: string;
}

/** Opaque to clients: base64url of the last row's sort key. */
export const encodeCursor = (c: ChatCursor): string =>
  Buffer.from(JSON.stringify([c.updatedAt.toISOString(), c.id])).toString('base64url');

export function decodeCursor(raw: string): ChatCursor {
  try {
    const value: unknown = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8'));
    if (Array.isArray(value) && value.length === 2) {
      const [ts, id] = value as unknown[];
      const updatedAt = new Date(typeof ts === 'string' ? ts : Number.NaN);
      if (!Number.isNaN(updatedAt.getTime()) && typeof id === 'string' && isUuid(id))
        return { updatedAt, id };
    }
  } catch {
    // fall through to the validation error
  }
  throw validationError('The cursor is not valid; start again without one.', [
    { field: 'cursor', message: 'Not a cursor this API returned.' },
  ]);
}
