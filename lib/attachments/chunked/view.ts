import { type AttachmentView, toAttachmentView } from '@/lib/attachments/view';
import type { Queryable } from '@/lib/db';
import type { Attachment, Upload, UploadState } from '@/lib/db/schema';
import { stagedParts } from './store';

/** A chunked upload as its client sees it: enough to resume it (the parts already received). */
export interface UploadView {
  upload_id: string;
  state: UploadState;
  size_bytes: number;
  part_size: number;
  part_count: number;
  expires_at: string;
  received_parts: number[];
  attachment: AttachmentView;
}

/** An open upload past its expiry reads as expired, whether or not the sweep has been by yet. */
export const effectiveState = (upload: Upload, now = Date.now()): UploadState =>
  upload.state === 'uploading' && upload.expiresAt.getTime() <= now ? 'expired' : upload.state;

export async function toUploadView(
  q: Queryable,
  upload: Upload,
  attachment: Attachment,
): Promise<UploadView> {
  const parts = upload.state === 'uploading' ? await stagedParts(q, upload.id) : [];
  return uploadView(
    upload,
    toAttachmentView(attachment),
    parts.map((part) => part.partNumber),
  );
}

/** The view from what is in hand (a new upload has no parts; a closed one lists none). */
export const uploadView = (
  upload: Upload,
  attachment: AttachmentView,
  receivedParts: number[],
): UploadView => ({
  upload_id: upload.id,
  state: effectiveState(upload),
  size_bytes: upload.sizeBytes,
  part_size: upload.partSize,
  part_count: upload.partCount,
  expires_at: upload.expiresAt.toISOString(),
  received_parts: receivedParts,
  attachment,
});

/**
 * The answer to a part: that it is staged, and where its upload stands. Parts arrive in parallel,
 * so no part's answer is the upload's whole story; the parts received are the status's
 * (`GET /api/uploads/{id}`), which is how a client resumes.
 */
export interface PartView {
  upload_id: string;
  part_number: number;
  size_bytes: number;
  state: UploadState;
  expires_at: string;
}

export const partView = (upload: Upload, partNumber: number, sizeBytes: number): PartView => ({
  upload_id: upload.id,
  part_number: partNumber,
  size_bytes: sizeBytes,
  state: effectiveState(upload),
  expires_at: upload.expiresAt.toISOString(),
});
