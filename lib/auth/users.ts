import { and, eq, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '@/lib/db';
import { isUniqueViolation } from '@/lib/db/errors';
import { tenants, type UserRole, users } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import type { Caller } from '@/lib/policy';
import { parseInput } from '@/lib/validation';
import { burnVerification, hashPassword, verifyPassword } from './passwords';
import {
  emailSchema,
  organisationNameSchema,
  passwordSchema,
  roleSchema,
  tenantSlugSchema,
} from './validation';

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

async function insertUser(
  db: Queryable,
  values: { tenantId: string; email: string; password: string; role: UserRole },
) {
  const passwordHash = await hashPassword(values.password);
  try {
    const [row] = await db
      .insert(users)
      .values({ tenantId: values.tenantId, email: values.email, passwordHash, role: values.role })
      .returning();
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
  return db.transaction(async (tx) => {
    await tx.insert(tenants).values({ slug, name: slug }).onConflictDoNothing({ target: tenants.slug });
    const [tenant] = await tx.select().from(tenants).where(eq(tenants.slug, slug));
    if (!tenant) throw new Error(`tenant ${slug} vanished`);
    const user = await insertUser(tx, { tenantId: tenant.id, email, password, role });
    return { tenant, user };
  });
}

const signUpInput = z.object({
  organisation: organisationNameSchema,
  email: emailSchema,
  password: passwordSchema,
});

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

/** Self-service sign-up: a new tenant with the new user as its admin. */
export async function signUp(db: Db, input: z.input<typeof signUpInput>) {
  const { organisation, email, password } = parseInput(signUpInput, input);
  if (await findUserByEmail(db, email)) {
    throw new AppError('email_taken', 'An account with this email already exists.');
  }
  const base = slugify(organisation);
  return db.transaction(async (tx) => {
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
    const user = await insertUser(tx, { tenantId: tenant.id, email, password, role: 'admin' });
    return { tenant, user };
  });
}

/** Sign-in: the caller for a correct email and password of an enabled user, else null. */
export async function verifyCredentials(db: Db, email: unknown, password: unknown): Promise<Caller | null> {
  if (typeof email !== 'string' || typeof password !== 'string' || !password) return null;
  const user = await findUserByEmail(db, email.trim());
  if (!user) {
    await burnVerification(password);
    return null;
  }
  if (!(await verifyPassword(user.passwordHash, password))) return null;
  return user.disabledAt ? null : toCaller(user);
}

/**
 * Sessions are JWTs that outlive a change of role or a disabled account, so every request
 * re-reads the user: a disabled user is signed out at their next request.
 */
export async function loadActiveCaller(db: Db, userId: string): Promise<Caller | null> {
  const [user] = await db
    .select({ id: users.id, tenantId: users.tenantId, role: users.role })
    .from(users)
    .where(and(eq(users.id, userId), isNull(users.disabledAt)));
  return user ? toCaller(user) : null;
}

export const findUserIdByEmail = async (db: Db, email: string) => (await findUserByEmail(db, email))?.id;
