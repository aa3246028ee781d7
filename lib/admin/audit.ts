import type { Queryable } from '@/lib/db';
import { auditLog } from '@/lib/db/schema';
import type { Caller, TenantScope } from '@/lib/policy';

/**
 * One thing an administrator did, or a deletion its owner did not make. `before`/`after` carry
 * settings' values; never file content, passwords, tokens or invitation links.
 */
export interface AuditEntry {
  tenantId: string;
  /** Null for the system itself (e.g. a retention sweep). */
  actorId: string | null;
  /** `<target>.<verb>`, e.g. 'attachment.force_delete', 'settings.update'. */
  action: string;
  targetType: string;
  targetId: string | null;
  /** The request that did it (the `x-request-id` of its response), null for background work. */
  requestId: string | null;
  before?: unknown;
  after?: unknown;
  details?: Record<string, unknown>;
}

const toRow = (entry: AuditEntry) => ({
  tenantId: entry.tenantId,
  actorId: entry.actorId,
  action: entry.action,
  targetType: entry.targetType,
  targetId: entry.targetId,
  requestId: entry.requestId,
  before: entry.before ?? null,
  after: entry.after ?? null,
  details: entry.details ?? null,
});

/**
 * Appends an entry. Pass the transaction of the change it records, so that the change and its
 * entry commit (or roll back) together. There is deliberately no update or delete here.
 */
export async function recordAudit(db: Queryable, entry: AuditEntry): Promise<void> {
  await db.insert(auditLog).values(toRow(entry));
}

// Well under Postgres' 65,535 bind parameters per statement (9 per entry).
const AUDIT_BATCH = 1000;

/** Appends many entries (a bulk delete's, one per file) in a few statements. */
export async function recordAudits(db: Queryable, entries: readonly AuditEntry[]): Promise<void> {
  for (let i = 0; i < entries.length; i += AUDIT_BATCH) {
    await db.insert(auditLog).values(entries.slice(i, i + AUDIT_BATCH).map(toRow));
  }
}

/** Who acted and from which request: what every entry of one admin request shares. */
export type AuditActor = Pick<AuditEntry, 'tenantId' | 'actorId' | 'requestId'>;

export const auditActor = (
  scope: TenantScope,
  caller: Caller | null,
  requestId: string | null,
): AuditActor => ({
  tenantId: scope.tenantId,
  actorId: caller?.userId ?? null,
  requestId,
});
