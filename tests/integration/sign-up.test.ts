import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { beforeEach, describe, expect, inject, it, vi } from 'vitest';
import type { AuthConfig, SignUpMode } from '@/lib/auth/config';
import { signUp } from '@/lib/auth/sign-up';
import { verifyCredentials } from '@/lib/auth/users';
import { tenants, users } from '@/lib/db/schema';
import { db, failure, makeUser, PASSWORD } from '@/tests/support/fixtures';

// Hashes are counted: a sign-up for a registered email must cost one too, and a refused one none.
const work = vi.hoisted(() => ({ hashes: 0 }));
vi.mock('@/lib/auth/passwords', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@/lib/auth/passwords')>();
  return {
    ...actual,
    hashPassword: (password: string) => {
      work.hashes++;
      return actual.hashPassword(password);
    },
  };
});

const driver = inject('testDriver');
const config = (mode: SignUpMode = 'open', maxAttempts = 100): AuthConfig['signUp'] => ({
  mode,
  address: { maxAttempts, lockMs: 3_600_000, maxLockMs: 3_600_000, forgetAfterMs: 3_600_000 },
});
const unique = () => randomBytes(4).toString('hex');
const newAddress = () => `10.${randomBytes(3).join('.')}`;
const form = (email = `new-${unique()}@example.test`, organisation = `Initech ${unique()}`) => ({
  organisation,
  email,
  password: 'a brand new password',
});

async function tenantCount() {
  const [row] = await (await db()).select({ n: sql<number>`count(*)::int` }).from(tenants);
  return row?.n ?? 0;
}

const userByEmail = async (email: string) =>
  (await (await db()).select().from(users).where(eq(users.email, email)))[0];

beforeEach(() => {
  work.hashes = 0;
});

describe('sign-up', () => {
  it('makes a new tenant with the new user as its admin, even when the name is taken', async () => {
    const d = await db();
    const first = form(undefined, `Initech ${unique()}`);
    const second = form(undefined, first.organisation);
    await signUp(d, config(), first, { clientAddress: newAddress() });
    await signUp(d, config(), second, { clientAddress: newAddress() });
    const [a, b] = [await userByEmail(first.email), await userByEmail(second.email)];
    expect(a?.role).toBe('admin');
    expect(b?.role).toBe('admin');
    expect(b?.tenantId).not.toBe(a?.tenantId);
    const named = await d.select().from(tenants).where(eq(tenants.name, first.organisation));
    expect(named).toHaveLength(2);
    expect(new Set(named.map((t) => t.slug)).size).toBe(2);
    expect(await verifyCredentials(d, first.email, first.password)).not.toBeNull();
  });

  it('answers a registered email exactly like a new one, at the same cost, and changes nothing', async () => {
    const d = await db();
    const existing = await makeUser();
    const fresh = form();
    const tenantsBefore = await tenantCount();

    work.hashes = 0;
    await expect(signUp(d, config(), fresh, { clientAddress: newAddress() })).resolves.toBeUndefined();
    expect(work.hashes).toBe(1);
    await expect(
      signUp(d, config(), form(existing.email.toUpperCase()), { clientAddress: newAddress() }),
    ).resolves.toBeUndefined();
    expect(work.hashes).toBe(2);

    expect(await tenantCount()).toBe(tenantsBefore + 1);
    expect(await verifyCredentials(d, existing.email, PASSWORD)).not.toBeNull();
    expect(await verifyCredentials(d, existing.email, 'a brand new password')).toBeNull();
  });

  it(`keeps one account when the same email signs up twice at once (${driver})`, async () => {
    const d = await db();
    const email = `twice-${unique()}@example.test`;
    const tenantsBefore = await tenantCount();
    await Promise.all(
      Array.from({ length: 4 }, () => signUp(d, config(), form(email), { clientAddress: newAddress() })),
    );
    expect(await d.select().from(users).where(eq(users.email, email))).toHaveLength(1);
    expect(await tenantCount()).toBe(tenantsBefore + 1);
  });

  it('still explains what is wrong with the form', async () => {
    const d = await db();
    const err = await failure(
      signUp(
        d,
        config(),
        { organisation: ' ', email: 'nope', password: 'short' },
        { clientAddress: newAddress() },
      ),
    );
    expect(err.code).toBe('validation_error');
    expect((err.extensions.errors as { field: string }[]).map((e) => e.field)).toEqual([
      'organisation',
      'email',
      'password',
    ]);
  });
  it('refuses a NUL character in the organisation name, writing nothing', async () => {
    const d = await db();
    const attempt = { ...form(), organisation: `Nul\u0000 ${Date.now()}` };
    const err = await failure(signUp(d, config(), attempt, { clientAddress: newAddress() }));
    expect(err.code).toBe('validation_error');
    expect(await userByEmail(attempt.email)).toBeUndefined();
  });
});

describe('sign-up modes', () => {
  it.each([
    ['closed', 'Sign-up is closed. Ask an administrator of your organisation for an account.'],
    ['invite-only', 'Sign-up needs an invitation. Ask an administrator of your organisation to invite you.'],
  ] as const)('%s refuses everyone, before any work', async (mode, sentence) => {
    const d = await db();
    const tenantsBefore = await tenantCount();
    const attempt = form();
    const err = await failure(signUp(d, config(mode), attempt, { clientAddress: newAddress() }));
    expect(err.code).toBe('signup_closed');
    expect(err.status).toBe(403);
    expect(err.message).toBe(sentence);
    expect(work.hashes).toBe(0);
    expect(await tenantCount()).toBe(tenantsBefore);
    expect(await userByEmail(attempt.email)).toBeUndefined();
  });
});

describe('sign-up throttling per client address', () => {
  it('allows a few sign-ups per address, then asks to wait without hashing', async () => {
    const d = await db();
    const address = newAddress();
    const limited = config('open', 2);
    // Invalid forms cost nothing and are not counted.
    for (let i = 0; i < 3; i++) {
      await failure(signUp(d, limited, { ...form(), password: 'short' }, { clientAddress: address }));
    }
    await signUp(d, limited, form(), { clientAddress: address });
    await signUp(d, limited, form(), { clientAddress: address });
    work.hashes = 0;
    const refused = form();
    const err = await failure(signUp(d, limited, refused, { clientAddress: address }));
    expect(err.code).toBe('too_many_attempts');
    expect(err.extensions.retry_after_seconds).toBe(3600);
    expect(work.hashes).toBe(0);
    expect(await userByEmail(refused.email)).toBeUndefined();

    await signUp(d, limited, refused, { clientAddress: newAddress() });
    expect(await userByEmail(refused.email)).toBeDefined();
  });
});
