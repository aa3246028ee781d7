import { randomUUID } from 'node:crypto';
import { and, eq, isNull, lt, notExists, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db';
import { revokedSessions, users } from '@/lib/db/schema';
import { isUuid } from '@/lib/ids';
import type { Caller } from '@/lib/policy';

/** Sessions last 30 days from sign-in, however often they are used. */
export const SESSION_MAX_AGE_SECONDS = 30 * 24 * 60 * 60;

/** What a session cookie says about its session, beyond the user. */
export interface SessionClaims {
  userId: string;
  /** This session's own id: signing it out revokes the id. */
  sessionId: string;
  /** The user's session version at sign-in: a newer one ends the session. */
  sessionVersion: number;
  /** Sign-in time, seconds since the epoch: the session ends SESSION_MAX_AGE_SECONDS later. */
  authTime: number;
}

/** The claims a new session's token carries next to its subject (`sub`, the user id). */
export const newSessionTokenClaims = (sessionVersion: number, now = new Date()) => ({
  sid: randomUUID(),
  sv: sessionVersion,
  auth_time: Math.floor(now.getTime() / 1000),
});

const tokenSchema = z.object({
  sub: z.string().refine(isUuid),
  sid: z.string().refine(isUuid),
  sv: z.number().int().nonnegative(),
  auth_time: z.number().int().positive(),
});

/**
 * The claims of a decoded session token, or null for a token without them (made before sessions
 * could be ended from the server: such a cookie no longer counts, its owner signs in once more).
 */
export function parseSessionClaims(token: unknown): SessionClaims | null {
  const parsed = tokenSchema.safeParse(token);
  if (!parsed.success) return null;
  const { sub, sid, sv, auth_time } = parsed.data;
  return { userId: sub, sessionId: sid, sessionVersion: sv, authTime: auth_time };
}

const expiryOf = (claims: SessionClaims) => new Date((claims.authTime + SESSION_MAX_AGE_SECONDS) * 1000);

/**
 * The caller of a session, or null once it has ended: expired, signed out, signed out everywhere,
 * or its user disabled or gone. Session cookies outlive all of these, so every request re-reads
 * the user (which also picks up a changed role) in this one query.
 */
export async function loadActiveCaller(
  db: Db,
  claims: SessionClaims,
  now = new Date(),
): Promise<Caller | null> {
  if (!isUuid(claims.userId) || !isUuid(claims.sessionId) || expiryOf(claims) <= now) return null;
  const [user] = await db
    .select({ userId: users.id, tenantId: users.tenantId, role: users.role })
    .from(users)
    .where(
      and(
        eq(users.id, claims.userId),
        isNull(users.disabledAt),
        eq(users.sessionVersion, claims.sessionVersion),
        notExists(
          db
            .select({ one: sql`1` })
            .from(revokedSessions)
            .where(eq(revokedSessions.sessionId, claims.sessionId)),
        ),
      ),
    );
  return user ?? null;
}

/** Signing one session out: its id is refused for as long as its cookie could be presented. */
export async function revokeSession(db: Db, claims: SessionClaims): Promise<void> {
  await db
    .insert(revokedSessions)
    .values({ sessionId: claims.sessionId, userId: claims.userId, expiresAt: expiryOf(claims) })
    .onConflictDoNothing({ target: revokedSessions.sessionId });
}

/** Ends every session of the user (their API tokens are not sessions and keep working). */
export async function endAllSessions(db: Db, userId: string): Promise<void> {
  await db
    .update(users)
    .set({ sessionVersion: sql`${users.sessionVersion} + 1` })
    .where(eq(users.id, userId));
}

/** Revocations that no live cookie can match any more. */
export async function pruneRevokedSessions(db: Db, now: Date): Promise<number> {
  const deleted = await db
    .delete(revokedSessions)
    .where(lt(revokedSessions.expiresAt, now))
    .returning({ id: revokedSessions.sessionId });
  return deleted.length;
}
