import type { DraftEntry, UploadPhase } from './composer-files';
import { differenceFrom, type ResumableRecord } from './parts/resumable';
import type { PartsDeps } from './parts/upload-parts';

/** What the chip of an upload in parts can ask for. */
export type PartsControl = { kind: 'pause' } | { kind: 'resume' } | { kind: 'pick'; file: File };

/** Uploads a reload interrupted, as composer entries waiting for their file. */
export const restoredEntries = (records: ResumableRecord[]): DraftEntry[] =>
  records.map((record) => ({
    key: record.upload_id,
    attachmentId: record.attachment_id,
    resume: record,
    upload: { phase: 'interrupted' },
    busyRetries: 0,
  }));

/**
 * The change to an interrupted entry once its file is picked again: queued to send the rest when
 * it is the same file (size, and the first part's digest), else a notice that says why not.
 */
export async function pickedAgain(
  deps: Pick<PartsDeps, 'digest'>,
  entry: DraftEntry,
  file: File,
): Promise<Partial<DraftEntry>> {
  const record = entry.resume;
  if (!record) return {};
  const difference = await differenceFrom(deps, record, file);
  if (difference) return { notice: difference };
  return {
    local: { file, type: record.type, kind: record.type.startsWith('image/') ? 'image' : 'document' },
    upload: { phase: 'queued' },
    notice: undefined,
  };
}

/** The entry's phase once paused or resumed, keeping the bytes sent so far. */
export function withPause(upload: UploadPhase | undefined, paused: boolean): UploadPhase | undefined {
  if (paused && upload?.phase === 'uploading') {
    return { phase: 'paused', loaded: upload.loaded, total: upload.total };
  }
  if (!paused && upload?.phase === 'paused') {
    return { phase: 'uploading', loaded: upload.loaded, total: upload.total };
  }
  return upload;
}
