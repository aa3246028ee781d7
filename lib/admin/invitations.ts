import { and, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import {
  invitationPath,
  invitationTokenHash,
  liveInvitation,
  newInvitationToken,
} from '@/lib/auth/invitations';
import { roleSchema } from '@/lib/auth/validation';
import type { Db } from '@/lib/db';
import { type Invitation, invitations } from '@/lib/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { authorize, type Caller } from '@/lib/policy';
import { parseInput } from '@/lib/validation';
import { auditActor, recordAudit } from './audit';

export const DEFAULT_INVITATION_DAYS = 7;
export const MAX_INVITATION_DAYS = 30;
/** Open links per tenant: each is a way in, so they do not pile up unnoticed. */
export const MAX_OPEN_INVITATIONS = 100;

export interface InvitationView {
  id: string;
  role: Invitation['role'];
  created_at: string;
  expires_at: string;
}

const toView = (i: Invitation): InvitationView => ({
  id: i.id,
  role: i.role,
  created_at: i.createdAt.toISOString(),
  expires_at: i.expiresAt.toISOString(),
});

const createInput = z
  .object({
    role: roleSchema.default('member'),
    expires_in_days: z.number().int().min(1).max(MAX_INVITATION_DAYS).default(DEFAULT_INVITATION_DAYS),
  })
  .strict();

const open = (tenantId: string) => and(eq(invitations.tenantId, tenantId), liveInvitation());

/**
 * A one-time sign-up link into the admin's tenant. The link (with its secret) is in this answer
 * only; the audit log records the invitation's id and role, never the link.
 */
export async function createInvitation(
  db: Db,
  caller: Caller | null,
  input: unknown,
  context: { origin: string; requestId: string | null },
): Promise<InvitationView & { url: string }> {
  const scope = authorize(caller, 'admin.user.invite');
  const { role, expires_in_days } = parseInput(createInput, input ?? {});
  const token = newInvitationToken();
  const row = await db.transaction(async (tx) => {
    const [{ count } = { count: 0 }] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(invitations)
      .where(open(scope.tenantId));
    if (count >= MAX_OPEN_INVITATIONS) {
      throw new AppError(
        'conflict',
        `At most ${MAX_OPEN_INVITATIONS} invitations can be open; revoke some first.`,
      );
    }
    const [created] = await tx
      .insert(invitations)
      .values({
        tenantId: scope.tenantId,
        tokenHash: invitationTokenHash(token),
        role,
        createdByUserId: caller?.userId ?? null,
        expiresAt: sql`now() + make_interval(days => ${expires_in_days})`,
      })
      .returning();
    if (!created) throw new Error('invitation insert returned nothing');
    await recordAudit(tx, {
      ...auditActor(scope, caller, context.requestId),
      action: 'invitation.create',
      targetType: 'invitation',
      targetId: created.id,
      after: { role, expires_at: created.expiresAt.toISOString() },
    });
    return created;
  });
  return { ...toView(row), url: new URL(invitationPath(token), context.origin).toString() };
}

/** The tenant's open invitations (neither used, revoked nor expired), newest first. */
export async function listInvitations(db: Db, caller: Caller | null): Promise<{ items: InvitationView[] }> {
  const scope = authorize(caller, 'admin.user.list');
  const rows = await db
    .select()
    .from(invitations)
    .where(open(scope.tenantId))
    .orderBy(desc(invitations.createdAt))
    .limit(MAX_OPEN_INVITATIONS);
  return { items: rows.map(toView) };
}

/** Revokes an open invitation (a compare-and-set); one already used, revoked or expired is 404. */
export async function revokeInvitation(
  db: Db,
  caller: Caller | null,
  id: string,
  requestId: string | null,
): Promise<void> {
  const scope = authorize(caller, 'admin.user.invite');
  if (!isUuid(id)) throw notFound('Invitation');
  await db.transaction(async (tx) => {
    const [row] = await tx
      .update(invitations)
      .set({ revokedAt: sql`now()` })
      .where(and(eq(invitations.id, id), open(scope.tenantId)))
      .returning();
    if (!row) throw notFound('Invitation');
    await recordAudit(tx, {
      ...auditActor(scope, caller, requestId),
      action: 'invitation.revoke',
      targetType: 'invitation',
      targetId: row.id,
    });
  });
}
