import type { AttachmentDeps } from '@/lib/attachments/deps';
import { authorize, type Caller } from '@/lib/policy';
import { closeUpload } from './close';
import { assertOpen } from './protocol';
import { findUpload } from './store';
import { toUploadView, type UploadView } from './view';

/** Where an upload stands, with the parts received: how a client resumes after a reload. */
export async function getUpload(
  deps: AttachmentDeps,
  caller: Caller | null,
  uploadId: string,
): Promise<UploadView> {
  const { upload, attachment } = await findUpload(deps.db, authorize(caller, 'upload.read'), uploadId);
  return toUploadView(deps.db, upload, attachment);
}

/**
 * Cancels an upload: its attachment fails and goes (its reservation with it) and its staged parts
 * are removed. Cancelling one already cancelled or expired is done already; a completed one is
 * an attachment now, deleted through its own route.
 */
export async function cancelUpload(
  deps: AttachmentDeps,
  caller: Caller | null,
  uploadId: string,
): Promise<void> {
  const { upload } = await findUpload(deps.db, authorize(caller, 'upload.cancel'), uploadId);
  if (upload.state === 'cancelled' || upload.state === 'expired') return;
  if (await closeUpload(deps, upload, 'cancelled', 'upload_cancelled')) return;
  const { upload: now } = await findUpload(deps.db, authorize(caller, 'upload.cancel'), uploadId);
  if (now.state !== 'cancelled' && now.state !== 'expired') assertOpen(now);
}
