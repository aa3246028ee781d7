import { and, eq, gte, inArray, isNull, or, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit } from '@/lib/admin/audit';
import type { AttachmentConfig } from '@/lib/attachments/config';
import { reopenFailedCleanups } from '@/lib/cleanup/attachment-files';
import type { Db } from '@/lib/db';
import { attachmentDaily, attachments, attachmentUsage, outbox, users } from '@/lib/db/schema';
import { reviveDead } from '@/lib/outbox/store';
import { wakeWorker } from '@/lib/outbox/wake';
import { authorize, type Caller } from '@/lib/policy';
import { parseInput } from '@/lib/validation';
import { searchParamsObject } from './query-params';

/**
 * The admin's overview of their tenant: storage against the quota and per user, files by status
 * and kind, uploads per day, failures by code, and the cleanup backlog. Metadata only.
 */

export const OVERVIEW_DAYS = 30;

const overviewQuery = z
  .object({
    users_sort: z.enum(['bytes', 'files']).default('bytes'),
    users_limit: z.coerce.number().int().min(1).max(100).default(10),
  })
  .strict();

export interface Overview {
  storage: { used_bytes: number; quota_bytes: number; files: number };
  top_users: { user_id: string; email: string; files: number; bytes: number }[];
  by_status: Record<string, number>;
  by_kind: Record<string, { files: number; bytes: number }>;
  /** Oldest first, one entry for each of the last 30 days (UTC), zeros included. */
  daily: { day: string; uploads: number; bytes: number }[];
  failed_by_code: { error_code: string; count: number }[];
  backlog: {
    cleanup: { pending: number; failed: number };
    jobs: { pending: number; dead: number };
  };
}

const int = (value: unknown) => Number(value ?? 0);

export async function getOverview(
  deps: { db: Db; config: AttachmentConfig },
  caller: Caller | null,
  params: URLSearchParams,
): Promise<Overview> {
  const scope = authorize(caller, 'admin.overview');
  const { users_sort, users_limit } = parseInput(overviewQuery, searchParamsObject(params));
  const { db } = deps;
  // The rollups the attachments table's trigger keeps (migration 0011_admin_settings): a few thousand rows.
  const grouped = await db
    .select({
      user: attachmentUsage.userId,
      status: attachmentUsage.status,
      kind: attachmentUsage.kind,
      files: attachmentUsage.files,
      bytes: attachmentUsage.bytes,
    })
    .from(attachmentUsage)
    .where(and(eq(attachmentUsage.tenantId, scope.tenantId), sql`${attachmentUsage.files} <> 0`));
  const usage = new Map<string, { files: number; bytes: number }>();
  for (const row of grouped) {
    const sum = usage.get(row.user) ?? { files: 0, bytes: 0 };
    usage.set(row.user, { files: sum.files + row.files, bytes: sum.bytes + row.bytes });
  }
  const perUser = [...usage].map(([user, sum]) => ({ user, ...sum }));
  const sortKey = (row: (typeof perUser)[number]) => (users_sort === 'files' ? row.files : row.bytes);
  const top = perUser.sort((a, b) => sortKey(b) - sortKey(a)).slice(0, users_limit);
  const emails = top.length
    ? await db
        .select({ id: users.id, email: users.email })
        .from(users)
        .where(
          inArray(
            users.id,
            top.map((row) => row.user),
          ),
        )
    : [];
  const emailOf = new Map(emails.map((u) => [u.id, u.email]));

  const by_status: Record<string, number> = { pending: 0, uploaded: 0, ready: 0, failed: 0 };
  const by_kind: Record<string, { files: number; bytes: number }> = {
    document: { files: 0, bytes: 0 },
    image: { files: 0, bytes: 0 },
  };
  for (const row of grouped) {
    by_status[row.status] = (by_status[row.status] ?? 0) + row.files;
    const kind = by_kind[row.kind] ?? { files: 0, bytes: 0 };
    by_kind[row.kind] = { files: kind.files + row.files, bytes: kind.bytes + int(row.bytes) };
  }

  return {
    storage: {
      used_bytes: perUser.reduce((sum, row) => sum + row.bytes, 0),
      quota_bytes: deps.config.tenantQuotaBytes,
      files: perUser.reduce((sum, row) => sum + row.files, 0),
    },
    top_users: top.map((row) => ({
      user_id: row.user,
      email: emailOf.get(row.user) ?? '',
      files: row.files,
      bytes: row.bytes,
    })),
    by_status,
    by_kind,
    ...(await recentActivity(db, scope.tenantId)),
    backlog: await tenantBacklog(db, scope.tenantId),
  };
}

/** Uploads per day and failures per code over the last 30 days, deleted files included (they were uploaded). */
async function recentActivity(db: Db, tenantId: string) {
  const today = new Date();
  const dayOf = (offset: number) =>
    new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate() - offset))
      .toISOString()
      .slice(0, 10);
  const rows = await db
    .select()
    .from(attachmentDaily)
    .where(and(eq(attachmentDaily.tenantId, tenantId), gte(attachmentDaily.day, dayOf(OVERVIEW_DAYS - 1))));
  const daily = Array.from({ length: OVERVIEW_DAYS }, (_, i) => {
    const day = dayOf(OVERVIEW_DAYS - 1 - i);
    const ofDay = rows.filter((row) => row.day === day);
    return {
      day,
      uploads: ofDay.reduce((sum, row) => sum + row.uploads, 0),
      bytes: ofDay.reduce((sum, row) => sum + row.bytes, 0),
    };
  });
  const failed = new Map<string, number>();
  for (const row of rows)
    if (row.errorCode && row.failed > 0)
      failed.set(row.errorCode, (failed.get(row.errorCode) ?? 0) + row.failed);
  const failed_by_code = [...failed]
    .map(([error_code, count]) => ({ error_code, count }))
    .sort((a, b) => b.count - a.count);
  return { daily, failed_by_code };
}

/** This tenant's files waiting for (or given up on) cleanup, and its jobs waiting or dead. */
async function tenantBacklog(db: Db, tenantId: string): Promise<Overview['backlog']> {
  const [files] = await db
    .select({
      pending: sql<number>`(count(*) filter (where ${attachments.cleanupStatus} = 'pending'))::int`,
      failed: sql<number>`(count(*) filter (where ${attachments.cleanupStatus} = 'failed'))::int`,
    })
    .from(attachments)
    .where(
      and(eq(attachments.tenantId, tenantId), inArray(attachments.cleanupStatus, ['pending', 'failed'])),
    );
  const [jobs] = await db
    .select({
      pending: sql<number>`(count(*) filter (where ${outbox.deadAt} is null))::int`,
      dead: sql<number>`(count(*) filter (where ${outbox.deadAt} is not null))::int`,
    })
    .from(outbox)
    .where(and(isNull(outbox.completedAt), sql`${outbox.payload}->>'tenant_id' = ${tenantId}`));
  return {
    cleanup: { pending: int(files?.pending), failed: int(files?.failed) },
    jobs: { pending: int(jobs?.pending), dead: int(jobs?.dead) },
  };
}

/**
 * The admin's retry of their tenant's dead jobs: each is due again with fresh attempts, and the
 * file cleanups it had given up on are pending again. Audited; other tenants' jobs are untouched.
 */
export async function retryDeadJobs(
  db: Db,
  caller: Caller | null,
  requestId: string | null,
): Promise<{ retried: number }> {
  const scope = authorize(caller, 'admin.job.retry');
  const retried = await db.transaction(async (tx) => {
    const revived = await reviveDead(tx, scope.tenantId);
    const payloads = revived.map((job) => job.payload as { attachment_id?: string; chat_id: string });
    const files = payloads.flatMap((p) => (p.attachment_id ? [p.attachment_id] : []));
    const chatIds = payloads.filter((p) => !p.attachment_id).map((p) => p.chat_id);
    const which: SQL[] = [];
    if (files.length) which.push(inArray(attachments.id, files));
    if (chatIds.length) which.push(inArray(attachments.chatId, chatIds));
    if (which.length) {
      await reopenFailedCleanups(tx, and(eq(attachments.tenantId, scope.tenantId), or(...which)) as SQL);
    }
    if (revived.length > 0) {
      await recordAudit(tx, {
        tenantId: scope.tenantId,
        actorId: caller?.userId ?? null,
        action: 'jobs.retry',
        targetType: 'outbox',
        targetId: null,
        requestId,
        details: { jobs: revived.length, kinds: [...new Set(revived.map((job) => job.kind))] },
      });
    }
    return revived.length;
  });
  if (retried > 0) wakeWorker();
  return { retried };
}
