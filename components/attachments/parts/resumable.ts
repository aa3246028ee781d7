import { ApiError } from '@/components/api';
import type { AttachmentView } from '@/lib/attachments/view';
import type { PauseGate, UploadProgress } from './progress';
import { type PartsDeps, partRanges, sendParts } from './upload-parts';

/*
 * Uploads in parts that outlive a reload. A browser cannot reopen a file by itself, so what is
 * kept (localStorage) is enough to recognise the file when the user picks it again: its size and
 * the digest of its first part; the server says which parts it already holds.
 */

export interface ResumableRecord {
  upload_id: string;
  chat_id: string;
  attachment_id: string;
  name: string;
  size: number;
  last_modified: number;
  type: string;
  part_size: number;
  part1_digest: string;
  expires_at: string;
}

/** The subset of Storage used, so tests hand in a Map-backed one. */
export type RecordStorage = Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;

const STORAGE_KEY = 'mini-chat:resumable-uploads';

function readAll(storage: RecordStorage): ResumableRecord[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(STORAGE_KEY) ?? '[]');
    return Array.isArray(parsed)
      ? parsed.filter(
          (r): r is ResumableRecord =>
            typeof r === 'object' &&
            r !== null &&
            typeof r.upload_id === 'string' &&
            typeof r.size === 'number',
        )
      : [];
  } catch {
    return [];
  }
}

function writeAll(storage: RecordStorage, records: ResumableRecord[]) {
  if (records.length) storage.setItem(STORAGE_KEY, JSON.stringify(records));
  else storage.removeItem(STORAGE_KEY);
}

export function rememberUpload(storage: RecordStorage, record: ResumableRecord) {
  writeAll(storage, [...readAll(storage).filter((r) => r.upload_id !== record.upload_id), record]);
}

export function forgetUpload(storage: RecordStorage, uploadId: string) {
  writeAll(
    storage,
    readAll(storage).filter((r) => r.upload_id !== uploadId),
  );
}

export const isRemembered = (storage: RecordStorage, uploadId: string) =>
  readAll(storage).some((r) => r.upload_id === uploadId);

/** The chat's uploads a reload interrupted; expired ones are forgotten (the server has let them go). */
export function interruptedUploads(storage: RecordStorage, chatId: string, now: number): ResumableRecord[] {
  const all = readAll(storage);
  const live = all.filter((r) => Date.parse(r.expires_at) > now);
  if (live.length !== all.length) writeAll(storage, live);
  return live.filter((r) => r.chat_id === chatId);
}

/** Null when `file` is the one the record was made from; else the sentence that says why not. */
export async function differenceFrom(
  deps: Pick<PartsDeps, 'digest'>,
  record: ResumableRecord,
  file: Blob & { name: string },
): Promise<string | null> {
  if (file.size !== record.size) {
    return `${file.name} is not the file that was being uploaded (${record.name} has another size).`;
  }
  const digest = await deps.digest(file.slice(0, Math.min(file.size, record.part_size)));
  if (digest !== record.part1_digest) {
    return `${file.name} is not the file that was being uploaded: its content differs from ${record.name}.`;
  }
  return null;
}

export interface PartsUploadInput {
  chatId: string;
  file: File;
  /** The Content-Type to declare. */
  type: string;
  signal: AbortSignal;
  gate: PauseGate;
  storage: RecordStorage;
  onProgress: (progress: UploadProgress) => void;
  /** The upload exists at the server: its attachment row, shown while the parts go. */
  onCreated: (record: ResumableRecord) => void;
  /** Every part is in; the server is joining and checking the file. */
  onSent: () => void;
}

/** Starts an upload in parts and sees it through to the attachment, remembering it meanwhile. */
export async function uploadInParts(deps: PartsDeps, input: PartsUploadInput): Promise<AttachmentView> {
  const { file } = input;
  const session = await deps.api.create(input.chatId, {
    filename: file.name,
    size_bytes: file.size,
    content_type: input.type,
  });
  const record: ResumableRecord = {
    upload_id: session.upload_id,
    chat_id: input.chatId,
    attachment_id: session.attachment.id,
    name: file.name,
    size: file.size,
    last_modified: file.lastModified,
    type: input.type,
    part_size: session.part_size,
    part1_digest: await deps.digest(file.slice(0, Math.min(file.size, session.part_size))),
    expires_at: session.expires_at,
  };
  rememberUpload(input.storage, record);
  input.onCreated(record);
  return finish(deps, input, record, new Set());
}

/** Sends what the server lacks of an interrupted upload; `file` has passed `differenceFrom`. */
export async function resumeInParts(
  deps: PartsDeps,
  record: ResumableRecord,
  input: Omit<PartsUploadInput, 'chatId' | 'type' | 'onCreated'>,
): Promise<AttachmentView> {
  const status = await deps.api.status(record.upload_id).catch((error: unknown) => {
    throw gone(input.storage, record, error);
  });
  // All sent before the reload: the completion (idempotent) says how it ended.
  if (status.state === 'completing' || status.state === 'completed') {
    return finish(
      deps,
      input,
      record,
      new Set(partRanges(record.size, record.part_size).map((p) => p.partNumber)),
    );
  }
  if (status.state !== 'uploading') {
    throw gone(
      input.storage,
      record,
      new ApiError(
        `The upload of ${record.name} was ${status.state}; add the file again.`,
        409,
        `upload_${status.state}`,
      ),
    );
  }
  return finish(deps, input, record, new Set(status.received_parts));
}

async function finish(
  deps: PartsDeps,
  input: Omit<PartsUploadInput, 'chatId' | 'type' | 'onCreated'>,
  record: ResumableRecord,
  received: ReadonlySet<number>,
): Promise<AttachmentView> {
  try {
    await sendParts(deps, {
      file: input.file,
      uploadId: record.upload_id,
      partSize: record.part_size,
      received,
      signal: input.signal,
      gate: input.gate,
      onProgress: input.onProgress,
    });
    input.onSent();
    const { attachment } = await deps.api.complete(record.upload_id);
    forgetUpload(input.storage, record.upload_id);
    return attachment;
  } catch (error) {
    throw gone(input.storage, record, error);
  }
}

/** An upload the server no longer takes parts for (expired, cancelled, failed) is not resumable. */
function gone(storage: RecordStorage, record: ResumableRecord, error: unknown): unknown {
  if (error instanceof ApiError && (error.status === 404 || error.status === 409 || error.status === 410)) {
    forgetUpload(storage, record.upload_id);
  }
  return error;
}

/** Cancels at the server (best effort: the reaper takes what this misses) and forgets it here. */
export async function cancelInParts(
  deps: PartsDeps,
  storage: RecordStorage,
  uploadId: string,
): Promise<void> {
  forgetUpload(storage, uploadId);
  await deps.api.cancel(uploadId).catch(() => {});
}
