import type { Db } from '@/lib/db';
import { addressKey } from './client-address';
import type { AuthConfig } from './config';
import { clearAttempts, giveBackAttempt, takeAttempt, throttleKeys } from './throttle';
import { type VerifiedUser, verifyCredentials } from './users';

export interface SignInAttempt {
  email: unknown;
  password: unknown;
  /** From clientAddress(): the key of the per-address limit. */
  clientAddress: string;
}

/** No account has a longer email (the column's limit); such an attempt needs no checking. */
const MAX_EMAIL_LENGTH = 320;

const { signInAccount, signInAddress, signUpAddress } = throttleKeys;

/**
 * Sign-in with a password, throttled per account and per client address. The attempt is counted
 * before the password is checked, so a throttled one (`too_many_attempts`) costs no hashing, and
 * unknown emails are counted exactly like known ones, so a lock reveals nothing either. A success
 * forgets the account's failures and does not count against the address.
 */
export async function signInWithPassword(
  db: Db,
  config: AuthConfig['signIn'],
  attempt: SignInAttempt,
  now = new Date(),
): Promise<VerifiedUser | null> {
  const { password, clientAddress } = attempt;
  if (typeof attempt.email !== 'string' || typeof password !== 'string' || !password) return null;
  const email = attempt.email.trim().toLowerCase();
  // A NUL cannot be in a stored email, and Postgres would refuse it in the lookup.
  if (!email || email.length > MAX_EMAIL_LENGTH || email.includes('\u0000')) return null;

  await takeAttempt(db, signInAddress(clientAddress), config.address, now);
  try {
    await takeAttempt(db, signInAccount(email), config.account, now);
  } catch (err) {
    // Refused for the account: no work was done, and the address should not pay for it.
    await giveBackAttempt(db, signInAddress(clientAddress), config.address);
    throw err;
  }
  const user = await verifyCredentials(db, email, password);
  if (user) {
    await clearAttempts(db, signInAccount(email));
    await giveBackAttempt(db, signInAddress(clientAddress), config.address);
  }
  return user;
}

/** Lifts an account's sign-in lock and forgets its failures (operators, tenant admins). */
export const unlockAccount = (db: Db, email: string): Promise<boolean> =>
  clearAttempts(db, signInAccount(email.trim().toLowerCase()));

/** Lifts a client address's sign-in and sign-up limits (an office behind one address, say). */
export async function unlockAddress(db: Db, address: string): Promise<boolean> {
  const key = addressKey(address);
  const signIn = await clearAttempts(db, signInAddress(key));
  const signUp = await clearAttempts(db, signUpAddress(key));
  return signIn || signUp;
}
