import { z } from 'zod';
import { recordAudit } from '@/lib/admin/audit';
import type { Db } from '@/lib/db';
import { tenants } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import type { AuthConfig, SignUpMode } from './config';
import {
  consumeInvitation,
  findLiveInvitation,
  invalidInvitation,
  markInvitationUsedBy,
} from './invitations';
import { hashPassword } from './passwords';
import { takeAttempt, throttleKeys } from './throttle';
import { insertUser } from './users';
import { emailSchema, organisationNameSchema, passwordSchema } from './validation';

const signUpInput = z.object({
  organisation: organisationNameSchema,
  email: emailSchema,
  password: passwordSchema,
});

/** Joining an organisation by an administrator's link: its tenant and role come from the invitation. */
const invitedSignUpInput = z.object({
  invite: z.string().max(200),
  email: emailSchema,
  password: passwordSchema,
});

/**
 * Why sign-up is not offered in this mode, in a sentence for the person who tried; null when it
 * is. An invitation opens invite-only sign-up, never a closed one.
 */
export function signUpClosedReason(mode: SignUpMode, invited = false): string | null {
  if (mode === 'open' || (mode === 'invite-only' && invited)) return null;
  return mode === 'invite-only'
    ? 'Sign-up needs an invitation. Ask an administrator of your organisation to invite you.'
    : 'Sign-up is closed. Ask an administrator of your organisation for an account.';
}

function slugify(name: string): string {
  const base = name
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  return base || 'org';
}

/**
 * Self-service sign-up: a new tenant with the new user as its admin, unless the email already has
 * an account. It answers nothing either way, and costs the same (the password is hashed, the
 * tenant written and rolled back), so a sign-up does not tell anyone which emails have accounts:
 * the new user finds out by signing in. Throttled per client address, since each sign-up makes a
 * tenant with a full quota.
 */
export async function signUp(
  db: Db,
  config: AuthConfig['signUp'],
  input: z.input<typeof signUpInput> | z.input<typeof invitedSignUpInput>,
  context: { clientAddress: string; now?: Date },
): Promise<void> {
  const invited = 'invite' in input;
  const closed = signUpClosedReason(config.mode, invited);
  if (closed) throw new AppError('signup_closed', closed);
  if (invited) return invitedSignUp(db, config, parseInput(invitedSignUpInput, input), context);
  const { organisation, email, password } = parseInput(signUpInput, input);
  await takeAttempt(
    db,
    throttleKeys.signUpAddress(context.clientAddress),
    config.address,
    context.now ?? new Date(),
  );
  const passwordHash = await hashPassword(password);
  const base = slugify(organisation);
  try {
    await db.transaction(async (tx) => {
      // Names are not unique, slugs are: a taken slug gets a short random suffix.
      let tenant: typeof tenants.$inferSelect | undefined;
      for (let attempt = 0; !tenant; attempt++) {
        const slug = attempt === 0 ? base : `${base}-${Math.random().toString(36).slice(2, 8)}`;
        [tenant] = await tx
          .insert(tenants)
          .values({ slug, name: organisation })
          .onConflictDoNothing({ target: tenants.slug })
          .returning();
        if (attempt > 5 && !tenant) throw new Error('could not find a free tenant slug');
      }
      await insertUser(tx, { tenantId: tenant.id, email, passwordHash, role: 'admin' });
    });
  } catch (err) {
    // The transaction rolled the tenant back; the answer stays the same.
    if (!(err instanceof AppError && err.code === 'email_taken')) throw err;
  }
}

/**
 * Sign-up by invitation: the user joins the inviting tenant with the invitation's role, and the
 * link is used up in the same transaction. An email that already has an account rolls it all
 * back (the link stays usable) and answers like a success, as above.
 */
async function invitedSignUp(
  db: Db,
  config: AuthConfig['signUp'],
  input: z.output<typeof invitedSignUpInput>,
  context: { clientAddress: string; now?: Date },
): Promise<void> {
  await takeAttempt(
    db,
    throttleKeys.signUpAddress(context.clientAddress),
    config.address,
    context.now ?? new Date(),
  );
  if (!(await findLiveInvitation(db, input.invite))) throw invalidInvitation();
  const passwordHash = await hashPassword(input.password);
  try {
    await db.transaction(async (tx) => {
      const invitation = await consumeInvitation(tx, input.invite);
      const user = await insertUser(tx, {
        tenantId: invitation.tenantId,
        email: input.email,
        passwordHash,
        role: invitation.role,
      });
      await markInvitationUsedBy(tx, invitation.id, user.id);
      await recordAudit(tx, {
        tenantId: invitation.tenantId,
        actorId: user.id,
        action: 'invitation.accept',
        targetType: 'invitation',
        targetId: invitation.id,
        requestId: null,
        details: { role: invitation.role },
      });
    });
  } catch (err) {
    if (!(err instanceof AppError && err.code === 'email_taken')) throw err;
  }
}
