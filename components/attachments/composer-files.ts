import { ApiError } from '@/components/api';
import type { UploadLimits } from '@/lib/attachments/limits';
import type { AttachmentView } from './attachment-queries';
import { type DisplayStatus, serverStatus } from './attachment-status';
import { checkFile, type Reserved } from './check-file';
import { type AttachmentKind, failureSentence, isRetryable } from './error-messages';
import type { ResumableRecord } from './parts/resumable';

/*
 * The composer's selection: each entry a file this tab is uploading (or could not), or one the
 * server holds, by id. The ids outlive a reload in localStorage; the File objects cannot.
 */

/** Where a file added in this tab stands before the server has a settled row for it. */
export type UploadPhase =
  | { phase: 'refused'; message: string }
  | { phase: 'queued' }
  | { phase: 'uploading'; loaded: number; total: number; bytesPerSecond?: number | null }
  | { phase: 'paused'; loaded: number; total: number }
  /** Sent in parts until a reload: the user must pick the file again (a page cannot reopen it). */
  | { phase: 'interrupted' }
  | { phase: 'sent' }
  | { phase: 'waiting'; until: number; message: string }
  | { phase: 'failed'; message: string; retryable: boolean };

export interface LocalFile {
  file: File;
  /** The Content-Type to declare; absent for a refused file. */
  type?: string;
  kind: AttachmentKind;
  /** An object URL for an image's instant preview; revoked with the entry. */
  previewUrl?: string;
}

export interface DraftEntry {
  key: string;
  attachmentId?: string;
  /** Only for files added in this tab: what a retry sends again. */
  local?: LocalFile;
  /** Set while this tab is uploading the file or has failed to; otherwise the server's row speaks. */
  upload?: UploadPhase;
  /** Automatic retries after a 503 with Retry-After. */
  busyRetries: number;
  /** An upload in parts the server holds: a retry, or the file picked again, resumes it. */
  resume?: ResumableRecord;
  /** A removal the server refused for a reason other than a lock. */
  notice?: string;
}

/** A file in the composer, as the chip shows it. */
export interface ComposerFile {
  key: string;
  filename: string;
  kind: AttachmentKind;
  size: number;
  previewSrc?: string;
  /** The server's thumbnail once there is one, preferred to the local preview. */
  view?: AttachmentView;
  status: DisplayStatus;
  /** True while the remove button cancels an upload rather than deleting a file. */
  inFlight: boolean;
  canRetry: boolean;
  /** Sent in parts: it can be paused (or, paused, resumed). */
  pause?: 'pause' | 'resume';
  /** Interrupted by a reload: the file must be picked again to resume. */
  needsFile: boolean;
  notice?: string;
}

const draftStorageKey = (chatId: string) => `mini-chat:composer-attachments:${chatId}`;

export const isInFlight = (upload: UploadPhase | undefined) =>
  upload?.phase === 'queued' ||
  upload?.phase === 'uploading' ||
  upload?.phase === 'paused' ||
  upload?.phase === 'sent' ||
  upload?.phase === 'waiting';

export function readDraft(chatId: string): string[] {
  try {
    const ids: unknown = JSON.parse(localStorage.getItem(draftStorageKey(chatId)) ?? '[]');
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

function localStatus(upload: UploadPhase): DisplayStatus {
  switch (upload.phase) {
    case 'refused':
      return { state: 'refused', message: upload.message };
    case 'queued':
      return { state: 'queued' };
    case 'uploading':
      return {
        state: 'uploading',
        loaded: upload.loaded,
        total: upload.total,
        bytesPerSecond: upload.bytesPerSecond ?? undefined,
      };
    case 'paused':
      return { state: 'paused', loaded: upload.loaded, total: upload.total };
    case 'interrupted':
      return { state: 'interrupted' };
    case 'sent':
      return { state: 'processing', slow: false };
    case 'waiting':
      return { state: 'waiting', until: upload.until, message: upload.message };
    case 'failed':
      return { state: 'failed', message: upload.message };
  }
}

/** Writes the selection's server ids, so a reload (or another tab) finds them again. */
export function writeDraft(chatId: string, entries: DraftEntry[]) {
  const ids = entries.flatMap((entry) => (entry.attachmentId && !entry.upload ? [entry.attachmentId] : []));
  if (ids.length) localStorage.setItem(draftStorageKey(chatId), JSON.stringify(ids));
  else localStorage.removeItem(draftStorageKey(chatId));
}

/** The entries as chips: the tab's own upload state where there is one, the server's row otherwise. */
export function toComposerFiles(
  entries: DraftEntry[],
  attachments: AttachmentView[] | undefined,
  lockedIds: ReadonlySet<string>,
): ComposerFile[] {
  const views = new Map((attachments ?? []).map((view) => [view.id, view]));
  return entries.flatMap((entry): ComposerFile[] => {
    const view = entry.attachmentId ? views.get(entry.attachmentId) : undefined;
    const { local } = entry;
    if (!local && !view) return [];
    // An interrupted upload the server has settled meanwhile (expired, cancelled elsewhere) is its row.
    const upload =
      entry.upload?.phase === 'interrupted' && view?.status !== 'uploading' ? undefined : entry.upload;
    const status: DisplayStatus =
      view && (view.locked || lockedIds.has(view.id))
        ? { state: 'locked' }
        : upload
          ? localStatus(upload)
          : view
            ? serverStatus(view)
            : { state: 'processing', slow: false };
    const failedOnServer = !upload && view?.status === 'failed';
    return [
      {
        key: entry.key,
        filename: local?.file.name ?? view?.filename ?? '',
        kind: view?.kind ?? local?.kind ?? 'document',
        size: view?.size_bytes || local?.file.size || 0,
        previewSrc: local?.previewUrl,
        view,
        status,
        inFlight: isInFlight(upload),
        pause:
          entry.resume && upload?.phase === 'uploading'
            ? 'pause'
            : upload?.phase === 'paused'
              ? 'resume'
              : undefined,
        needsFile: upload?.phase === 'interrupted',
        canRetry:
          Boolean(local?.type) &&
          ((entry.upload?.phase === 'failed' && entry.upload.retryable) ||
            (failedOnServer && isRetryable(view?.error_code ?? ''))),
        notice: entry.notice,
      },
    ];
  });
}

/**
 * Entries for files just added: each checked against the chat's limits (`null`: unknown, the
 * server still refuses what it must), with the files already on their way counted against what
 * is left, so that a batch cannot overrun a limit together.
 */
export function newEntries(
  files: File[],
  limits: UploadLimits | null,
  current: DraftEntry[],
  newKey: () => string,
): DraftEntry[] {
  const reserved: Reserved = { documents: 0, bytes: 0 };
  for (const entry of current) {
    if (!entry.local || !isInFlight(entry.upload)) continue;
    reserved.bytes += entry.local.file.size;
    if (entry.local.kind === 'document') reserved.documents++;
  }
  return files.map((file): DraftEntry => {
    const key = newKey();
    const check = limits
      ? checkFile(file, limits, reserved)
      : ({
          ok: true,
          type: file.type || 'application/octet-stream',
          kind: file.type.startsWith('image/') ? 'image' : 'document',
        } as const);
    if (!check.ok) {
      const message = failureSentence(check.code, {
        filename: file.name,
        kind: check.kind,
        size: file.size,
        problem: check.details,
      });
      return {
        key,
        local: { file, kind: check.kind },
        upload: { phase: 'refused', message },
        busyRetries: 0,
      };
    }
    reserved.bytes += file.size;
    if (check.kind === 'document') reserved.documents++;
    const previewUrl = check.kind === 'image' ? URL.createObjectURL(file) : undefined;
    return {
      key,
      local: { file, type: check.type, kind: check.kind, previewUrl },
      upload: { phase: 'queued' },
      busyRetries: 0,
    };
  });
}

/** Automatic retries of an upload the server was too busy for (503 with Retry-After). */
const MAX_BUSY_RETRIES = 3;

/**
 * What becomes of an entry whose upload failed with `error` (worded as `message`): a wait of
 * `wait` ms after a busy server's Retry-After, then another go; else failed, retryable when the
 * error allows it or when the server still holds the upload's parts (`resumable`), which a retry
 * resumes.
 */
export function afterFailure(
  error: unknown,
  entry: DraftEntry,
  message: string,
  resumable: boolean,
): { change: Partial<DraftEntry>; wait?: number } {
  if (
    error instanceof ApiError &&
    error.status === 503 &&
    error.retryAfterMs !== null &&
    entry.busyRetries < MAX_BUSY_RETRIES
  ) {
    const until = Date.now() + error.retryAfterMs;
    return { change: { upload: { phase: 'waiting', until, message } }, wait: error.retryAfterMs };
  }
  const retryable = resumable || !(error instanceof ApiError) || isRetryable(error.code);
  return {
    change: { resume: resumable ? entry.resume : undefined, upload: { phase: 'failed', message, retryable } },
  };
}
