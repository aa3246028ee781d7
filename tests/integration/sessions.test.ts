import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  endAllSessions,
  loadActiveCaller,
  newSessionTokenClaims,
  parseSessionClaims,
  pruneRevokedSessions,
  revokeSession,
  SESSION_MAX_AGE_SECONDS,
} from '@/lib/auth/sessions';
import { pruneThrottles, takeAttempt, throttleKeys } from '@/lib/auth/throttle';
import { authenticateToken } from '@/lib/auth/tokens';
import { setUserDisabled, verifyCredentials } from '@/lib/auth/users';
import { authThrottles, revokedSessions } from '@/lib/db/schema';
import { db, makeUser, PASSWORD, sessionOf } from '@/tests/support/fixtures';

const DAY_MS = 24 * 3600 * 1000;

describe('session claims', () => {
  it('are made at sign-in and read back from the token', () => {
    const now = new Date('2030-05-01T12:00:00Z');
    const made = newSessionTokenClaims(4, now);
    const userId = '0190a5b2-0000-7000-8000-000000000001';
    expect(parseSessionClaims({ sub: userId, name: 'x', exp: 1, ...made })).toEqual({
      userId,
      sessionId: made.sid,
      sessionVersion: 4,
      authTime: now.getTime() / 1000,
    });
    expect(newSessionTokenClaims(4, now).sid).not.toBe(made.sid);
  });

  it('are missing from cookies made before sessions could be ended, which then do not count', () => {
    const userId = '0190a5b2-0000-7000-8000-000000000001';
    expect(parseSessionClaims({ sub: userId, tenantId: 'x', role: 'admin' })).toBeNull();
    expect(parseSessionClaims({ ...newSessionTokenClaims(0), sub: 'not-a-uuid' })).toBeNull();
    expect(parseSessionClaims(null)).toBeNull();
  });
});

describe('ending sessions', () => {
  it('keeps a session alive until it is signed out, and only that one', async () => {
    const d = await db();
    const u = await makeUser();
    const here = sessionOf(u.caller);
    const elsewhere = sessionOf(u.caller);
    expect(await loadActiveCaller(d, here)).toEqual(u.caller);

    await revokeSession(d, here);
    await revokeSession(d, here);
    expect(await loadActiveCaller(d, here)).toBeNull();
    expect(await loadActiveCaller(d, elsewhere)).toEqual(u.caller);
    expect(await authenticateToken(d, u.token)).toEqual(u.caller);
  });

  it('ends every session of the user when they sign out everywhere, and no other user’s', async () => {
    const d = await db();
    const u = await makeUser();
    const other = await makeUser({ tenant: u.tenant });
    const sessions = [sessionOf(u.caller), sessionOf(u.caller)];
    const others = sessionOf(other.caller);

    await endAllSessions(d, u.caller.userId);
    for (const session of sessions) expect(await loadActiveCaller(d, session)).toBeNull();
    expect(await loadActiveCaller(d, others)).toEqual(other.caller);
    expect(await authenticateToken(d, u.token)).toEqual(u.caller);

    // Signing in again gives a session at the new version.
    const signedIn = await verifyCredentials(d, u.email, PASSWORD);
    expect(signedIn?.sessionVersion).toBe(1);
    expect(await loadActiveCaller(d, sessionOf(u.caller, signedIn?.sessionVersion))).toEqual(u.caller);
  });

  it('ends the sessions of a disabled user for good, and stops their tokens while disabled', async () => {
    const d = await db();
    const u = await makeUser();
    const before = sessionOf(u.caller);

    expect(await setUserDisabled(d, u.caller.userId, true)).toBe(true);
    expect(await setUserDisabled(d, u.caller.userId, true)).toBe(false);
    expect(await loadActiveCaller(d, before)).toBeNull();
    expect(await authenticateToken(d, u.token)).toBeNull();
    expect(await verifyCredentials(d, u.email, PASSWORD)).toBeNull();

    expect(await setUserDisabled(d, u.caller.userId, false)).toBe(true);
    expect(await setUserDisabled(d, u.caller.userId, false)).toBe(false);
    expect(await loadActiveCaller(d, before)).toBeNull();
    expect(await authenticateToken(d, u.token)).toEqual(u.caller);
    const signedIn = await verifyCredentials(d, u.email, PASSWORD);
    expect(await loadActiveCaller(d, sessionOf(u.caller, signedIn?.sessionVersion))).toEqual(u.caller);
  });

  it('ends a session 30 days after sign-in, however much it is used', async () => {
    const d = await db();
    const u = await makeUser();
    const signedInAt = new Date(Date.now() - 29 * DAY_MS);
    const session = sessionOf(u.caller, 0, signedInAt);
    expect(await loadActiveCaller(d, session)).toEqual(u.caller);
    expect(await loadActiveCaller(d, session, new Date(Date.now() + 2 * DAY_MS))).toBeNull();
    expect(SESSION_MAX_AGE_SECONDS).toBe(30 * 24 * 3600);
  });
});

describe('pruning', () => {
  it('drops revocations once their session has expired anyway, and forgotten throttles', async () => {
    const d = await db();
    const u = await makeUser();
    const old = sessionOf(u.caller, 0, new Date(Date.now() - 31 * DAY_MS));
    const recent = sessionOf(u.caller);
    await revokeSession(d, old);
    await revokeSession(d, recent);
    await pruneRevokedSessions(d, new Date());
    const kept = await d.select().from(revokedSessions).where(eq(revokedSessions.userId, u.caller.userId));
    expect(kept.map((r) => r.sessionId)).toEqual([recent.sessionId]);

    const rule = { maxAttempts: 5, lockMs: 60_000, maxLockMs: 60_000, forgetAfterMs: 3_600_000 };
    const now = new Date();
    await takeAttempt(
      d,
      throttleKeys.signInAccount(`old-${Date.now()}@example.test`),
      rule,
      new Date(now.getTime() - 2 * 3_600_000),
    );
    await takeAttempt(d, throttleKeys.signInAccount(`new-${Date.now()}@example.test`), rule, now);
    const before = (await d.select().from(authThrottles)).length;
    expect(await pruneThrottles(d, now)).toBeGreaterThanOrEqual(1);
    const after = await d.select().from(authThrottles);
    expect(after.length).toBeLessThan(before);
    expect(after.every((r) => r.expiresAt > now)).toBe(true);
  });
});
