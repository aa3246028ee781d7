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
  return {
    upload_id: upload.id,
    state: effectiveState(upload),
    size_bytes: upload.sizeBytes,
    part_size: upload.partSize,
    part_count: upload.partCount,
    expires_at: upload.expiresAt.toISOString(),
    received_parts: parts.map((part) => part.partNumber),
    attachment: toAttachmentView(attachment),
  };
}
