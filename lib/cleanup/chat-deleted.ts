import { and, count, eq } from 'drizzle-orm';
import { z } from 'zod';
import { crashPoint } from '@/lib/crash-point';
import { attachments, chats, chatVectorStores } from '@/lib/db/schema';
import type { FileStoreId } from '@/lib/file-stores/ports';
import { GiveUp, type JobHandler, type JobPayloads } from '@/lib/outbox/jobs';
import { cleanAttachment, failPendingCleanups } from './attachment-files';
import type { CleanupDeps } from './deps';
import { failureReason } from './failure';
import { parsePayload } from './payload';

const schema = z.object({ tenant_id: z.uuid(), chat_id: z.uuid() });

/**
 * A deleted chat's provider objects: every attachment's file first, then the chat's vector store,
 * then its row, which marks the chat's cleanup complete. While any file is still pending the
 * whole job is retried; files that failed for good do not hold the store back.
 */
export function chatDeleted(deps: CleanupDeps): JobHandler<JobPayloads['chat_deleted']> {
  const { db, metrics } = deps;
  return {
    parse: (payload) => parsePayload(schema, payload),
    async run(payload) {
      const inChat = eq(attachments.chatId, payload.chat_id);
      const [chat] = await db
        .select({ deletedAt: chats.deletedAt })
        .from(chats)
        .where(and(eq(chats.id, payload.chat_id), eq(chats.tenantId, payload.tenant_id)));
      // Gone with its tenant: the rows went by cascade.
      if (!chat) return;
      if (!chat.deletedAt) throw new GiveUp('the chat is not deleted');

      const pending = await db
        .select({
          id: attachments.id,
          provider: attachments.provider,
          providerFileId: attachments.providerFileId,
        })
        .from(attachments)
        .where(and(inChat, eq(attachments.cleanupStatus, 'pending')));
      let retry: unknown;
      for (const row of pending) {
        // The store goes next, files and all: no need to take each file out of it first.
        const outcome = await cleanAttachment(deps, row, null);
        crashPoint('chat_delete.fanout');
        if (outcome.status === 'pending') retry ??= outcome.error;
      }
      if (retry !== undefined) throw retry;

      const [store] = await db
        .select()
        .from(chatVectorStores)
        .where(eq(chatVectorStores.chatId, payload.chat_id));
      if (!store) return;
      if (store.vectorStoreId) {
        try {
          await deps.fileStores(store.provider as FileStoreId).vectorStores.delete(store.vectorStoreId);
        } catch (err) {
          metrics.cleanupRetry('vector_store', failureReason(err));
          throw err;
        }
      }
      const removed = await db.delete(chatVectorStores).where(eq(chatVectorStores.id, store.id)).returning();
      if (removed.length === 0 || !store.vectorStoreId) return;
      metrics.cleanupCompleted('vector_store');
      const [failed] = await db
        .select({ n: count() })
        .from(attachments)
        .where(and(inChat, eq(attachments.cleanupStatus, 'failed')));
      if ((failed?.n ?? 0) > 0) metrics.vectorStoreWithFailedAttachments();
    },
    async dead(tx, payload, error) {
      await failPendingCleanups(tx, metrics, eq(attachments.chatId, payload.chat_id), error);
      const [store] = await tx
        .select({ id: chatVectorStores.id })
        .from(chatVectorStores)
        .where(eq(chatVectorStores.chatId, payload.chat_id));
      // Left for reconciliation, which deletes stores whose chat is gone.
      if (store) metrics.cleanupFailed('vector_store');
    },
  };
}
