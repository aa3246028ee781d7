import { and, desc, eq, gte, lte, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db';
import { auditLog, users } from '@/lib/db/schema';
import { authorize, type Caller, type TenantScope } from '@/lib/policy';
import { afterCursor, allPages, decodeAdminCursor, EXPORT_PAGE_SIZE, encodeAdminCursor } from './keyset';
import { endInstantParam, instantParam, parseListQuery } from './query-params';

export interface AuditEntryView {
  id: string;
  created_at: string;
  /** Null for the system, or an actor since removed. */
  actor: { id: string; email: string } | null;
  action: string;
  target_type: string;
  target_id: string | null;
  request_id: string | null;
  before: unknown;
  after: unknown;
  details: Record<string, unknown> | null;
}

const filterSchema = z
  .object({
    actor: z.uuid().optional(),
    action: z.string().max(64).optional(),
    from: instantParam.optional(),
    to: endInstantParam.optional(),
  })
  .strict();

type AuditQuery = z.output<typeof filterSchema>;

const SORT = 'audit.created.desc';

/** Newest first, by keyset on (created_at, id); the filters ride the tenant-leading indexes. */
async function auditPage(
  db: Db,
  scope: TenantScope,
  q: AuditQuery,
  limit: number,
  cursor: string | undefined,
) {
  const after = cursor ? decodeAdminCursor(cursor, SORT) : null;
  const rows = await db
    .select({ entry: auditLog, actorEmail: users.email })
    .from(auditLog)
    .leftJoin(users, eq(users.id, auditLog.actorId))
    .where(
      and(
        eq(auditLog.tenantId, scope.tenantId),
        q.actor ? eq(auditLog.actorId, q.actor) : undefined,
        q.action ? eq(auditLog.action, q.action) : undefined,
        q.from ? gte(auditLog.createdAt, q.from) : undefined,
        q.to ? lte(auditLog.createdAt, q.to) : undefined,
        after ? afterCursor(auditLog.createdAt, auditLog.id, after, true) : undefined,
      ) as SQL,
    )
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1)?.entry;
  return {
    items: page.map(
      ({ entry: e, actorEmail }): AuditEntryView => ({
        id: e.id,
        created_at: e.createdAt.toISOString(),
        actor: e.actorId ? { id: e.actorId, email: actorEmail ?? '' } : null,
        action: e.action,
        target_type: e.targetType,
        target_id: e.targetId,
        request_id: e.requestId,
        before: e.before,
        after: e.after,
        details: e.details,
      }),
    ),
    next_cursor:
      rows.length > limit && last
        ? encodeAdminCursor({ sort: SORT, value: last.createdAt, id: last.id })
        : null,
  };
}

export async function listAudit(db: Db, caller: Caller | null, params: URLSearchParams) {
  const scope = authorize(caller, 'admin.audit.list');
  const { query, limit, cursor } = parseListQuery(filterSchema, params);
  return auditPage(db, scope, query, limit, cursor);
}

/** Every entry the filters match, a page at a time, for the CSV export. */
export function exportAudit(db: Db, caller: Caller | null, params: URLSearchParams) {
  const scope = authorize(caller, 'admin.audit.list');
  const { query } = parseListQuery(filterSchema, params);
  return allPages((cursor) => auditPage(db, scope, query, EXPORT_PAGE_SIZE, cursor));
}

export const AUDIT_CSV_HEADER = [
  'id',
  'created_at',
  'actor_id',
  'actor_email',
  'action',
  'target_type',
  'target_id',
  'request_id',
  'before',
  'after',
  'details',
] as const;

const jsonCell = (value: unknown) => (value === null || value === undefined ? null : JSON.stringify(value));

export const auditCsvCells = (e: AuditEntryView) => [
  e.id,
  e.created_at,
  e.actor?.id,
  e.actor?.email,
  e.action,
  e.target_type,
  e.target_id,
  e.request_id,
  jsonCell(e.before),
  jsonCell(e.after),
  jsonCell(e.details),
];
