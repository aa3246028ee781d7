import { createHash, randomBytes } from 'node:crypto';
import { and, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Queryable } from '@/lib/db';
import { apiTokens, users } from '@/lib/db/schema';
import { AppError, notFound } from '@/lib/errors';
import { isUuid } from '@/lib/ids';
import { authorize, type Caller, type OwnerScope } from '@/lib/policy';
import { checkRate } from '@/lib/rate-limits/check';
import type { RateLimits } from '@/lib/rate-limits/config';
import { parseInput } from '@/lib/validation';

const TOKEN_PREFIX = 'mct_';

/**
 * Tokens carry 256 random bits, so a fast unsalted SHA-256 is enough to store them: there is no
 * small space to brute-force, and it lets us look a token up by its hash in one indexed query.
 */
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

const tokenNameSchema = z.object({
  name: z
    .string()
    .trim()
    .min(1, { message: 'Name the token.' })
    .max(100, { message: 'Token names can have at most 100 characters.' }),
});

export interface TokenSummary {
  id: string;
  name: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const toSummary = (t: typeof apiTokens.$inferSelect): TokenSummary => ({
  id: t.id,
  name: t.name,
  created_at: t.createdAt.toISOString(),
  last_used_at: t.lastUsedAt?.toISOString() ?? null,
  revoked_at: t.revokedAt?.toISOString() ?? null,
});

async function insertToken(q: Queryable, userId: string, name: string) {
  const token = TOKEN_PREFIX + randomBytes(32).toString('base64url');
  const [row] = await q
    .insert(apiTokens)
    .values({ userId, name, tokenHash: hashToken(token) })
    .returning();
  return { ...toSummary(row as typeof apiTokens.$inferSelect), token };
}

export interface TokenDeps {
  db: Db;
  rateLimits: Pick<RateLimits, 'tokens' | 'liveTokens'>;
}

/**
 * Creates a personal token for the caller, within the tokens a user may create an hour and hold
 * at once. The plaintext is in this result and nowhere else, ever.
 */
export async function createToken(deps: TokenDeps, caller: Caller | null, input: unknown) {
  const scope = authorize(caller, 'token.create');
  const { name } = parseInput(tokenNameSchema, input);
  return deps.db.transaction(async (tx) => {
    await checkRate(tx, scope, 'tokens', deps.rateLimits.tokens);
    const [live] = await tx
      .select({ count: sql<number>`count(*)::int` })
      .from(apiTokens)
      .where(and(eq(apiTokens.userId, scope.userId), isNull(apiTokens.revokedAt)));
    const max = deps.rateLimits.liveTokens;
    if ((live?.count ?? 0) >= max) {
      throw new AppError(
        'token_limit_exceeded',
        `You have ${max} API tokens, the most you may hold. Revoke one you no longer use to create another.`,
        { extensions: { limit: max } },
      );
    }
    return insertToken(tx, scope.userId, name);
  });
}

/** Operator path for the CLI, which has no caller and no limits. */
export const createTokenForUser = (db: Db, userId: string, name: string) =>
  insertToken(db, userId, parseInput(tokenNameSchema, { name }).name);

const ownToken = (scope: OwnerScope, id: string) =>
  and(eq(apiTokens.id, id), eq(apiTokens.userId, scope.userId));

export async function listTokens(db: Db, caller: Caller | null): Promise<TokenSummary[]> {
  const scope = authorize(caller, 'token.list');
  const rows = await db
    .select()
    .from(apiTokens)
    .where(eq(apiTokens.userId, scope.userId))
    .orderBy(desc(apiTokens.createdAt), desc(apiTokens.id));
  return rows.map(toSummary);
}

export async function revokeToken(db: Db, caller: Caller | null, id: string): Promise<void> {
  const scope = authorize(caller, 'token.revoke');
  if (!isUuid(id)) throw notFound('Token');
  const revoked = await db
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(ownToken(scope, id), isNull(apiTokens.revokedAt)))
    .returning({ id: apiTokens.id });
  if (revoked.length === 0) throw notFound('Token');
}

const LAST_USED_RESOLUTION_MS = 60_000;

/** The caller a bearer token stands for, or null when it is unknown, revoked, or its user disabled. */
export async function authenticateToken(db: Db, token: string): Promise<Caller | null> {
  if (!token.startsWith(TOKEN_PREFIX) || token.length > 200) return null;
  const tokenHash = hashToken(token);
  const [row] = await db
    .select({
      id: apiTokens.id,
      lastUsedAt: apiTokens.lastUsedAt,
      userId: users.id,
      tenantId: users.tenantId,
      role: users.role,
    })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(and(eq(apiTokens.tokenHash, tokenHash), isNull(apiTokens.revokedAt), isNull(users.disabledAt)));
  if (!row) return null;
  // At most one write a minute per token, and no statement at all on the requests in between.
  if (!row.lastUsedAt || Date.now() - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: sql`now()` })
      .where(
        and(
          eq(apiTokens.id, row.id),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`)),
        ),
      );
  }
  return { userId: row.userId, tenantId: row.tenantId, role: row.role };
}
