import { and, eq, inArray, isNull, lt, or } from 'drizzle-orm';
import type { AttachmentDeps } from '@/lib/attachments/deps';
import { transition } from '@/lib/attachments/store';
import type { Db } from '@/lib/db';
import { type Upload, uploads } from '@/lib/db/schema';
import type { FileStoreId } from '@/lib/file-stores/ports';
import { errorFields, log } from '@/lib/log';
import { markStagingReleased, setUploadState } from './store';

type CloseDeps = { db: Db; fileStores: AttachmentDeps['fileStores'] };

/**
 * How an upload ends without a file: `cancelled` by its client (or refused on its first part) or
 * `expired`. The attachment fails with `errorCode`, which releases its reserved bytes (failed rows
 * count against nothing); a cancelled one is deleted too, since nobody is left to look at it. Then
 * the staging area goes. False when the upload was no longer open.
 */
export async function closeUpload(
  deps: CloseDeps,
  upload: Upload,
  to: 'cancelled' | 'expired',
  errorCode: string,
): Promise<boolean> {
  const closed = await deps.db.transaction(async (tx) => {
    // A completion that died half way (`completing`) is expired too; its attachment is `pending`.
    const from: Upload['state'][] = to === 'expired' ? ['uploading', 'completing'] : ['uploading'];
    const row = await setUploadState(tx, upload.id, from, to);
    if (!row) return undefined;
    const failed = {
      status: 'failed' as const,
      errorCode,
      ...(to === 'cancelled' ? { deletedAt: new Date() } : {}),
    };
    (await transition(tx, upload.attachmentId, 'uploading', failed, { includeDeleted: true })) ??
      (await transition(tx, upload.attachmentId, 'pending', failed, { includeDeleted: true }));
    return row;
  });
  if (!closed) return false;
  await releaseStaging(deps, closed);
  return true;
}

/** Aborts the staging area, best effort: one that stays is found again by the sweep. */
export async function releaseStaging(deps: CloseDeps, upload: Upload): Promise<void> {
  try {
    if (upload.stagingRef) {
      await deps.fileStores(upload.provider as FileStoreId).files.staging?.abort(upload.stagingRef);
    }
    await markStagingReleased(deps.db, upload.id);
  } catch (err) {
    log.warn({ upload_id: upload.id, err: errorFields(err) }, 'upload staging not released');
  }
}

/** A completion still running this long after the expiry is taken for dead. */
const COMPLETING_GRACE_MS = 15 * 60_000;

/**
 * Expires the open uploads past their time and releases the staging left by closed ones (an abort
 * that failed before), at most `limit` of them. The reaper runs it; so does every new upload, so a
 * deployment whose cron runs daily does not keep expired reservations all day.
 */
export async function sweepUploads(deps: CloseDeps, now: Date, limit: number): Promise<number> {
  const rows = await deps.db
    .select()
    .from(uploads)
    .where(
      or(
        and(eq(uploads.state, 'uploading'), lt(uploads.expiresAt, now)),
        and(
          eq(uploads.state, 'completing'),
          lt(uploads.expiresAt, new Date(now.getTime() - COMPLETING_GRACE_MS)),
        ),
        and(inArray(uploads.state, ['cancelled', 'expired']), isNull(uploads.stagingReleasedAt)),
      ),
    )
    .orderBy(uploads.expiresAt)
    .limit(limit);
  let expired = 0;
  for (const upload of rows) {
    if (upload.state === 'cancelled' || upload.state === 'expired') await releaseStaging(deps, upload);
    else if (await closeUpload(deps, upload, 'expired', 'upload_expired')) expired++;
  }
  if (expired > 0) log.info({ count: expired }, 'expired uploads cancelled');
  return expired;
}
