import { and, eq, inArray, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { deleteAttachments } from '@/lib/attachments/service';
import type { Db } from '@/lib/db';
import { attachments, chats, users } from '@/lib/db/schema';
import { notFound } from '@/lib/errors';
import { wakeWorker } from '@/lib/outbox/wake';
import { authorize, type Caller, liveChatInScope, type TenantScope } from '@/lib/policy';
import { parseInput } from '@/lib/validation';
import { auditActor, recordAudits } from './audit';

/** Ids in one request: a page of the inventory's largest size, with room to spare. */
export const MAX_FORCE_DELETE_IDS = 500;

/** Exactly one of: some attachments, every file of a user, every file of a chat. */
const forceDeleteInput = z.union([
  z.object({ attachment_ids: z.array(z.uuid()).min(1).max(MAX_FORCE_DELETE_IDS) }).strict(),
  z.object({ user_id: z.uuid() }).strict(),
  z.object({ chat_id: z.uuid() }).strict(),
]);

export interface ForceDeleteResult {
  deleted: number;
  bytes: number;
}

/**
 * An administrator's delete: in one transaction, every live attachment of the tenant the input
 * names is deleted, sent or not, through the same path as an owner's delete (its file leaves the
 * vector store and the provider through the outbox), and each is written to the audit log. Ids
 * outside the tenant, or already deleted, are not counted.
 */
export async function forceDelete(
  db: Db,
  caller: Caller | null,
  input: unknown,
  requestId: string | null,
): Promise<ForceDeleteResult> {
  const scope = authorize(caller, 'admin.attachment.delete');
  const actor = auditActor(scope, caller, requestId);
  const parsed = parseInput(forceDeleteInput, input);
  const [selector, selection]: [SQL, Record<string, unknown>] =
    'attachment_ids' in parsed
      ? [inArray(attachments.id, parsed.attachment_ids), { by: 'ids' }]
      : 'user_id' in parsed
        ? [eq(attachments.uploadedByUserId, parsed.user_id), { by: 'user', user_id: parsed.user_id }]
        : [eq(attachments.chatId, parsed.chat_id), { by: 'chat', chat_id: parsed.chat_id }];

  await requireInTenant(db, scope, parsed);
  const deleted = await db.transaction(async (tx) => {
    const rows = await deleteAttachments(tx, and(eq(attachments.tenantId, scope.tenantId), selector) as SQL, {
      byAdmin: true,
    });
    await recordAudits(
      tx,
      rows.map((row) => ({
        ...actor,
        action: 'attachment.force_delete',
        targetType: 'attachment',
        targetId: row.id,
        details: {
          ...selection,
          filename: row.filename,
          size_bytes: row.sizeBytes,
          uploader_id: row.uploadedByUserId,
          chat_id: row.chatId,
        },
      })),
    );
    return rows;
  });
  if (deleted.length > 0) wakeWorker();
  return { deleted: deleted.length, bytes: deleted.reduce((sum, row) => sum + row.sizeBytes, 0) };
}

/** A user or chat named as the target must be the tenant's: another tenant's is a 404, like none. */
async function requireInTenant(
  db: Db,
  scope: TenantScope,
  target: z.output<typeof forceDeleteInput>,
): Promise<void> {
  if ('user_id' in target) {
    const [user] = await db
      .select({ id: users.id })
      .from(users)
      .where(and(eq(users.id, target.user_id), eq(users.tenantId, scope.tenantId)));
    if (!user) throw notFound('User');
  }
  if ('chat_id' in target) {
    const [chat] = await db
      .select({ id: chats.id })
      .from(chats)
      .where(liveChatInScope(scope, target.chat_id));
    if (!chat) throw notFound('Chat');
  }
}
