import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import * as invitationRoute from '@/app/api/admin/invitations/[id]/route';
import * as invitationsRoute from '@/app/api/admin/invitations/route';
import * as userRoute from '@/app/api/admin/users/[id]/route';
import * as usersRoute from '@/app/api/admin/users/route';
import * as chatsRoute from '@/app/api/chats/route';
import { updateUser } from '@/lib/admin/users';
import type { AuthConfig, SignUpMode } from '@/lib/auth/config';
import { loadActiveCaller } from '@/lib/auth/sessions';
import { signUp } from '@/lib/auth/sign-up';
import { verifyCredentials } from '@/lib/auth/users';
import { auditLog, invitations, users } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { callRoute, db, makeUser, PASSWORD, sessionOf, type TestUser } from '@/tests/support/fixtures';

type Json = Record<string, unknown>;

const driver = inject('testDriver');
const signUpConfig = (mode: SignUpMode): AuthConfig['signUp'] => ({
  mode,
  address: { maxAttempts: 100, lockMs: 3_600_000, maxLockMs: 3_600_000, forgetAfterMs: 3_600_000 },
});
const newAddress = () => `10.${randomBytes(3).join('.')}`;
const newEmail = () => `invited-${randomBytes(4).toString('hex')}@example.test`;

let admin: TestUser;
let member: TestUser;

beforeEach(async () => {
  admin = await makeUser({ role: 'admin' });
  member = await makeUser({ tenant: admin.tenant });
});

const patch = (id: string, body: unknown, who = admin) =>
  callRoute(userRoute.PATCH, { method: 'PATCH', token: who.token, params: { id }, body });

const invite = async (body: unknown = {}) => {
  const res = await callRoute(invitationsRoute.POST, { method: 'POST', token: admin.token, body });
  expect(res.status).toBe(201);
  const created = res.body as Json & { url: string; id: string };
  return { ...created, token: new URL(created.url).searchParams.get('invite') as string };
};

const entries = async () =>
  (await db()).select().from(auditLog).where(eq(auditLog.tenantId, admin.caller.tenantId));

describe(`users on ${driver}`, () => {
  it('lists the tenant’s users with their usage, and no one else', async () => {
    const outsider = await makeUser();
    const res = await callRoute(usersRoute.GET, { token: admin.token });
    expect(res.status).toBe(200);
    const items = (res.body as { items: Json[] }).items;
    expect(items.map((u) => u.email).sort()).toEqual([admin.email, member.email].sort());
    expect(items.find((u) => u.id === member.caller.userId)).toEqual({
      id: member.caller.userId,
      email: member.email,
      role: 'member',
      disabled: false,
      created_at: expect.any(String),
      usage_bytes: 0,
      files: 0,
    });
    expect(JSON.stringify(items)).not.toContain(outsider.email);
    expect(JSON.stringify(items)).not.toMatch(/password|hash/i);
  });

  it('changes a role, with before and after in the audit log', async () => {
    const res = await patch(member.caller.userId, { role: 'admin' });
    expect(res).toMatchObject({ status: 200, body: { role: 'admin' } });
    const [entry] = await entries();
    expect(entry).toMatchObject({
      actorId: admin.caller.userId,
      action: 'user.update',
      targetId: member.caller.userId,
      before: { role: 'member', disabled: false },
      after: { role: 'admin', disabled: false },
    });
    // The new admin's next request has the new role: the session reads it from the row.
    expect((await loadActiveCaller(await db(), sessionOf(member.caller)))?.role).toBe('admin');
  });

  it('disables a user: sign-in refused, sessions and API tokens stop at once, files stay; re-enabling lets them sign in again', async () => {
    const session = sessionOf(member.caller);
    expect(await callRoute(chatsRoute.GET, { token: member.token })).toMatchObject({ status: 200 });
    expect(await patch(member.caller.userId, { disabled: true })).toMatchObject({
      status: 200,
      body: { disabled: true },
    });
    expect(await callRoute(chatsRoute.GET, { token: member.token })).toMatchObject({ status: 401 });
    expect(await loadActiveCaller(await db(), session)).toBeNull();
    expect(await verifyCredentials(await db(), member.email, PASSWORD)).toBeNull();

    expect(await patch(member.caller.userId, { disabled: false })).toMatchObject({
      body: { disabled: false },
    });
    expect(await verifyCredentials(await db(), member.email, PASSWORD)).not.toBeNull();
    expect(await callRoute(chatsRoute.GET, { token: member.token })).toMatchObject({ status: 200 });
    // The old session stays ended.
    expect(await loadActiveCaller(await db(), session)).toBeNull();
    expect((await entries()).map((e) => e.after)).toEqual([
      { role: 'member', disabled: true },
      { role: 'member', disabled: false },
    ]);
  });

  it('refuses to demote or disable the last enabled admin, themselves included', async () => {
    for (const body of [{ role: 'member' }, { disabled: true }]) {
      const res = await patch(admin.caller.userId, body);
      expect(res).toMatchObject({ status: 409, body: { code: 'last_admin' } });
    }
    // With a second admin, one may step down.
    await patch(member.caller.userId, { role: 'admin' });
    expect(await patch(admin.caller.userId, { role: 'member' })).toMatchObject({ status: 200 });
    const [row] = await (await db()).select().from(users).where(eq(users.id, admin.caller.userId));
    expect(row?.role).toBe('member');
  });

  it('two admins demoting each other at the same moment leave one admin', async () => {
    const second = await makeUser({ tenant: admin.tenant, role: 'admin' });
    const d = await db();
    const results = await Promise.allSettled([
      updateUser(d, admin.caller, second.caller.userId, { role: 'member' }, null),
      updateUser(d, second.caller, admin.caller.userId, { role: 'member' }, null),
      updateUser(d, admin.caller, admin.caller.userId, { disabled: true }, null),
      updateUser(d, second.caller, second.caller.userId, { disabled: true }, null),
    ]);
    const refused = results.filter(
      (r) => r.status === 'rejected' && r.reason instanceof AppError && r.reason.code === 'last_admin',
    );
    expect(results.filter((r) => r.status === 'rejected')).toHaveLength(refused.length);
    const admins = (await d.select().from(users).where(eq(users.tenantId, admin.caller.tenantId))).filter(
      (u) => u.role === 'admin' && u.disabledAt === null,
    );
    // Whatever the order, exactly one enabled admin is left, and every refusal is the guard's.
    expect(admins).toHaveLength(1);
    expect(refused.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses hostile input', async () => {
    for (const body of [{}, { role: 'owner' }, { disabled: 'yes' }, { role: 'admin', tenant_id: 'x' }]) {
      expect.soft((await patch(member.caller.userId, body)).body).toMatchObject({ code: 'validation_error' });
    }
    expect((await patch('not-a-uuid', { role: 'admin' })).status).toBe(404);
    expect((await patch(crypto.randomUUID(), { role: 'admin' })).status).toBe(404);
  });
});

describe(`invitations on ${driver}`, () => {
  it('a one-time link lets someone join the tenant with its role under invite-only sign-up; the link then stops working', async () => {
    const link = await invite({ role: 'member' });
    expect(link.url).toMatch(/^http:\/\/localhost\/signup\?invite=[\w-]{43}$/);
    const list = await callRoute(invitationsRoute.GET, { token: admin.token });
    expect((list.body as { items: Json[] }).items).toEqual([
      { id: link.id, role: 'member', created_at: expect.any(String), expires_at: expect.any(String) },
    ]);
    expect(JSON.stringify(list.body)).not.toContain(link.token);

    const email = newEmail();
    const d = await db();
    await signUp(
      d,
      signUpConfig('invite-only'),
      { invite: link.token, email, password: 'a new password' },
      {
        clientAddress: newAddress(),
      },
    );
    const joined = await verifyCredentials(d, email, 'a new password');
    expect(joined?.caller).toMatchObject({ tenantId: admin.caller.tenantId, role: 'member' });

    // Used up: the same link again is refused, and no second account appears.
    const again = signUp(
      d,
      signUpConfig('invite-only'),
      { invite: link.token, email: newEmail(), password: 'x'.repeat(10) },
      {
        clientAddress: newAddress(),
      },
    );
    await expect(again).rejects.toMatchObject({ code: 'invitation_invalid' });
    const actions = (await entries()).map((e) => e.action).sort();
    expect(actions).toEqual(['invitation.accept', 'invitation.create']);
    expect(JSON.stringify(await entries())).not.toContain(link.token);
  });

  it('without an invitation invite-only stays closed; a closed deployment refuses even an invitation', async () => {
    const d = await db();
    const link = await invite();
    await expect(
      signUp(
        d,
        signUpConfig('invite-only'),
        { organisation: 'Mine', email: newEmail(), password: 'a new password' },
        {
          clientAddress: newAddress(),
        },
      ),
    ).rejects.toMatchObject({ code: 'signup_closed' });
    await expect(
      signUp(
        d,
        signUpConfig('closed'),
        { invite: link.token, email: newEmail(), password: 'a new password' },
        {
          clientAddress: newAddress(),
        },
      ),
    ).rejects.toMatchObject({ code: 'signup_closed' });
  });

  it('an expired, revoked or made-up link is refused', async () => {
    const d = await db();
    const expired = await invite({ expires_in_days: 1 });
    await d
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, expired.id));
    const revoked = await invite({ role: 'admin' });
    expect(
      await callRoute(invitationRoute.DELETE, {
        method: 'DELETE',
        token: admin.token,
        params: { id: revoked.id },
      }),
    ).toMatchObject({ status: 204 });
    for (const token of [expired.token, revoked.token, 'made-up-token-made-up-token-made-up-token00', '']) {
      await expect(
        signUp(
          d,
          signUpConfig('open'),
          { invite: token, email: newEmail(), password: 'a new password' },
          {
            clientAddress: newAddress(),
          },
        ),
      ).rejects.toMatchObject({ code: 'invitation_invalid' });
    }
    for (const body of [{ role: 'owner' }, { expires_in_days: 0 }, { expires_in_days: 31 }, { url: 'x' }]) {
      const res = await callRoute(invitationsRoute.POST, { method: 'POST', token: admin.token, body });
      expect.soft(res.body).toMatchObject({ code: 'validation_error' });
    }
  });

  it('two sign-ups racing on one link make one account', async () => {
    const link = await invite();
    const d = await db();
    const emails = [newEmail(), newEmail(), newEmail()];
    const results = await Promise.allSettled(
      emails.map((email) =>
        signUp(
          d,
          signUpConfig('invite-only'),
          { invite: link.token, email, password: 'a new password' },
          {
            clientAddress: newAddress(),
          },
        ),
      ),
    );
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const made = await d.select().from(users).where(eq(users.tenantId, admin.caller.tenantId));
    expect(made.filter((u) => emails.includes(u.email))).toHaveLength(1);
  });
});
