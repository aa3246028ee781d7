import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { setUserDisabled } from '@/lib/auth/users';
import { roleSchema } from '@/lib/auth/validation';
import type { Db, Tx } from '@/lib/db';
import { attachments, type User, users } from '@/lib/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { decodeCursor, encodeCursor, parseLimit } from '@/lib/pagination';
import { authorize, type Caller, type TenantScope } from '@/lib/policy';
import { parseInput } from '@/lib/validation';
import { auditActor, recordAudit } from './audit';

export interface AdminUserView {
  id: string;
  email: string;
  role: User['role'];
  disabled: boolean;
  created_at: string;
  /** What their live files hold against the quota (failed uploads do not count), and how many files. */
  usage_bytes: number;
  files: number;
}

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

// Per user of the page, through the uploader usage index: never a pass over the whole tenant.
const usageBytes = sql<string>`(
  select coalesce(sum(${attachments.sizeBytes}), 0) from ${attachments}
  where ${attachments.uploadedByUserId} = ${users.id} and ${attachments.deletedAt} is null
    and ${attachments.status} <> 'failed'
)`;
const fileCount = sql<number>`(
  select count(*)::int from ${attachments}
  where ${attachments.uploadedByUserId} = ${users.id} and ${attachments.deletedAt} is null
)`;

const viewColumns = {
  id: users.id,
  email: users.email,
  role: users.role,
  disabledAt: users.disabledAt,
  createdAt: users.createdAt,
  usageBytes,
  files: fileCount,
};

const selectViews = (db: Db) => db.select(viewColumns).from(users);

type UserRow = Pick<User, 'id' | 'email' | 'role' | 'disabledAt' | 'createdAt'> & {
  usageBytes: string;
  files: number;
};

const toView = (u: UserRow): AdminUserView => ({
  id: u.id,
  email: u.email,
  role: u.role,
  disabled: u.disabledAt !== null,
  created_at: u.createdAt.toISOString(),
  usage_bytes: Number(u.usageBytes),
  files: Number(u.files),
});

/** The tenant's users, oldest first, by keyset on (created_at, id), each with their usage. */
export async function listUsers(db: Db, caller: Caller | null, params: URLSearchParams) {
  const scope = authorize(caller, 'admin.user.list');
  const limit = parseLimit(params.get('limit'), DEFAULT_LIMIT, MAX_LIMIT);
  const rawCursor = params.get('cursor');
  const after = rawCursor ? decodeCursor(rawCursor) : null;
  const rows = await selectViews(db)
    .where(
      and(
        eq(users.tenantId, scope.tenantId),
        after
          ? sql`(${users.createdAt}, ${users.id}) > (${after.at.toISOString()}::timestamptz, ${after.id}::uuid)`
          : undefined,
      ),
    )
    .orderBy(asc(users.createdAt), asc(users.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toView),
    next_cursor: rows.length > limit && last ? encodeCursor({ at: last.createdAt, id: last.id }) : null,
  };
}

const updateInput = z
  .object({ role: roleSchema.optional(), disabled: z.boolean().optional() })
  .strict()
  .refine((v) => v.role !== undefined || v.disabled !== undefined, { message: 'Send role and/or disabled.' });

/**
 * Locks the tenant's enabled admins (in id order, so concurrent changes queue rather than
 * deadlock) and returns their ids. Two admins demoting each other at once: the second waits for
 * the first, then no longer finds the first among the admins, and is refused.
 */
async function lockEnabledAdmins(tx: Tx, scope: TenantScope): Promise<string[]> {
  const rows = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.tenantId, scope.tenantId), eq(users.role, 'admin'), isNull(users.disabledAt)))
    .orderBy(asc(users.id))
    .for('update');
  return rows.map((r) => r.id);
}

/**
 * Changes a user's role and/or disables or re-enables them, audited with the before and after. The
 * tenant always keeps one enabled admin: the change that would remove the last one is refused
 * with `last_admin`. Disabling ends the user's sessions and stops their API tokens at once; their
 * files stay and keep counting.
 */
export async function updateUser(
  db: Db,
  caller: Caller | null,
  userId: string,
  input: unknown,
  requestId: string | null,
): Promise<AdminUserView> {
  const scope = authorize(caller, 'admin.user.update');
  if (!isUuid(userId)) throw notFound('User');
  const change = parseInput(updateInput, input);
  await db.transaction(async (tx) => {
    const admins = await lockEnabledAdmins(tx, scope);
    const [target] = await tx
      .select()
      .from(users)
      .where(and(eq(users.id, userId), eq(users.tenantId, scope.tenantId)))
      .for('update');
    if (!target) throw notFound('User');
    const before = { role: target.role, disabled: target.disabledAt !== null };
    const after = { role: change.role ?? before.role, disabled: change.disabled ?? before.disabled };
    const losesAdmin = admins.includes(target.id) && (after.role !== 'admin' || after.disabled);
    if (losesAdmin && admins.length <= 1) {
      throw new AppError(
        'last_admin',
        'The organisation needs an enabled administrator: make someone else one first.',
      );
    }
    if (after.role !== before.role) {
      await tx.update(users).set({ role: after.role }).where(eq(users.id, target.id));
    }
    if (after.disabled !== before.disabled) await setUserDisabled(tx, target.id, after.disabled);
    if (after.role === before.role && after.disabled === before.disabled) return;
    await recordAudit(tx, {
      ...auditActor(scope, caller, requestId),
      action: 'user.update',
      targetType: 'user',
      targetId: target.id,
      before,
      after,
    });
  });
  const [view] = await selectViews(db).where(and(eq(users.id, userId), eq(users.tenantId, scope.tenantId)));
  if (!view) throw notFound('User');
  return toView(view);
}
