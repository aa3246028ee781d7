import { and, eq, inArray, isNull, lt, ne, or, type SQL, sql } from 'drizzle-orm';
import { recordAudit } from '@/lib/admin/audit';
import { deleteAttachments } from '@/lib/attachments/service';
import type { Db, Queryable } from '@/lib/db';
import { attachments, tenantSettings } from '@/lib/db/schema';
import { errorFields, log } from '@/lib/log';
import { wakeWorker } from '@/lib/outbox/wake';

/**
 * Retention: a tenant's uploads are deleted `days` after their last use in a sent message (or
 * after their upload, when never sent), optionally sparing the files sent messages hold. The dry
 * run and the sweep share one definition of what is due, and the sweep deletes through the one
 * delete path (`deleteAttachments`), so a file leaves its vector store and the provider through
 * the outbox like any other deleted file.
 */
export interface RetentionPolicy {
  days: number;
  exemptLocked: boolean;
}

const DAY_MS = 24 * 60 * 60_000;

/** The day a file's retention counts from: its last send, else its upload (an index expression). */
const lastUse = sql`coalesce(${attachments.lastSentAt}, ${attachments.createdAt})`;

/**
 * The tenant's live files the policy would delete at `now`. An upload still `pending` is in
 * flight (or the reaper's) and is left alone. Every condition is on the attachment row itself, so
 * that an UPDATE re-checks it on a row a concurrent send has just changed.
 */
export function dueForRetention(tenantId: string, policy: RetentionPolicy, now: Date): SQL {
  const cutoff = new Date(now.getTime() - policy.days * DAY_MS);
  return and(
    eq(attachments.tenantId, tenantId),
    isNull(attachments.deletedAt),
    ne(attachments.status, 'pending'),
    lt(lastUse, sql`${cutoff.toISOString()}::timestamptz`),
    policy.exemptLocked ? isNull(attachments.lockedAt) : undefined,
  ) as SQL;
}

/** How many files and bytes the policy would delete now. */
export async function measureRetention(q: Queryable, tenantId: string, policy: RetentionPolicy, now: Date) {
  const [row] = await q
    .select({
      files: sql<number>`count(*)::int`,
      bytes: sql<string>`coalesce(sum(${attachments.sizeBytes}), 0)`,
    })
    .from(attachments)
    .where(dueForRetention(tenantId, policy, now));
  return { files: Number(row?.files ?? 0), bytes: Number(row?.bytes ?? 0) };
}

export interface SweepOptions {
  now: Date;
  /** Files deleted per transaction. */
  batchSize: number;
  /** Batches per tenant per sweep; a tenant with more left is picked up again by the next pass. */
  maxBatches: number;
}

export interface SweepReport {
  tenants: number;
  deleted: number;
  bytes: number;
}

/**
 * Runs each tenant's policy once a day. A tenant is claimed by moving its `retention_swept_at`
 * forward (a compare-and-set, so concurrent workers never sweep one tenant twice); its due files
 * are deleted in bounded batches, each its own transaction; one audit entry records the sweep
 * with its counts. A tenant whose backlog outlasts `maxBatches` is released to the next pass.
 */
export async function sweepRetention(db: Db, options: SweepOptions): Promise<SweepReport> {
  const report: SweepReport = { tenants: 0, deleted: 0, bytes: 0 };
  for (const tenant of await claimDueTenants(db, options.now)) {
    const policy: RetentionPolicy = { days: tenant.days, exemptLocked: tenant.exemptLocked };
    try {
      const swept = await sweepTenant(db, tenant.tenantId, policy, options);
      report.tenants += 1;
      report.deleted += swept.deleted;
      report.bytes += swept.bytes;
    } catch (err) {
      // Released, so the next pass tries again rather than tomorrow.
      await release(db, tenant.tenantId);
      log.error({ err: errorFields(err), tenant_id: tenant.tenantId }, 'retention sweep failed');
    }
  }
  if (report.deleted > 0) wakeWorker();
  return report;
}

async function claimDueTenants(db: Db, now: Date) {
  const at = sql`${now.toISOString()}::timestamptz`;
  const dayBefore = sql`${new Date(now.getTime() - DAY_MS).toISOString()}::timestamptz`;
  return db
    .update(tenantSettings)
    .set({ retentionSweptAt: at })
    .where(
      and(
        sql`${tenantSettings.retentionDays} is not null`,
        or(isNull(tenantSettings.retentionSweptAt), lt(tenantSettings.retentionSweptAt, dayBefore)),
      ),
    )
    .returning({
      tenantId: tenantSettings.tenantId,
      days: sql<number>`${tenantSettings.retentionDays}`,
      exemptLocked: tenantSettings.retentionExemptLocked,
    });
}

const release = (db: Db, tenantId: string) =>
  db.update(tenantSettings).set({ retentionSweptAt: null }).where(eq(tenantSettings.tenantId, tenantId));

async function sweepTenant(db: Db, tenantId: string, policy: RetentionPolicy, options: SweepOptions) {
  let deleted = 0;
  let bytes = 0;
  let complete = false;
  for (let batch = 0; batch < options.maxBatches && !complete; batch++) {
    const rows = await db.transaction((tx) => {
      const due = dueForRetention(tenantId, policy, options.now);
      const ids = tx.select({ id: attachments.id }).from(attachments).where(due).limit(options.batchSize);
      // The conditions again on the row being deleted: a send since the batch was picked saves it.
      return deleteAttachments(tx, and(inArray(attachments.id, ids), due) as SQL, {
        byAdmin: !policy.exemptLocked,
      });
    });
    deleted += rows.length;
    bytes += rows.reduce((sum, row) => sum + row.sizeBytes, 0);
    complete = rows.length < options.batchSize;
  }
  if (!complete) await release(db, tenantId);
  await recordAudit(db, {
    tenantId,
    actorId: null,
    action: 'retention.sweep',
    targetType: 'tenant',
    targetId: tenantId,
    requestId: null,
    details: { deleted, bytes, days: policy.days, exempt_locked: policy.exemptLocked, complete },
  });
  return { deleted, bytes };
}
