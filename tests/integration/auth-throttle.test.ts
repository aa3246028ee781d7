import { randomBytes } from 'node:crypto';
import { beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { AuthConfig } from '@/lib/auth/config';
import { signInWithPassword, unlockAccount, unlockAddress } from '@/lib/auth/sign-in';
import { AppError } from '@/lib/errors';
import { db, makeUser, PASSWORD } from '@/tests/support/fixtures';

// Every password check (a known account's or the stand-in for an unknown one) is counted, to show
// that a throttled attempt does none.
const work = vi.hoisted(() => ({ checks: 0 }));
vi.mock('@/lib/auth/passwords', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/auth/passwords')>();
  return {
    ...actual,
    verifyPassword: (hash: string, password: string) => {
      work.checks++;
      return actual.verifyPassword(hash, password);
    },
    burnVerification: (password: string) => {
      work.checks++;
      return actual.burnVerification(password);
    },
  };
});

const driver = inject('testDriver');
const SECOND = 1000;
const rule = (maxAttempts: number) => ({
  maxAttempts,
  lockMs: 60 * SECOND,
  maxLockMs: 600 * SECOND,
  forgetAfterMs: 3600 * SECOND,
});
const config: AuthConfig['signIn'] = { account: rule(3), address: rule(10) };

const unique = () => randomBytes(4).toString('hex');
const newAddress = () => `10.${randomBytes(3).join('.')}`;
const start = Date.now();
const at = (seconds: number) => new Date(start + seconds * SECOND);

/** The outcome of one attempt: 'ok', 'wrong', or 'throttled N' with the seconds to wait. */
async function attempt(email: string, password: string, clientAddress: string, when = at(0)) {
  try {
    const user = await signInWithPassword(await db(), config, { email, password, clientAddress }, when);
    return user ? 'ok' : 'wrong';
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'too_many_attempts') throw err;
    expect(err.status).toBe(429);
    expect(err.headers['retry-after']).toBe(String(err.extensions.retry_after_seconds));
    return `throttled ${err.extensions.retry_after_seconds}`;
  }
}

const times = <T>(n: number, fn: (i: number) => Promise<T>) =>
  Array.from({ length: n }).reduce<Promise<T[]>>(
    async (done, _, i) => [...(await done), await fn(i)],
    Promise.resolve([]),
  );

beforeEach(() => {
  work.checks = 0;
});

describe('sign-in throttling per account', () => {
  it('locks the account at the limit, refusing even the right password without checking it', async () => {
    const u = await makeUser();
    const address = newAddress();
    expect(await times(3, () => attempt(u.email, 'wrong password', address))).toEqual([
      'wrong',
      'wrong',
      'wrong',
    ]);
    expect(work.checks).toBe(3);
    expect(await attempt(u.email, PASSWORD, address, at(1))).toBe('throttled 59');
    expect(await attempt(u.email.toUpperCase(), PASSWORD, newAddress(), at(1))).toBe('throttled 59');
    expect(work.checks).toBe(3);
  });

  it('lets one attempt through when the lock runs out, and doubles the lock when it fails too', async () => {
    const u = await makeUser();
    const address = newAddress();
    await times(3, () => attempt(u.email, 'wrong password', address));
    expect(await attempt(u.email, 'wrong password', address, at(60))).toBe('wrong');
    expect(await attempt(u.email, PASSWORD, address, at(61))).toBe('throttled 119');
    expect(await attempt(u.email, 'wrong password', address, at(180))).toBe('wrong');
    expect(await attempt(u.email, PASSWORD, address, at(180))).toBe('throttled 240');
    expect(await attempt(u.email, PASSWORD, address, at(420))).toBe('ok');
  });

  it('never locks longer than the longest lock', async () => {
    const u = await makeUser();
    let now = 0;
    // From ever new addresses, so that only the account's limit is at work.
    for (let i = 0; i < 12; i++) {
      expect(await attempt(u.email, 'wrong password', newAddress(), at(now))).toBe('wrong');
      now += i < 2 ? 0 : Math.min(600, 60 * 2 ** (i - 2));
    }
    expect(await attempt(u.email, PASSWORD, newAddress(), at(now - 600))).toBe('throttled 600');
    expect(await attempt(u.email, PASSWORD, newAddress(), at(now - 1))).toBe('throttled 1');
  });

  it('forgets failures once the window has passed without any', async () => {
    const u = await makeUser();
    const address = newAddress();
    await times(2, () => attempt(u.email, 'wrong password', address));
    await times(2, () => attempt(u.email, 'wrong password', address, at(3601)));
    expect(await attempt(u.email, PASSWORD, address, at(3601))).toBe('ok');
  });

  it('forgets failures after a successful sign-in', async () => {
    const u = await makeUser();
    const address = newAddress();
    for (let round = 0; round < 3; round++) {
      expect(await times(2, () => attempt(u.email, 'wrong password', address))).toEqual(['wrong', 'wrong']);
      expect(await attempt(u.email, PASSWORD, address)).toBe('ok');
    }
  });

  it('counts emails without an account exactly like the others', async () => {
    const email = `nobody-${unique()}@example.test`;
    const address = newAddress();
    expect(await times(4, () => attempt(email, 'wrong password', address))).toEqual([
      'wrong',
      'wrong',
      'wrong',
      'throttled 60',
    ]);
    expect(work.checks).toBe(3);
  });

  it('spends nothing on attempts that cannot match an account', async () => {
    const address = newAddress();
    // A NUL cannot be in any stored email (Postgres refuses it in text): no lookup, no 500.
    for (const email of ['', '   ', `${'x'.repeat(320)}@example.test`, 'nul\u0000@example.test']) {
      expect(await attempt(email, 'wrong password', address)).toBe('wrong');
    }
    expect(await attempt('a@example.test', '', address)).toBe('wrong');
    expect(work.checks).toBe(0);
  });

  it('can be lifted by an operator', async () => {
    const d = await db();
    const u = await makeUser();
    const address = newAddress();
    await times(4, () => attempt(u.email, 'wrong password', address));
    expect(await unlockAccount(d, ` ${u.email.toUpperCase()} `)).toBe(true);
    expect(await attempt(u.email, PASSWORD, address, at(1))).toBe('ok');
    expect(await unlockAccount(d, u.email)).toBe(false);
  });
});

describe('sign-in throttling per client address', () => {
  it('locks an address trying many accounts, and only that address', async () => {
    const address = newAddress();
    const emails = Array.from({ length: 11 }, () => `spray-${unique()}@example.test`);
    const outcomes = await times(11, (i) => attempt(emails[i] as string, 'wrong password', address));
    expect(outcomes.slice(0, 10)).toEqual(Array(10).fill('wrong'));
    expect(outcomes[10]).toBe('throttled 60');
    expect(await attempt(emails[10] as string, 'wrong password', newAddress())).toBe('wrong');
    expect(work.checks).toBe(11);
  });

  it('does not count successful sign-ins, nor attempts an account lock refused', async () => {
    const u = await makeUser();
    const locked = await makeUser();
    const address = newAddress();
    await times(20, async () => expect(await attempt(u.email, PASSWORD, address)).toBe('ok'));
    await times(3, () => attempt(locked.email, 'wrong password', address));
    await times(20, async () => expect(await attempt(locked.email, PASSWORD, address)).toBe('throttled 60'));
    // 3 failures counted at the address; 6 more make 9, and a success at the limit leaves it at 9.
    await times(6, () => attempt(`other-${unique()}@example.test`, 'wrong password', address));
    expect(await attempt(u.email, PASSWORD, address)).toBe('ok');
    expect(await attempt(`other-${unique()}@example.test`, 'wrong password', address)).toBe('wrong');
    expect(await attempt(u.email, PASSWORD, address)).toBe('throttled 60');
  });

  it('can be lifted by an operator', async () => {
    const d = await db();
    const u = await makeUser();
    const address = newAddress();
    await times(10, () => attempt(`spray-${unique()}@example.test`, 'wrong password', address));
    expect(await attempt(u.email, PASSWORD, address)).toBe('throttled 60');
    expect(await unlockAddress(d, address)).toBe(true);
    expect(await attempt(u.email, PASSWORD, address)).toBe('ok');
  });
});

describe(`simultaneous attempts on ${driver}`, () => {
  it('let exactly the limit through to a password check, and one more when the lock runs out', async () => {
    const u = await makeUser();
    const outcomes = await Promise.all(
      Array.from({ length: 20 }, () => attempt(u.email, 'wrong password', newAddress())),
    );
    expect(outcomes.filter((o) => o === 'wrong')).toHaveLength(3);
    expect(outcomes.filter((o) => o.startsWith('throttled'))).toHaveLength(17);
    expect(work.checks).toBe(3);

    const later = await Promise.all(
      Array.from({ length: 10 }, () => attempt(u.email, 'wrong password', newAddress(), at(60))),
    );
    expect(later.filter((o) => o === 'wrong')).toHaveLength(1);
    expect(later.filter((o) => o.startsWith('throttled'))).toHaveLength(9);
    expect(work.checks).toBe(4);
  });

  it('let exactly the limit of one address through', async () => {
    const address = newAddress();
    const outcomes = await Promise.all(
      Array.from({ length: 25 }, () => attempt(`spray-${unique()}@example.test`, 'wrong password', address)),
    );
    expect(outcomes.filter((o) => o === 'wrong')).toHaveLength(10);
    expect(work.checks).toBe(10);
  });
});
