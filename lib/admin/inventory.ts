import { and, asc, desc, eq, gte, ilike, isNotNull, isNull, lte, type SQL, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '@/lib/db';
import { attachmentKinds, attachmentStatuses, attachments, messageAttachments, users } from '@/lib/db/schema';
import { authorize, type Caller, type TenantScope } from '@/lib/policy';
import { afterCursor, allPages, decodeAdminCursor, EXPORT_PAGE_SIZE, encodeAdminCursor } from './keyset';
import { containsPattern, endInstantParam, instantParam, orderParam, parseListQuery } from './query-params';

/** An attachment as an administrator sees it: metadata only, never content, thumbnail or chat title. */
export interface InventoryItem {
  id: string;
  filename: string;
  kind: (typeof attachmentKinds)[number];
  content_type: string;
  size_bytes: number;
  status: (typeof attachmentStatuses)[number];
  error_code: string | null;
  uploader: { id: string; email: string };
  chat_id: string;
  created_at: string;
  /** When a message last carried it; null if never sent. */
  last_sent_at: string | null;
  locked: boolean;
}

export interface InventoryPage {
  items: InventoryItem[];
  next_cursor: string | null;
}

const filterSchema = z
  .object({
    status: z.enum(attachmentStatuses).optional(),
    kind: z.enum(attachmentKinds).optional(),
    content_type: z.string().max(128).optional(),
    uploader: z.uuid().optional(),
    from: instantParam.optional(),
    to: endInstantParam.optional(),
    filename: z.string().max(255).optional(),
    locked: z.enum(['true', 'false']).optional(),
    error_code: z.string().max(64).optional(),
    sort: z.enum(['created', 'size']).default('created'),
    order: orderParam,
  })
  .strict();

export type InventoryQuery = z.output<typeof filterSchema>;

function filtersOf(scope: TenantScope, q: InventoryQuery): SQL {
  return and(
    eq(attachments.tenantId, scope.tenantId),
    isNull(attachments.deletedAt),
    q.status ? eq(attachments.status, q.status) : undefined,
    q.kind ? eq(attachments.kind, q.kind) : undefined,
    q.content_type ? eq(attachments.contentType, q.content_type) : undefined,
    q.uploader ? eq(attachments.uploadedByUserId, q.uploader) : undefined,
    q.from ? gte(attachments.createdAt, q.from) : undefined,
    q.to ? lte(attachments.createdAt, q.to) : undefined,
    q.filename ? ilike(attachments.filename, containsPattern(q.filename)) : undefined,
    q.locked === 'true' ? isNotNull(attachments.lockedAt) : undefined,
    q.locked === 'false' ? isNull(attachments.lockedAt) : undefined,
    q.error_code ? eq(attachments.errorCode, q.error_code) : undefined,
  ) as SQL;
}

const lastSentAt = sql<Date | null>`(
  select max(${messageAttachments.createdAt}) from ${messageAttachments}
  where ${messageAttachments.attachmentId} = ${attachments.id} and ${messageAttachments.chatId} = ${attachments.chatId}
)`.mapWith(messageAttachments.createdAt);

/** One page of the filtered inventory, by keyset on (sort key, id). */
export async function inventoryPage(
  db: Db,
  scope: TenantScope,
  q: InventoryQuery,
  limit: number,
  cursor: string | undefined,
): Promise<InventoryPage> {
  const sortColumn = q.sort === 'size' ? attachments.sizeBytes : attachments.createdAt;
  const descending = q.order === 'desc';
  const sortKey = `${q.sort}.${q.order}`;
  const after = cursor ? decodeAdminCursor(cursor, sortKey) : null;
  const direction = descending ? desc : asc;
  const rows = await db
    .select({
      id: attachments.id,
      filename: attachments.filename,
      kind: attachments.kind,
      contentType: attachments.contentType,
      sizeBytes: attachments.sizeBytes,
      status: attachments.status,
      errorCode: attachments.errorCode,
      uploaderId: attachments.uploadedByUserId,
      uploaderEmail: users.email,
      chatId: attachments.chatId,
      createdAt: attachments.createdAt,
      lockedAt: attachments.lockedAt,
      lastSentAt,
    })
    .from(attachments)
    .innerJoin(users, eq(users.id, attachments.uploadedByUserId))
    .where(
      and(
        filtersOf(scope, q),
        after ? afterCursor(sortColumn, attachments.id, after, descending) : undefined,
      ),
    )
    .orderBy(direction(sortColumn), direction(attachments.id))
    .limit(limit + 1);
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({
      id: r.id,
      filename: r.filename,
      kind: r.kind,
      content_type: r.contentType,
      size_bytes: r.sizeBytes,
      status: r.status,
      error_code: r.errorCode,
      uploader: { id: r.uploaderId, email: r.uploaderEmail },
      chat_id: r.chatId,
      created_at: r.createdAt.toISOString(),
      last_sent_at: r.lastSentAt ? r.lastSentAt.toISOString() : null,
      locked: r.lockedAt !== null,
    })),
    next_cursor:
      rows.length > limit && last
        ? encodeAdminCursor({
            sort: sortKey,
            value: q.sort === 'size' ? last.sizeBytes : last.createdAt,
            id: last.id,
          })
        : null,
  };
}

export async function listInventory(db: Db, caller: Caller | null, params: URLSearchParams) {
  const scope = authorize(caller, 'admin.attachment.list');
  const { query, limit, cursor } = parseListQuery(filterSchema, params);
  return inventoryPage(db, scope, query, limit, cursor);
}

export const INVENTORY_CSV_HEADER = [
  'id',
  'filename',
  'kind',
  'content_type',
  'size_bytes',
  'status',
  'error_code',
  'uploader_id',
  'uploader_email',
  'chat_id',
  'created_at',
  'last_sent_at',
  'locked',
] as const;

export const inventoryCsvCells = (i: InventoryItem) => [
  i.id,
  i.filename,
  i.kind,
  i.content_type,
  i.size_bytes,
  i.status,
  i.error_code,
  i.uploader.id,
  i.uploader.email,
  i.chat_id,
  i.created_at,
  i.last_sent_at,
  i.locked,
];

/** The export's authorization and filters: the list's, every page of them. */
export function exportInventory(db: Db, caller: Caller | null, params: URLSearchParams) {
  const scope = authorize(caller, 'admin.attachment.list');
  const { query } = parseListQuery(filterSchema, params);
  return allPages((cursor) => inventoryPage(db, scope, query, EXPORT_PAGE_SIZE, cursor));
}
