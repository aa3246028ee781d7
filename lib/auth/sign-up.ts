import { z } from 'zod';
import type { Db } from '@/lib/db';
import { tenants } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { parseInput } from '@/lib/validation';
import type { AuthConfig, SignUpMode } from './config';
import { hashPassword } from './passwords';
import { takeAttempt, throttleKeys } from './throttle';
import { insertUser } from './users';
import { emailSchema, organisationNameSchema, passwordSchema } from './validation';

const signUpInput = z.object({
  organisation: organisationNameSchema,
  email: emailSchema,
  password: passwordSchema,
});

/** Why sign-up is not offered in this mode, in a sentence for the person who tried; null when it is. */
export function signUpClosedReason(mode: SignUpMode): string | null {
  if (mode === 'open') return null;
  // There are no invitations to accept yet, so invite-only turns everyone away for now.
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
  input: z.input<typeof signUpInput>,
  context: { clientAddress: string; now?: Date },
): Promise<void> {
  const closed = signUpClosedReason(config.mode);
  if (closed) throw new AppError('signup_closed', closed);
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
