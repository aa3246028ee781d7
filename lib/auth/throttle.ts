import { createHash } from 'node:crypto';
import { and, eq, lt, type SQL, sql } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { type AuthThrottleScope, authThrottles } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { log } from '@/lib/log';
import type { ThrottleRule } from './config';

/** A throttled subject: an account (its normalised email) or a client address, per purpose. */
export interface ThrottleKey {
  scope: AuthThrottleScope;
  subject: string;
}

export const throttleKeys = {
  signInAccount: (email: string): ThrottleKey => ({ scope: 'sign_in_account', subject: email }),
  signInAddress: (address: string): ThrottleKey => ({ scope: 'sign_in_address', subject: address }),
  signUpAddress: (address: string): ThrottleKey => ({ scope: 'sign_up_address', subject: address }),
};

const digest = (subject: string) => createHash('sha256').update(subject).digest('hex');
const row = (key: ThrottleKey) =>
  and(eq(authThrottles.scope, key.scope), eq(authThrottles.subject, digest(key.subject)));

/** The refusal of a throttled attempt, with how long to wait (also as Retry-After). */
export function tooManyAttempts(retryAfterMs: number): AppError {
  const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
  return new AppError('too_many_attempts', `Too many attempts. Try again in ${seconds} seconds.`, {
    extensions: { retry_after_seconds: seconds },
    headers: { 'retry-after': String(seconds) },
  });
}

/** How long a `too_many_attempts` refusal asks to wait, in seconds. */
export const retryAfterSeconds = (err: AppError): number => Number(err.extensions.retry_after_seconds) || 1;

const timestamp = (at: Date) => sql`${at.toISOString()}::timestamptz`;
const plusSeconds = (at: SQL, secs: SQL | number) => sql`${at} + make_interval(secs => ${secs}::float8)`;

/**
 * Counts one attempt against `key`, before any work is done for it, or throws `too_many_attempts`
 * while the key is locked. One upsert decides: the row is locked while it is read and written, so
 * of N simultaneous attempts exactly the ones up to the limit get through, whichever process runs
 * them. The attempt that reaches the limit sets the lock itself, ahead of its outcome, so nobody
 * slips in while it is being checked; a success lifts it again (clearAttempts, giveBackAttempt).
 */
export async function takeAttempt(db: Db, key: ThrottleKey, rule: ThrottleRule, now: Date): Promise<void> {
  const at = timestamp(now);
  const attempts = sql`case when ${authThrottles.expiresAt} <= ${at} then 1 else ${authThrottles.attempts} + 1 end`;
  // Base lock at the limit, doubling with each attempt past it (the exponent capped against overflow).
  const lockSeconds = sql`least(${rule.maxLockMs / 1000}::float8,
    ${rule.lockMs / 1000}::float8 * power(2, least((${attempts}) - ${rule.maxAttempts}::int, 30)))`;
  const lockedUntil = sql`case when (${attempts}) >= ${rule.maxAttempts}::int then ${plusSeconds(at, lockSeconds)} end`;
  const firstLock = rule.maxAttempts <= 1 ? new Date(now.getTime() + rule.lockMs) : null;
  const [taken] = await db
    .insert(authThrottles)
    .values({
      scope: key.scope,
      subject: digest(key.subject),
      attempts: 1,
      lastAttemptAt: now,
      lockedUntil: firstLock,
      expiresAt: new Date((firstLock ?? now).getTime() + rule.forgetAfterMs),
    })
    .onConflictDoUpdate({
      target: [authThrottles.scope, authThrottles.subject],
      set: {
        attempts,
        lockedUntil,
        lastAttemptAt: now,
        expiresAt: plusSeconds(sql`coalesce(${lockedUntil}, ${at})`, rule.forgetAfterMs / 1000),
      },
      setWhere: sql`${authThrottles.lockedUntil} is null or ${authThrottles.lockedUntil} <= ${at}`,
    })
    .returning({ attempts: authThrottles.attempts, lockedUntil: authThrottles.lockedUntil });
  if (taken) {
    if (taken.lockedUntil && taken.attempts >= rule.maxAttempts) {
      logLock(key, taken.attempts, taken.lockedUntil.getTime() - now.getTime());
    }
    return;
  }
  const [locked] = await db.select({ until: authThrottles.lockedUntil }).from(authThrottles).where(row(key));
  // Unlocked in between: the caller may simply try again.
  throw tooManyAttempts(locked?.until ? locked.until.getTime() - now.getTime() : 1000);
}

/**
 * One line per lock, not per refused attempt, so an attack does not flood the log. An address is
 * logged (an operator may lift its lock with it); an email is not.
 */
function logLock(key: ThrottleKey, attempts: number, lockMs: number) {
  const address = key.scope === 'sign_in_account' ? {} : { address: key.subject };
  log.warn(
    { throttle: key.scope, ...address, attempts, lock_seconds: Math.round(lockMs / 1000) },
    'throttle limit reached',
  );
}

/**
 * Uncounts an attempt that succeeded, or that a lock elsewhere refused. Back under the limit, the
 * lock the attempt set on reaching it goes too (at worst one more attempt, racing this one, got
 * through before it); a lock set by failures past the limit stays.
 */
export async function giveBackAttempt(db: Db, key: ThrottleKey, rule: ThrottleRule): Promise<void> {
  await db
    .update(authThrottles)
    .set({
      attempts: sql`greatest(${authThrottles.attempts} - 1, 0)`,
      lockedUntil: sql`case when ${authThrottles.attempts} - 1 < ${rule.maxAttempts}::int then null
        else ${authThrottles.lockedUntil} end`,
    })
    .where(row(key));
}

/** Forgets the key's attempts and lifts its lock; true when there was something to forget. */
export async function clearAttempts(db: Db, key: ThrottleKey): Promise<boolean> {
  const deleted = await db.delete(authThrottles).where(row(key)).returning({ scope: authThrottles.scope });
  return deleted.length > 0;
}

/** Rows whose attempts are forgotten anyway. */
export async function pruneThrottles(db: Db, now: Date): Promise<number> {
  const deleted = await db
    .delete(authThrottles)
    .where(lt(authThrottles.expiresAt, now))
    .returning({ scope: authThrottles.scope });
  return deleted.length;
}
