import { and, eq } from 'drizzle-orm';
import { z } from 'zod';
import { attachments } from '@/lib/db/schema';
import { errorText } from '@/lib/log';
import { GiveUp, type JobHandler, type JobPayloads } from '@/lib/outbox/jobs';
import { cleanAttachment, failPendingCleanups, selectWithChatStore } from './attachment-files';
import type { CleanupDeps } from './deps';
import { parsePayload } from './payload';

const schema = z.object({ tenant_id: z.uuid(), chat_id: z.uuid(), attachment_id: z.uuid() });

/**
 * A deleted attachment's provider file: out of the chat's vector store, then deleted. Routed by
 * the provider that stored it (the row's `provider`), not by its storage label: two stores may share a label, and a label is no address.
 */
export function attachmentDeleted(deps: CleanupDeps): JobHandler<JobPayloads['attachment_deleted']> {
  return {
    parse: (payload) => parsePayload(schema, payload),
    async run(payload) {
      const [row] = await selectWithChatStore(deps.db).where(
        and(eq(attachments.id, payload.attachment_id), eq(attachments.tenantId, payload.tenant_id)),
      );
      // Gone with its tenant, or settled by an earlier delivery; a deleted chat's own job cleans
      // every file of the chat, this one included.
      if (row?.cleanupStatus !== 'pending' || row.chatDeletedAt) return;
      const outcome = await cleanAttachment(deps, row, row.vectorStoreId);
      // The attachment's own attempts are used up: no point in the outbox trying again.
      if (outcome.status === 'failed') throw new GiveUp(errorText(outcome.error), { cause: outcome.error });
      if (outcome.status === 'pending') throw outcome.error;
    },
    dead: (tx, payload, error) =>
      failPendingCleanups(tx, deps.metrics, eq(attachments.id, payload.attachment_id), error),
  };
}
