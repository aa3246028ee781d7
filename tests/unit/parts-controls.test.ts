import { describe, expect, it } from 'vitest';
import { ApiError } from '@/components/api';
import { statusLabel } from '@/components/attachments/attachment-status';
import { afterFailure, type DraftEntry, toComposerFiles } from '@/components/attachments/composer-files';
import { contentDigest } from '@/components/attachments/parts/browser';
import type { ResumableRecord } from '@/components/attachments/parts/resumable';
import { pickedAgain, restoredEntries, withPause } from '@/components/attachments/parts-controls';
import type { AttachmentView } from '@/lib/attachments/view';

const MiB = 1024 * 1024;
const bytes = new Uint8Array(5 * MiB).map((_, i) => i % 241);
const file = (content: Uint8Array<ArrayBuffer> = bytes, name = 'photo.png') =>
  new File([content], name, { type: 'image/png', lastModified: 1 });

async function recordOf(original: File): Promise<ResumableRecord> {
  return {
    upload_id: 'up-1',
    chat_id: 'chat-1',
    attachment_id: 'att-1',
    name: original.name,
    size: original.size,
    last_modified: original.lastModified,
    type: 'image/png',
    part_size: 4 * MiB,
    part1_digest: await contentDigest(original.slice(0, 4 * MiB)),
    expires_at: new Date(Date.now() + 60_000).toISOString(),
  };
}

const view = (status: AttachmentView['status']): AttachmentView => ({
  id: 'att-1',
  filename: 'photo.png',
  content_type: 'image/png',
  size_bytes: 5 * MiB,
  status,
  kind: 'image',
  locked: false,
  can_open: false,
  created_at: new Date().toISOString(),
});

describe('an upload in parts in the composer', () => {
  it('comes back after a reload asking for its file, until the server settles it otherwise', async () => {
    const entries = restoredEntries([await recordOf(file())]);
    const [chip] = toComposerFiles(entries, [view('uploading')], new Set());
    expect(chip).toMatchObject({ filename: 'photo.png', needsFile: true, inFlight: false, canRetry: false });
    expect(chip && statusLabel(chip.status)).toBe(
      'Interrupted by leaving the page. Choose the same file again to send the rest.',
    );
    // Expired meanwhile: the row speaks.
    const [expired] = toComposerFiles(
      entries,
      [{ ...view('failed'), error_code: 'upload_expired' }],
      new Set(),
    );
    expect(expired).toMatchObject({ needsFile: false, status: { state: 'failed' } });
  });

  it('takes the same file back, and refuses another with the reason', async () => {
    const original = file();
    const [entry] = restoredEntries([await recordOf(original)]);
    if (!entry) throw new Error('no entry');
    expect(await pickedAgain({ digest: contentDigest }, entry, file())).toMatchObject({
      local: { type: 'image/png', kind: 'image' },
      upload: { phase: 'queued' },
    });
    const changed = bytes.slice();
    changed[10] = 7;
    expect(await pickedAgain({ digest: contentDigest }, entry, file(changed, 'photo.png'))).toEqual({
      notice: 'photo.png is not the file that was being uploaded: its content differs from photo.png.',
    });
    expect((await pickedAgain({ digest: contentDigest }, entry, file(bytes.slice(1)))).notice).toMatch(
      /has another size/,
    );
  });

  it('pauses and resumes keeping its bytes, and shows speed while it goes', () => {
    const uploading = { phase: 'uploading', loaded: 3 * MiB, total: 5 * MiB, bytesPerSecond: MiB } as const;
    const paused = withPause(uploading, true);
    expect(paused).toEqual({ phase: 'paused', loaded: 3 * MiB, total: 5 * MiB });
    expect(withPause(paused, false)).toEqual({ phase: 'uploading', loaded: 3 * MiB, total: 5 * MiB });

    const entry: DraftEntry = {
      key: 'k',
      busyRetries: 0,
      upload: uploading,
      local: { file: file(), kind: 'image' },
    };
    const going = toComposerFiles(
      [{ ...entry, resume: { upload_id: 'up-1' } as ResumableRecord }],
      [],
      new Set(),
    );
    expect(going[0]).toMatchObject({ pause: 'pause', inFlight: true });
    expect(going[0] && statusLabel(going[0].status)).toBe(
      'Uploading 60% · 3\u00a0MB of 5\u00a0MB · 1\u00a0MB/s',
    );
    // A single-request upload cannot pause.
    expect(toComposerFiles([entry], [], new Set())[0]?.pause).toBeUndefined();
    const stopped = toComposerFiles([{ ...entry, upload: paused }], [], new Set());
    expect(stopped[0]).toMatchObject({ pause: 'resume', inFlight: true });
    expect(stopped[0] && statusLabel(stopped[0].status)).toBe('Paused at 60% · 3\u00a0MB of 5\u00a0MB');
  });
});

describe('an upload that fails', () => {
  const entry = (busyRetries: number, resume?: ResumableRecord): DraftEntry => ({
    key: 'k',
    busyRetries,
    resume,
  });
  const busy = new ApiError('busy', 503, 'upload_concurrency_limit', {}, 2_000);

  it("waits a busy server's Retry-After a few times, then fails", () => {
    expect(afterFailure(busy, entry(0), 'Busy.', false)).toMatchObject({
      wait: 2_000,
      change: { upload: { phase: 'waiting', message: 'Busy.' } },
    });
    expect(afterFailure(busy, entry(3), 'Busy.', false)).toMatchObject({
      change: { upload: { phase: 'failed', retryable: true } },
    });
    expect(afterFailure(busy, entry(3), 'Busy.', false).wait).toBeUndefined();
  });

  it('can be retried when the server still holds its parts, whatever the error', async () => {
    const record = await recordOf(file());
    const refused = new ApiError('no', 415, 'unsupported_file_type');
    expect(afterFailure(refused, entry(0, record), 'No.', false).change).toEqual({
      resume: undefined,
      upload: { phase: 'failed', message: 'No.', retryable: false },
    });
    expect(afterFailure(refused, entry(0, record), 'No.', true).change).toEqual({
      resume: record,
      upload: { phase: 'failed', message: 'No.', retryable: true },
    });
  });
});
