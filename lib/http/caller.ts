import { authenticateToken } from '../auth/tokens';
import { loadActiveCaller } from '../auth/users';
import type { Db } from '../db';
import { isUuid } from '../ids';
import type { Caller } from '../policy';

/**
 * Who sent a request. An Authorization header decides on its own: a bad or revoked token is
 * anonymous, never silently replaced by a browser session that happens to ride along.
 */
export async function resolveCaller(
  request: Request,
  db: Db,
  sessionUserId: () => Promise<string | null | undefined>,
): Promise<Caller | null> {
  const header = request.headers.get('authorization');
  if (header !== null) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1] ? authenticateToken(db, match[1]) : null;
  }
  const userId = await sessionUserId();
  return userId && isUuid(userId) ? loadActiveCaller(db, userId) : null;
}
