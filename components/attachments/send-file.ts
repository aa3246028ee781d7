import type { AttachmentView } from '@/lib/attachments/view';
import { browserPartsDeps } from './parts/browser';
import type { PauseGate, UploadProgress } from './parts/progress';
import { type ResumableRecord, resumeInParts, uploadInParts } from './parts/resumable';
import { PART_SIZE_BYTES } from './parts/upload-parts';
import { uploadAttachment } from './upload-request';

export interface SendFileRequest {
  chatId: string;
  file: File;
  type: string;
  signal: AbortSignal;
  /** Pauses an upload in parts; a single request cannot pause. */
  gate: PauseGate;
  /** An upload in parts the server already holds some of: only what it lacks is sent. */
  resume?: ResumableRecord;
  onProgress: (progress: UploadProgress) => void;
  /** An upload in parts exists at the server (its attachment row, its record for a resume). */
  onCreated: (record: ResumableRecord) => void;
  onSent: () => void;
}

/** A file larger than one part is sent in parts (nothing over Vercel's 4.5 MB); a smaller one whole. */
export const goesInParts = (file: Blob) => file.size > PART_SIZE_BYTES;

/** Sends one file the way its size calls for, resuming one the server already has parts of. */
export function sendFile(request: SendFileRequest): Promise<AttachmentView> {
  const parts = { ...request, storage: localStorage };
  if (request.resume) return resumeInParts(browserPartsDeps, request.resume, parts);
  if (goesInParts(request.file)) return uploadInParts(browserPartsDeps, parts);
  return uploadAttachment({
    ...request,
    onProgress: (loaded, total) => request.onProgress({ loaded, total, bytesPerSecond: null }),
  });
}
