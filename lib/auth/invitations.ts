import { createHash, randomBytes } from 'node:crypto';
import { and, eq, gt, isNull, type SQL, sql } from 'drizzle-orm';
import type { Queryable } from '@/lib/db';
import { type Invitation, invitations } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';

/** The link's secret: 256 random bits, shown once; only its digest is stored. */
export const newInvitationToken = (): string => randomBytes(32).toString('base64url');

export const invitationTokenHash = (token: string): string =>
  createHash('sha256').update(token).digest('hex');

/** Where an invitation's link points: the sign-up page, which carries the token to the form. */
export const invitationPath = (token: string): string => `/signup?invite=${encodeURIComponent(token)}`;

export const invalidInvitation = () =>
  new AppError(
    'invitation_invalid',
    'This invitation link is not valid any more: it was used, revoked or has expired.',
  );

/** An invitation that can still be used: not used, not revoked, not expired. */
export const liveInvitation = (): SQL =>
  and(
    isNull(invitations.usedAt),
    isNull(invitations.revokedAt),
    gt(invitations.expiresAt, sql`now()`),
  ) as SQL;

const liveWithToken = (token: string) =>
  and(eq(invitations.tokenHash, invitationTokenHash(token)), liveInvitation());

/** A live invitation for the token, or null: used, revoked, expired and unknown all look the same. */
export async function findLiveInvitation(db: Queryable, token: string): Promise<Invitation | null> {
  if (!/^[\w-]{20,100}$/.test(token)) return null;
  const [row] = await db.select().from(invitations).where(liveWithToken(token));
  return row ?? null;
}

/**
 * Uses the invitation up, in the transaction that creates its user: a compare-and-set, so two
 * sign-ups with one link make one account. Throws `invitation_invalid` when it is not live.
 */
export async function consumeInvitation(tx: Queryable, token: string): Promise<Invitation> {
  const [row] = await tx
    .update(invitations)
    .set({ usedAt: sql`now()` })
    .where(liveWithToken(token))
    .returning();
  if (!row) throw invalidInvitation();
  return row;
}

export async function markInvitationUsedBy(tx: Queryable, invitationId: string, userId: string) {
  await tx.update(invitations).set({ usedByUserId: userId }).where(eq(invitations.id, invitationId));
}
