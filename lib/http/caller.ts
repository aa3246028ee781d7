import { loadActiveCaller, type SessionClaims } from '@/lib/auth/sessions';
import { authenticateToken } from '@/lib/auth/tokens';
import type { Db } from '@/lib/db';
import type { Caller } from '@/lib/policy';

/**
 * Who sent a request. An Authorization header decides on its own: a bad or revoked token is
 * anonymous, never silently replaced by a browser session that happens to ride along.
 */
export async function resolveCaller(
  request: Request,
  db: Db,
  session: () => Promise<SessionClaims | null | undefined>,
): Promise<Caller | null> {
  if (request.headers.has('authorization')) {
    const token = bearerToken(request);
    return token ? authenticateToken(db, token) : null;
  }
  const claims = await session();
  return claims ? loadActiveCaller(db, claims) : null;
}

/** The token of an `Authorization: Bearer <token>` header, if that is what the request sent. */
export const bearerToken = (request: Request): string | undefined =>
  /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];
