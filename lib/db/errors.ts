/**
 * Drizzle wraps driver errors in DrizzleQueryError with the driver's error in `cause`; PGlite, pg
 * and Neon all put the SQLSTATE there. Reading it in one place keeps callers driver-agnostic.
 */
interface PgErrorFields {
  code?: string;
  constraint?: string;
}

function pgError(err: unknown): PgErrorFields | undefined {
  for (let e: unknown = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const fields = e as PgErrorFields & { cause?: unknown };
    if (typeof fields.code === 'string' && /^[0-9A-Z]{5}$/.test(fields.code)) return fields;
    e = fields.cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  const e = pgError(err);
  return e?.code === UNIQUE_VIOLATION && (constraint === undefined || e.constraint === constraint);
}

export const pgErrorCode = (err: unknown): string | undefined => pgError(err)?.code;
