import { and, eq, isNotNull, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { tenants, type UserRole, users } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import type { Caller } from '@/lib/policy';
import { parseInput } from '@/lib/validation';
import { burnVerification, hashPassword, verifyPassword } from './passwords';
import { emailSchema, passwordSchema, roleSchema, tenantSlugSchema } from './validation';

const toCaller = (u: { id: string; tenantId: string; role: UserRole }): Caller => ({
  userId: u.id,
  tenantId: u.tenantId,
  role: u.role,
});

const findUserByEmail = (db: Queryable, email: string) =>
  db
    .select()
    .from(users)
    .where(eq(sql`lower(${users.email})`, email.toLowerCase()))
    .limit(1)
    .then((rows) => rows[0]);

/** Inserts a user, or throws `email_taken`. The hash is made beforehand, outside any transaction. */
export async function insertUser(
  db: Queryable,
  values: { tenantId: string; email: string; passwordHash: string; role: UserRole },
) {
  try {
    const [row] = await db.insert(users).values(values).returning();
    return row as typeof users.$inferSelect;
  } catch (err) {
    if (isUniqueViolation(err, 'users_email_lower_uq')) {
      throw new AppError('email_taken', 'An account with this email already exists.');
    }
    throw err;
  }
}

const createUserInput = z.object({
  email: emailSchema,
  password: passwordSchema,
  tenant: tenantSlugSchema,
  role: roleSchema.default('member'),
});

/** Operator path (CLI, tests, seed): adds a user to a tenant, creating the tenant if it is new. */
export async function createUser(db: Db, input: z.input<typeof createUserInput>) {
  const { email, password, tenant: slug, role } = parseInput(createUserInput, input);
  const passwordHash = await hashPassword(password);
  return db.transaction(async (tx) => {
    await tx.insert(tenants).values({ slug, name: slug }).onConflictDoNothing({ target: tenants.slug });
    const [tenant] = await tx.select().from(tenants).where(eq(tenants.slug, slug));
    if (!tenant) throw new Error(`tenant ${slug} vanished`);
    const user = await insertUser(tx, { tenantId: tenant.id, email, passwordHash, role });
    return { tenant, user };
  });
}

/** A user whose password was just checked, and their session version for the new session. */
export interface VerifiedUser {
  caller: Caller;
  sessionVersion: number;
}

/** The user for a correct email and password of an enabled account, else null. */
export async function verifyCredentials(
  db: Db,
  email: string,
  password: string,
): Promise<VerifiedUser | null> {
  const user = await findUserByEmail(db, email.trim());
  if (!user) {
    await burnVerification(password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password)) || user.disabledAt) return null;
  return { caller: toCaller(user), sessionVersion: user.sessionVersion };
}

/**
 * Disables or enables a user (a compare-and-set: false when it already was). Disabling ends
 * their sessions for good: they do not come back when the user is enabled again. Their API tokens
 * stop working while they are disabled.
 */
export async function setUserDisabled(db: Queryable, userId: string, disabled: boolean): Promise<boolean> {
  const changed = await db
    .update(users)
    .set(
      disabled
        ? { disabledAt: sql`now()`, sessionVersion: sql`${users.sessionVersion} + 1` }
        : { disabledAt: null },
    )
    .where(and(eq(users.id, userId), disabled ? isNull(users.disabledAt) : isNotNull(users.disabledAt)))
    .returning({ id: users.id });
  return changed.length > 0;
}

export const findUserIdByEmail = async (db: Db, email: string) => (await findUserByEmail(db, email))?.id;
