import type { AttachmentView } from './attachment-queries';
import { failureSentence } from './error-messages';
import { formatBytes } from './file-format';

/** Everything a chip or a panel row can say about a file, whether it lives in this tab or on the server. */
export type DisplayStatus =
  | { state: 'refused'; message: string }
  | { state: 'queued' }
  | { state: 'uploading'; loaded?: number; total?: number; bytesPerSecond?: number }
  | { state: 'paused'; loaded: number; total: number }
  | { state: 'interrupted' }
  | { state: 'waiting'; until: number; message: string }
  | { state: 'processing'; slow: boolean }
  | { state: 'ready' }
  | { state: 'failed'; message: string }
  | { state: 'locked' };

/** Indexing that takes longer than this is unusual; the user is told rather than left guessing. */
const SLOW_PROCESSING_MS = 60_000;

export function serverStatus(view: AttachmentView, now = Date.now()): DisplayStatus {
  switch (view.status) {
    // A chunked upload whose parts this tab is not sending (another tab, or one interrupted).
    case 'uploading':
    case 'pending':
      return { state: 'uploading' };
    case 'uploaded':
      return { state: 'processing', slow: now - Date.parse(view.created_at) > SLOW_PROCESSING_MS };
    case 'ready':
      return { state: 'ready' };
    case 'failed':
      return {
        state: 'failed',
        message: failureSentence(view.error_code, { filename: view.filename, kind: view.kind }),
      };
  }
}

export const percent = (loaded: number, total: number) =>
  total > 0 ? Math.min(100, Math.floor((loaded / total) * 100)) : 0;

/** The one-line status, as both the chip and the panel word it; `now` counts down a retry. */
export function statusLabel(status: DisplayStatus, now = Date.now()): string {
  switch (status.state) {
    case 'refused':
      return status.message;
    case 'queued':
      return 'Waiting to upload';
    case 'uploading':
      return status.loaded === undefined || status.total === undefined
        ? 'Uploading'
        : `Uploading ${percent(status.loaded, status.total)}% · ${formatBytes(status.loaded)} of ${formatBytes(status.total)}${
            status.bytesPerSecond ? ` · ${formatBytes(status.bytesPerSecond)}/s` : ''
          }`;
    case 'paused':
      return `Paused at ${percent(status.loaded, status.total)}% · ${formatBytes(status.loaded)} of ${formatBytes(status.total)}`;
    case 'interrupted':
      return 'Interrupted by leaving the page. Choose the same file again to send the rest.';
    case 'waiting':
      return `${status.message} Retrying in ${Math.max(1, Math.ceil((status.until - now) / 1000))} s.`;
    case 'processing':
      return status.slow ? 'Processing — this is taking longer than usual' : 'Processing';
    case 'ready':
      return 'Ready';
    case 'failed':
      return `Failed: ${status.message}`;
    case 'locked':
      return 'Locked: it was sent with a message, so it stays in the chat.';
  }
}

/** What a screen reader hears when a file's status changes, or null for changes not worth a word. */
export function announcement(filename: string, status: DisplayStatus): string | null {
  switch (status.state) {
    case 'refused':
      return status.message.startsWith(filename)
        ? status.message
        : `${filename} not attached: ${status.message}`;
    case 'uploading':
      return `Uploading ${filename}.`;
    case 'paused':
      return `${filename} paused.`;
    case 'interrupted':
      return `The upload of ${filename} was interrupted; choose the same file again to send the rest.`;
    case 'waiting':
      return `${filename}: ${status.message} Retrying shortly.`;
    case 'processing':
      return status.slow ? null : `${filename} uploaded, processing.`;
    case 'ready':
      return `${filename} is ready.`;
    case 'failed':
      return `${filename} failed: ${status.message}`;
    case 'locked':
      return `${filename} was sent with a message and cannot be removed.`;
    case 'queued':
      return null;
  }
}
