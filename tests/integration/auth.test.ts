import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { authenticateToken, createToken, listTokens, revokeToken } from '@/lib/auth/tokens';
import { createUser, verifyCredentials } from '@/lib/auth/users';
import type { Db } from '@/lib/db';
import { apiTokens, tenants, users } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { resolveCaller } from '@/lib/http/caller';
import { loadRateLimits } from '@/lib/rate-limits/config';
import { db, makeUser, PASSWORD, sessionOf } from '@/tests/support/fixtures';

/** The token service's dependencies, with the default limits. */
const withLimits = (d: Db) => ({ db: d, rateLimits: loadRateLimits({}) });

const errorCode = (p: Promise<unknown>) =>
  p.then(
    () => 'no error',
    (e: unknown) => (e instanceof AppError ? e.code : String(e)),
  );

describe('users and sign-in', () => {
  it('creates the tenant on first use and joins it afterwards', async () => {
    const d = await db();
    const slug = `acme-${Date.now()}`;
    const a = await createUser(d, {
      email: `a-${slug}@x.test`,
      password: PASSWORD,
      tenant: slug,
      role: 'admin',
    });
    const b = await createUser(d, { email: `b-${slug}@x.test`, password: PASSWORD, tenant: slug });
    expect(b.tenant.id).toBe(a.tenant.id);
    expect(a.user.role).toBe('admin');
    expect(b.user.role).toBe('member');
    expect(a.user.passwordHash).not.toContain(PASSWORD);
  });

  it('treats emails case-insensitively and refuses a second account', async () => {
    const d = await db();
    const email = `Case-${Date.now()}@Example.test`;
    await createUser(d, { email, password: PASSWORD, tenant: `c-${Date.now()}` });
    expect(
      await errorCode(createUser(d, { email: email.toUpperCase(), password: PASSWORD, tenant: 'other' })),
    ).toBe('email_taken');
    expect(await verifyCredentials(d, email.toUpperCase(), PASSWORD)).not.toBeNull();
    expect(await verifyCredentials(d, ` ${email.toLowerCase()} `, PASSWORD)).not.toBeNull();
  });

  it('validates input', async () => {
    const d = await db();
    expect(await errorCode(createUser(d, { email: 'not-an-email', password: PASSWORD, tenant: 'x' }))).toBe(
      'validation_error',
    );
    expect(await errorCode(createUser(d, { email: 'a@b.test', password: 'short', tenant: 'x' }))).toBe(
      'validation_error',
    );
    expect(
      await errorCode(createUser(d, { email: 'a@b.test', password: PASSWORD, tenant: 'Bad Slug!' })),
    ).toBe('validation_error');
  });

  it('refuses a NUL character in a token name, writing nothing', async () => {
    const d = await db();
    const u = await makeUser();
    expect(await errorCode(createToken(withLimits(d), u.caller, { name: '\u0000' }))).toBe(
      'validation_error',
    );
    expect((await listTokens(d, u.caller)).map((t) => t.name)).toEqual(['test']);
  });

  it('accepts the right password only, and never a disabled user', async () => {
    const d = await db();
    const u = await makeUser();
    expect(await verifyCredentials(d, u.email, PASSWORD)).toEqual({ caller: u.caller, sessionVersion: 0 });
    expect(await verifyCredentials(d, u.email, 'wrong password')).toBeNull();
    expect(await verifyCredentials(d, 'nobody@example.test', PASSWORD)).toBeNull();

    await d.update(users).set({ disabledAt: new Date() }).where(eq(users.id, u.caller.userId));
    expect(await verifyCredentials(d, u.email, PASSWORD)).toBeNull();
  });
});

describe('API tokens', () => {
  it('are shown once, stored hashed, authenticate as their user, and stop when revoked', async () => {
    const d = await db();
    const u = await makeUser();
    const created = await createToken(withLimits(d), u.caller, { name: '  laptop ' });
    expect(created.name).toBe('laptop');
    expect(created.token).toMatch(/^mct_[\w-]{43}$/);

    const [stored] = await d.select().from(apiTokens).where(eq(apiTokens.id, created.id));
    expect(stored?.tokenHash).not.toContain(created.token);
    expect(JSON.stringify(await listTokens(d, u.caller))).not.toContain(created.token);

    expect(await authenticateToken(d, created.token)).toEqual(u.caller);
    const [used] = await d.select().from(apiTokens).where(eq(apiTokens.id, created.id));
    expect(used?.lastUsedAt).toBeInstanceOf(Date);

    await revokeToken(d, u.caller, created.id);
    expect(await authenticateToken(d, created.token)).toBeNull();
    expect(await errorCode(revokeToken(d, u.caller, created.id))).toBe('not_found');
    const [listed] = (await listTokens(d, u.caller)).filter((t) => t.id === created.id);
    expect(listed?.revoked_at).not.toBeNull();
  });

  it('reject garbage and tokens of disabled users', async () => {
    const d = await db();
    const u = await makeUser();
    expect(await authenticateToken(d, 'garbage')).toBeNull();
    expect(await authenticateToken(d, `${u.token}x`)).toBeNull();
    expect(await authenticateToken(d, 'mct_')).toBeNull();
    await d.update(users).set({ disabledAt: new Date() }).where(eq(users.id, u.caller.userId));
    expect(await authenticateToken(d, u.token)).toBeNull();
  });

  it('cannot be listed or revoked by another user', async () => {
    const d = await db();
    const owner = await makeUser();
    const sameTenant = await makeUser({ tenant: owner.tenant });
    const created = await createToken(withLimits(d), owner.caller, { name: 'mine' });
    expect((await listTokens(d, sameTenant.caller)).map((t) => t.id)).not.toContain(created.id);
    expect(await errorCode(revokeToken(d, sameTenant.caller, created.id))).toBe('not_found');
    expect(await errorCode(revokeToken(d, owner.caller, 'not-a-uuid'))).toBe('not_found');
    expect(await authenticateToken(d, created.token)).toEqual(owner.caller);
  });

  it('need a caller and a name', async () => {
    const d = await db();
    const u = await makeUser();
    expect(await errorCode(createToken(withLimits(d), null, { name: 'x' }))).toBe('unauthorized');
    expect(await errorCode(createToken(withLimits(d), u.caller, { name: '   ' }))).toBe('validation_error');
    expect(await errorCode(listTokens(d, null))).toBe('unauthorized');
  });
});

describe('resolving the caller of a request', () => {
  const request = (authorization?: string) =>
    new Request('http://localhost/api/x', { headers: authorization ? { authorization } : {} });

  it('uses a bearer token, and never falls back to the session when the header is bad', async () => {
    const d = await db();
    const u = await makeUser();
    const other = await makeUser();
    const session = async () => sessionOf(other.caller);
    expect(await resolveCaller(request(`Bearer ${u.token}`), d, session)).toEqual(u.caller);
    expect(await resolveCaller(request(`bearer   ${u.token}`), d, session)).toEqual(u.caller);
    expect(await resolveCaller(request('Bearer nonsense'), d, session)).toBeNull();
    expect(await resolveCaller(request(`Basic ${u.token}`), d, session)).toBeNull();
    expect(await resolveCaller(request(), d, session)).toEqual(other.caller);
    expect(await resolveCaller(request(), d, async () => null)).toBeNull();
    expect(
      await resolveCaller(request(), d, async () => ({ ...sessionOf(other.caller), userId: 'not-a-uuid' })),
    ).toBeNull();
  });

  it('treats a session whose tenant was deleted as signed out', async () => {
    const d = await db();
    const u = await makeUser();
    await d.delete(tenants).where(eq(tenants.id, u.caller.tenantId));
    expect(await resolveCaller(request(), d, async () => sessionOf(u.caller))).toBeNull();
  });
});
