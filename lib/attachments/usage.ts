import { and, eq, isNull, ne, type SQL, sql } from 'drizzle-orm';
import type { AttachmentConfig } from '../config';
import type { Queryable } from '../db';
import { attachments } from '../db/schema';

/** Bytes that count against limits: every attachment that is not deleted and did not fail. */
const counted = (extra: SQL, excludeId?: string) =>
  and(
    extra,
    isNull(attachments.deletedAt),
    ne(attachments.status, 'failed'),
    excludeId ? ne(attachments.id, excludeId) : undefined,
  );

const sumBytes = async (q: Queryable, where: SQL | undefined) =>
  (
    await q
      .select({ n: sql<string>`coalesce(sum(${attachments.sizeBytes}), 0)` })
      .from(attachments)
      .where(where)
  )[0]?.n ?? '0';

export interface Usage {
  chatDocuments: number;
  chatBytes: number;
  userBytes: number;
  tenantBytes: number;
}

/** What a chat, its user and their tenant hold now, optionally leaving one attachment out. */
export async function readUsage(
  q: Queryable,
  ids: { tenantId: string; chatId: string; userId: string },
  excludeId?: string,
): Promise<Usage> {
  const [documents] = await q
    .select({ n: sql<number>`count(*)::int` })
    .from(attachments)
    .where(
      and(
        eq(attachments.chatId, ids.chatId),
        eq(attachments.kind, 'document'),
        isNull(attachments.deletedAt),
        excludeId ? ne(attachments.id, excludeId) : undefined,
      ),
    );
  const [chatBytes, userBytes, tenantBytes] = await Promise.all([
    sumBytes(q, counted(eq(attachments.chatId, ids.chatId), excludeId)),
    sumBytes(q, counted(eq(attachments.uploadedByUserId, ids.userId), excludeId)),
    sumBytes(q, counted(eq(attachments.tenantId, ids.tenantId), excludeId)),
  ]);
  return {
    chatDocuments: documents?.n ?? 0,
    chatBytes: Number(chatBytes),
    userBytes: Number(userBytes),
    tenantBytes: Number(tenantBytes),
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
