import { v7 } from 'uuid';

/** Time-ordered ids keep inserts index-friendly and make "newest first" cheap to break ties on. */
export const newId = (): string => v7();

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A malformed id can never name a row, so callers answer 404 instead of letting Postgres raise 22P02. */
export const isUuid = (value: string): boolean => UUID_RE.test(value);
