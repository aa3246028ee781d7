import { and, eq, isNull, ne, type SQL, sql } from 'drizzle-orm';
import type { AttachmentConfig } from '@/lib/attachments/config';
import type { Queryable } from '@/lib/db';
import { attachments } from '@/lib/db/schema';

export interface Usage {
  chatDocuments: number;
  chatBytes: number;
  userBytes: number;
  tenantBytes: number;
}

/**
 * What a chat, its user and their tenant hold now, optionally leaving one attachment out, in one
 * pass over the tenant's attachments. Documents count whatever their status (as upstream); bytes
 * count everything that did not fail.
 */
export async function readUsage(
  q: Queryable,
  ids: { tenantId: string; chatId: string; userId: string },
  excludeId?: string,
): Promise<Usage> {
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
export function byteBreach(usage: Usage, extra: number, config: AttachmentConfig): LimitBreach | null {
  if (usage.chatBytes + extra > config.maxTotalBytesPerChat) return { code: 'storage_limit_exceeded' };
  if (usage.userBytes + extra > config.userQuotaBytes)
    return { code: 'storage_quota_exceeded', scope: 'user' };
  if (usage.tenantBytes + extra > config.tenantQuotaBytes)
    return { code: 'storage_quota_exceeded', scope: 'tenant' };
  return null;
}
