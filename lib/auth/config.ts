import { z } from 'zod';
import { type Env, loadEnv } from '@/lib/env';

export const signUpModes = ['open', 'invite-only', 'closed'] as const;
export type SignUpMode = (typeof signUpModes)[number];

const seconds = z.coerce.number().positive();
const count = z.coerce.number().int().positive();

const envSchema = z
  .object({
    AUTH_MAX_FAILURES: count.max(1000).default(5),
    AUTH_MAX_FAILURES_PER_ADDRESS: count.default(30),
    AUTH_LOCK_SECONDS: seconds.default(60),
    AUTH_LOCK_MAX_SECONDS: seconds.default(3600),
    AUTH_FAILURE_WINDOW_SECONDS: seconds.default(3600),
    AUTH_PROXY_HOPS: count.max(10).default(1),
    SIGNUP_MODE: z.enum(signUpModes).default('open'),
    SIGNUP_MAX_PER_ADDRESS: count.default(10),
  })
  .refine((e) => e.AUTH_LOCK_MAX_SECONDS >= e.AUTH_LOCK_SECONDS, {
    message: 'AUTH_LOCK_MAX_SECONDS must be at least AUTH_LOCK_SECONDS.',
    path: ['AUTH_LOCK_MAX_SECONDS'],
  });

/**
 * How many attempts a subject (an account, a client address) gets. The attempt that reaches
 * `maxAttempts` locks the subject for `lockMs`; each further attempt after a lock has run out
 * doubles it, up to `maxLockMs`. Attempts are forgotten `forgetAfterMs` after the last attempt or
 * lock, so a few typos spread over days never add up.
 */
export interface ThrottleRule {
  maxAttempts: number;
  lockMs: number;
  maxLockMs: number;
  forgetAfterMs: number;
}

export interface AuthConfig {
  signIn: { account: ThrottleRule; address: ThrottleRule };
  signUp: { mode: SignUpMode; address: ThrottleRule };
  /** Proxies in front of the app that append to X-Forwarded-For (see clientAddress). */
  proxyHops: number;
}

const HOUR_MS = 3_600_000;

export function loadAuthConfig(env: Env = process.env): AuthConfig {
  const e = loadEnv(envSchema, 'auth', env);
  const failures = (maxAttempts: number): ThrottleRule => ({
    maxAttempts,
    lockMs: e.AUTH_LOCK_SECONDS * 1000,
    maxLockMs: e.AUTH_LOCK_MAX_SECONDS * 1000,
    forgetAfterMs: e.AUTH_FAILURE_WINDOW_SECONDS * 1000,
  });
  return {
    signIn: { account: failures(e.AUTH_MAX_FAILURES), address: failures(e.AUTH_MAX_FAILURES_PER_ADDRESS) },
    signUp: {
      mode: e.SIGNUP_MODE,
      // Every sign-up makes a tenant with a full quota: a burst, then one an hour.
      address: {
        maxAttempts: e.SIGNUP_MAX_PER_ADDRESS,
        lockMs: HOUR_MS,
        maxLockMs: HOUR_MS,
        forgetAfterMs: HOUR_MS,
      },
    },
    proxyHops: e.AUTH_PROXY_HOPS,
  };
}
