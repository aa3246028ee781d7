import { PgDialect } from 'drizzle-orm/pg-core';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { AppError } from '@/lib/errors';
import {
  type Action,
  accessRules,
  authorize,
  type Caller,
  chatInScope,
  decide,
  liveChatInScope,
  type OwnerScope,
  type Rule,
  type TenantScope,
} from '@/lib/policy';

const tenantId = '00000000-0000-4000-8000-0000000000a1';
const member: Caller = { tenantId, userId: '00000000-0000-4000-8000-00000000000b', role: 'member' };
const admin: Caller = { tenantId, userId: '00000000-0000-4000-8000-00000000000a', role: 'admin' };

type Outcome = 'owner' | 'tenant' | 'not_found';

// Written out by hand, not read from the table: a row that changes must change here too.
const expected: Record<Action, { member: Outcome; admin: Outcome }> = {
  'chat.create': { member: 'owner', admin: 'owner' },
  'chat.list': { member: 'owner', admin: 'owner' },
  'chat.read': { member: 'owner', admin: 'owner' },
  'chat.update': { member: 'owner', admin: 'owner' },
  'chat.delete': { member: 'owner', admin: 'owner' },
  'attachment.upload': { member: 'owner', admin: 'owner' },
  'attachment.read': { member: 'owner', admin: 'owner' },
  'attachment.delete': { member: 'owner', admin: 'owner' },
  'upload.create': { member: 'owner', admin: 'owner' },
  'upload.part': { member: 'owner', admin: 'owner' },
  'upload.read': { member: 'owner', admin: 'owner' },
  'upload.complete': { member: 'owner', admin: 'owner' },
  'upload.cancel': { member: 'owner', admin: 'owner' },
  'message.list': { member: 'owner', admin: 'owner' },
  'message.send': { member: 'owner', admin: 'owner' },
  'turn.read': { member: 'owner', admin: 'owner' },
  'turn.retry': { member: 'owner', admin: 'owner' },
  'turn.cancel': { member: 'owner', admin: 'owner' },
  'model.list': { member: 'owner', admin: 'owner' },
  'token.create': { member: 'owner', admin: 'owner' },
  'token.list': { member: 'owner', admin: 'owner' },
  'token.revoke': { member: 'owner', admin: 'owner' },
};

const caught = (run: () => unknown): unknown => {
  try {
    run();
  } catch (err) {
    return err;
  }
  throw new Error('expected the call to throw');
};

/** Asserts what a decision resolved to: exactly the scope's fields, or the 404 of a scope miss. */
function expectOutcome(run: () => unknown, caller: Caller, outcome: Outcome) {
  if (outcome === 'not_found') {
    const err = caught(run);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: 'not_found', status: 404 });
    return;
  }
  const scope =
    outcome === 'owner'
      ? { tenantId: caller.tenantId, userId: caller.userId }
      : { tenantId: caller.tenantId };
  // toStrictEqual: a tenant scope has no userId key at all, not even an undefined one.
  expect(run()).toStrictEqual(scope);
}

function expectUnauthorized(run: () => unknown) {
  const err = caught(run);
  expect(err).toBeInstanceOf(AppError);
  expect(err).toMatchObject({
    code: 'unauthorized',
    status: 401,
    message: 'Sign in or send a valid API token.',
  });
}

describe('the access rules', () => {
  it('have a row for exactly the actions listed here', () => {
    expect(Object.keys(accessRules).sort()).toEqual(Object.keys(expected).sort());
  });

  describe.each(Object.entries(expected) as [Action, (typeof expected)[Action]][])(
    '%s',
    (action, outcome) => {
      it('answers 401 without a caller', () => {
        expectUnauthorized(() => authorize(null, action));
      });

      it(`gives a member ${outcome.member}`, () => {
        expectOutcome(() => authorize(member, action), member, outcome.member);
      });

      it(`gives an admin ${outcome.admin}`, () => {
        expectOutcome(() => authorize(admin, action), admin, outcome.admin);
      });
    },
  );

  it('type owner-scoped actions with their user', () => {
    expectTypeOf(authorize(member, 'chat.read')).toEqualTypeOf<OwnerScope>();
    expectTypeOf(authorize(member, 'token.list').userId).toEqualTypeOf<string>();
  });
});

describe('a table with a tenant-wide admin row', () => {
  const rules = {
    'tenant.audit': { roles: ['admin'], scope: 'tenant' },
    'own.notes': { roles: ['member', 'admin'], scope: 'owner' },
    'nobody.ever': { roles: [], scope: 'owner' },
  } as const satisfies Record<string, Rule>;

  it("gives an admin the tenant, without anyone's user", () => {
    const scope = decide(rules, admin, 'tenant.audit');
    expect(scope).toStrictEqual({ tenantId });
    expect('userId' in scope).toBe(false);
    expectTypeOf(scope).toEqualTypeOf<TenantScope>();
  });

  it('answers a member 404, as if there were nothing there', () => {
    expectOutcome(() => decide(rules, member, 'tenant.audit'), member, 'not_found');
  });

  it('answers 401 without a caller before looking at roles', () => {
    expectUnauthorized(() => decide(rules, null, 'tenant.audit'));
    expectUnauthorized(() => decide(rules, null, 'nobody.ever'));
  });

  it('scopes an owner row to the caller, whatever their role', () => {
    expectOutcome(() => decide(rules, member, 'own.notes'), member, 'owner');
    expectOutcome(() => decide(rules, admin, 'own.notes'), admin, 'owner');
    expectTypeOf(decide(rules, admin, 'own.notes')).toEqualTypeOf<OwnerScope>();
  });

  it('denies every role a row allows none', () => {
    expectOutcome(() => decide(rules, member, 'nobody.ever'), member, 'not_found');
    expectOutcome(() => decide(rules, admin, 'nobody.ever'), admin, 'not_found');
  });
});

describe('chat filters', () => {
  const dialect = new PgDialect();
  const chatId = '00000000-0000-4000-8000-0000000000c1';

  it('confine a tenant scope to its tenant only', () => {
    expect(dialect.sqlToQuery(chatInScope({ tenantId }))).toMatchObject({
      sql: '"chats"."tenant_id" = $1',
      params: [tenantId],
    });
    expect(dialect.sqlToQuery(liveChatInScope({ tenantId }, chatId))).toMatchObject({
      sql: '("chats"."id" = $1 and "chats"."tenant_id" = $2 and "chats"."deleted_at" is null)',
      params: [chatId, tenantId],
    });
  });

  it('confine an owner scope to its tenant and user', () => {
    const scope = { tenantId, userId: member.userId };
    expect(dialect.sqlToQuery(chatInScope(scope))).toMatchObject({
      sql: '("chats"."tenant_id" = $1 and "chats"."user_id" = $2)',
      params: [tenantId, member.userId],
    });
    expect(dialect.sqlToQuery(liveChatInScope(scope, chatId))).toMatchObject({
      sql: '("chats"."id" = $1 and ("chats"."tenant_id" = $2 and "chats"."user_id" = $3) and "chats"."deleted_at" is null)',
      params: [chatId, tenantId, member.userId],
    });
  });

  it('keep filtering by user when an owner scope is passed where any scope will do', () => {
    const wide: TenantScope = { tenantId, userId: member.userId } as OwnerScope;
    expect(dialect.sqlToQuery(chatInScope(wide)).params).toEqual([tenantId, member.userId]);
  });
});
