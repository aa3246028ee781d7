import { and, eq, isNull, ne, type SQL, sql } from 'drizzle-orm';
import type { UploadLimitValues } from '@/lib/attachments/tenant-limits';
import type { Queryable } from '@/lib/db';
import { attachments, chats, tenants, users } from '@/lib/db/schema';
import { notFound } from '@/lib/errors';

/** Whose usage: a chat, the user uploading to it, and their tenant. */
export interface UsageIds {
  tenantId: string;
  chatId: string;
  userId: string;
}

/**
 * Locks what an upload's limits are counted over, always in the same order (chat, user, tenant)
 * so that concurrent uploads queue instead of deadlocking. The chat lock serializes uploads to a
 * chat; the user and tenant locks make the quotas race-free across chats. FOR NO KEY UPDATE, not
 * FOR UPDATE: inserts that reference these rows take FOR KEY SHARE for their foreign keys, which
 * FOR UPDATE would block, closing a deadlock cycle with an upload holding the next lock.
 */
export async function lockForUpload(tx: Queryable, ids: UsageIds) {
  // One statement: Postgres locks each result row's rows in range-table order (chats, users,
  // tenants), so every upload takes the three locks in the same order.
  const [chat] = await tx
    .select({ id: chats.id, deletedAt: chats.deletedAt })
    .from(chats)
    .innerJoin(users, eq(users.id, ids.userId))
    .innerJoin(tenants, eq(tenants.id, ids.tenantId))
    .where(and(eq(chats.id, ids.chatId), eq(chats.tenantId, ids.tenantId)))
    .for('no key update');
  if (!chat || chat.deletedAt) throw notFound('Chat');
}

export interface Usage {
  chatDocuments: number;
  chatBytes: number;
  userBytes: number;
  tenantBytes: number;
}

/**
 * What a chat, its user and their tenant hold now, optionally leaving one attachment out, in one
 * pass over the tenant's attachments. Documents count whatever their status (a failed one stays
 * in the chat's list until it is deleted); bytes count everything that did not fail.
 */
export async function readUsage(q: Queryable, ids: UsageIds, excludeId?: string): Promise<Usage> {
  const inChat = sql`${attachments.chatId} = ${ids.chatId}`;
  const counted = sql`${attachments.status} <> 'failed'`;
  const bytes = (where: SQL) =>
    sql<string>`coalesce(sum(${attachments.sizeBytes}) filter (where ${where}), 0)`;
  const [row] = await q
    .select({
      chatDocuments: sql<number>`(count(*) filter (where ${inChat} and ${attachments.kind} = 'document'))::int`,
      chatBytes: bytes(sql`${inChat} and ${counted}`),
      userBytes: bytes(sql`${attachments.uploadedByUserId} = ${ids.userId} and ${counted}`),
      tenantBytes: bytes(counted),
    })
    .from(attachments)
    .where(
      and(
        eq(attachments.tenantId, ids.tenantId),
        isNull(attachments.deletedAt),
        excludeId ? ne(attachments.id, excludeId) : undefined,
      ),
    );
  return {
    chatDocuments: row?.chatDocuments ?? 0,
    chatBytes: Number(row?.chatBytes ?? 0),
    userBytes: Number(row?.userBytes ?? 0),
    tenantBytes: Number(row?.tenantBytes ?? 0),
  };
}

export type LimitBreach =
  | { code: 'storage_limit_exceeded' }
  | { code: 'storage_quota_exceeded'; scope: 'user' | 'tenant' };

/** The first byte limit that `extra` more bytes would break, or null. */
export function byteBreach(
  usage: Usage,
  extra: number,
  limits: Pick<UploadLimitValues, 'maxTotalBytesPerChat' | 'userQuotaBytes' | 'tenantQuotaBytes'>,
): LimitBreach | null {
  if (usage.chatBytes + extra > limits.maxTotalBytesPerChat) return { code: 'storage_limit_exceeded' };
  if (usage.userBytes + extra > limits.userQuotaBytes)
    return { code: 'storage_quota_exceeded', scope: 'user' };
  if (usage.tenantBytes + extra > limits.tenantQuotaBytes)
    return { code: 'storage_quota_exceeded', scope: 'tenant' };
  return null;
}
