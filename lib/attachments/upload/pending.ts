import type { AttachmentDeps } from '@/lib/attachments/deps';
import { discardFile } from '@/lib/attachments/discard-file';
import { insertPendingRow, transition } from '@/lib/attachments/store';
import {
  byteBreach,
  type LimitBreach,
  lockForUpload,
  readUsage,
  type UsageIds,
} from '@/lib/attachments/usage';
import type { Queryable } from '@/lib/db';
import type { Attachment } from '@/lib/db/schema';
import { AppError, notFound } from '@/lib/errors';
import type { FileStore } from '@/lib/file-stores/ports';
import type { AdmittedFile } from './admit';
import { breachError } from './errors';

/**
 * The two stages under the upload locks: the `pending` row that reserves the file's place before
 * its bytes are stored, and its settling once their exact size is known.
 */

/** An attachment whose bytes are stored: `uploaded`, with the stored file's id. */
export type UploadedAttachment = Attachment & { providerFileId: string };

/**
 * Checks the chat's document count and, with an estimate of the size (0 when none is known), the
 * byte limits and quotas, and writes the `pending` row, all under the upload locks.
 */
export async function insertPending(
  deps: Pick<AttachmentDeps, 'db' | 'config' | 'metrics'>,
  ids: UsageIds,
  pending: {
    file: AdmittedFile;
    fileStore: FileStore;
    estimate: number;
    /** `uploading` for a chunked upload, whose declared size is reserved until its parts are in. */
    status?: 'pending' | 'uploading';
    /** Writes what belongs with the row, in its transaction (a chunked upload's own row). */
    alongside?: (tx: Queryable, row: Attachment) => Promise<void>;
  },
): Promise<Attachment> {
  const { file, fileStore, estimate } = pending;
  try {
    return await deps.db.transaction(async (tx) => {
      await lockForUpload(tx, ids);
      const usage = await readUsage(tx, ids);
      if (file.rule.kind === 'document' && usage.chatDocuments >= deps.config.maxDocumentsPerChat) {
        throw new AppError(
          'document_limit_exceeded',
          `This chat already has ${deps.config.maxDocumentsPerChat} documents, its limit. Delete one to add another.`,
        );
      }
      const breach = estimate > 0 ? byteBreach(usage, estimate, deps.config) : null;
      if (breach) throw breachError(breach);
      const row = await insertPendingRow(tx, pending.status ?? 'pending', {
        tenantId: ids.tenantId,
        chatId: ids.chatId,
        uploadedByUserId: ids.userId,
        filename: file.filename,
        contentType: file.rule.mime,
        sizeBytes: estimate,
        provider: fileStore.id,
        storageBackend: fileStore.storageBackend,
        kind: file.rule.kind,
        forFileSearch: file.purposes.includes('file_search'),
        forCodeInterpreter: file.purposes.includes('code_interpreter'),
      });
      await pending.alongside?.(tx, row);
      return row;
    });
  } catch (err) {
    if (err instanceof AppError && err.code !== 'not_found')
      deps.metrics.upload(file.rule.kind, 'limit_exceeded');
    throw err;
  }
}

/**
 * Runs the stages that follow the insert of `row`: counted as an upload in flight, and a refusal
 * names the row (failed by then), so the client can show, retry or delete that very row.
 */
export async function whilePending<T>(
  deps: Pick<AttachmentDeps, 'metrics'>,
  row: Attachment,
  work: () => Promise<T>,
): Promise<T> {
  deps.metrics.pending(1);
  try {
    return await work();
  } catch (err) {
    if (err instanceof AppError && err.code !== 'not_found') err.extensions.attachment_id = row.id;
    throw err;
  } finally {
    deps.metrics.pending(-1);
  }
}

/**
 * pending → uploaded with the exact size, re-checking the chat total and the quotas under the same
 * locks as the insert: a request without a length had no size to check before, and concurrent
 * uploads may have landed since. A file over a limit, or whose row or chat went meanwhile, is
 * deleted again.
 */
export async function settleUpload(
  deps: Pick<AttachmentDeps, 'db' | 'config' | 'metrics'>,
  fileStore: FileStore,
  row: Attachment,
  stored: { providerFileId: string; size: number },
): Promise<UploadedAttachment> {
  const settled = await settle(deps, row, stored);
  if (!('uploaded' in settled)) {
    await discardFile(fileStore, stored.providerFileId);
    deps.metrics.upload(row.kind, settled.breach ? 'storage_limit_exceeded' : 'deleted');
    throw settled.breach ? breachError(settled.breach) : notFound('Attachment');
  }
  deps.metrics.upload(row.kind, 'ok');
  deps.metrics.uploadBytes(row.kind, stored.size);
  return { ...settled.uploaded, providerFileId: stored.providerFileId };
}

async function settle(
  deps: Pick<AttachmentDeps, 'db' | 'config'>,
  row: Attachment,
  stored: { providerFileId: string; size: number },
): Promise<{ uploaded: Attachment } | { breach?: LimitBreach }> {
  const ids = { tenantId: row.tenantId, chatId: row.chatId, userId: row.uploadedByUserId };
  try {
    return await deps.db.transaction(async (tx) => {
      await lockForUpload(tx, ids);
      const breach = byteBreach(await readUsage(tx, ids, row.id), stored.size, deps.config);
      const updated = await transition(tx, row.id, 'pending', {
        status: breach ? 'failed' : 'uploaded',
        errorCode: breach?.code ?? null,
        sizeBytes: stored.size,
        providerFileId: stored.providerFileId,
      });
      if (!updated) return {};
      return breach ? { breach } : { uploaded: updated };
    });
  } catch (err) {
    // The chat was deleted under us: the upload is as gone as the chat.
    if (err instanceof AppError && err.code === 'not_found') return {};
    throw err;
  }
}
