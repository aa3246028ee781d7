import { and, desc, eq, type SQL, sql } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Queryable } from '@/lib/db';
import { apiTokens, chats, chatTurns, users } from '@/lib/db/schema';
import { AppError, notFound } from '@/lib/errors';
import type { OwnerScope } from '@/lib/policy';
import type { RateRule } from './config';

interface Counted {
  /** What the user did that many times, for the refusal's sentence. */
  did: (n: number) => string;
  table: PgTable;
  /** When each was created, by the database's clock. */
  at: PgColumn;
  owner: (scope: OwnerScope) => SQL | undefined;
}

/** The user's own rows of each kind: no table of counters, the rows themselves are counted. */
const counted = {
  chats: {
    did: (n) => `created ${n} chats`,
    table: chats,
    at: chats.createdAt,
    owner: (s) => and(eq(chats.tenantId, s.tenantId), eq(chats.userId, s.userId)),
  },
  // A turn is one answer asked for: a message sent, or a retry.
  messages: {
    did: (n) => `sent ${n} messages`,
    table: chatTurns,
    at: chatTurns.startedAt,
    owner: (s) => and(eq(chatTurns.tenantId, s.tenantId), eq(chatTurns.userId, s.userId)),
  },
  tokens: {
    did: (n) => `created ${n} API tokens`,
    table: apiTokens,
    at: apiTokens.createdAt,
    owner: (s) => eq(apiTokens.userId, s.userId),
  },
} satisfies Record<string, Counted>;

export type CountedKind = keyof typeof counted;

const WINDOW_SECONDS = { minute: 60, hour: 3600 } as const;

/**
 * Refuses one more `kind` with 429 `rate_limit_exceeded` when the user has already created
 * `rule.limit` of them within the window, with Retry-After: when the oldest of those leaves it.
 * Call it in the creating transaction, before the insert: it locks the user's row first, so the
 * creations of one user are counted one after the other, in every process, and N sent at once
 * cannot slip past the limit together. Lock order: after the chat's lock, before the tenant's (as
 * lib/attachments/usage.ts). Deleted chats and revoked tokens still count: deleting buys nothing.
 */
export async function checkRate(
  tx: Queryable,
  scope: OwnerScope,
  kind: CountedKind,
  rule: RateRule,
): Promise<void> {
  await lockUser(tx, scope);
  const { did, table, at, owner } = counted[kind] as Counted;
  // The statement's time, not the transaction's: a creation that held the lock before us may have
  // started after our transaction did, and its row must not look newer than our "now".
  const windowStart = sql`statement_timestamp() - make_interval(secs => ${WINDOW_SECONDS[rule.per]}::float8)`;
  // The limit-th newest in the window: while it is in there, the window is full.
  const [full] = await tx
    .select({
      retryAfter: sql<number>`greatest(1, ceil(extract(epoch from ${at} - (${windowStart}))))::int`,
    })
    .from(table)
    .where(and(owner(scope), sql`${at} > ${windowStart}`))
    .orderBy(desc(at))
    .limit(1)
    .offset(rule.limit - 1);
  if (!full) return;
  const seconds = full.retryAfter;
  throw new AppError(
    'rate_limit_exceeded',
    `You have ${did(rule.limit)} in the last ${rule.per}, the most allowed. ` +
      `Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`,
    {
      extensions: { retry_after_seconds: seconds, limit: rule.limit },
      headers: { 'retry-after': String(seconds) },
    },
  );
}

/** FOR NO KEY UPDATE: the inserts that reference the user still take their key share. */
async function lockUser(tx: Queryable, scope: OwnerScope): Promise<void> {
  const [user] = await tx
    .select({ id: users.id })
    .from(users)
    .where(and(eq(users.id, scope.userId), eq(users.tenantId, scope.tenantId)))
    .for('no key update');
  if (!user) throw notFound('User');
}
