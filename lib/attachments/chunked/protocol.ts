import type { Upload } from '@/lib/db/schema';
import { AppError, validationError } from '@/lib/errors';

/**
 * The shape of a chunked upload: parts of 4 MiB (4,194,304 B), so that a part with its headers
 * stays under Vercel's 4.5 MB request limit; every part but the last exactly that size.
 */
export const PART_SIZE = 4 * 1024 * 1024;
/** The most parts an upload may have (S3's limit too), far above any per-kind size limit. */
export const MAX_PARTS = 10_000;
/** An upload not completed within this is expired (shorter when the staging's own expiry is). */
export const UPLOAD_TTL_MS = 60 * 60_000;

export const partCountFor = (sizeBytes: number) => Math.ceil(sizeBytes / PART_SIZE);

/** The exact size part `n` must have. */
export function expectedPartBytes(upload: Pick<Upload, 'sizeBytes' | 'partSize' | 'partCount'>, n: number) {
  return n < upload.partCount ? upload.partSize : upload.sizeBytes - (upload.partCount - 1) * upload.partSize;
}

/** The part number from the path: a plain decimal from 1 to the upload's part count. */
export function parsePartNumber(raw: string, partCount: number): number {
  const n = /^[1-9][0-9]{0,4}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!(n >= 1 && n <= partCount)) {
    throw validationError(`The part number must be a whole number from 1 to ${partCount}.`, [
      { field: 'part_number', message: `Use 1 to ${partCount}.` },
    ]);
  }
  return n;
}

/**
 * The part's SHA-256 from `Content-Digest: sha-256=:<base64>:` (RFC 9530); other algorithms in
 * the same header are ignored.
 */
export function parseContentDigest(header: string | null): Buffer {
  for (const member of header?.split(',') ?? []) {
    const match = /^\s*sha-256\s*=\s*:([A-Za-z0-9+/]+={0,2}):\s*$/i.exec(member);
    const digest = match?.[1] ? Buffer.from(match[1], 'base64') : undefined;
    if (digest?.length === 32) return digest;
  }
  throw validationError('Send the part\'s SHA-256 as "Content-Digest: sha-256=:<base64>:".', [
    { field: 'content-digest', message: 'A sha-256 member with 32 bytes in base64.' },
  ]);
}

/** Refuses a part or a completion for an upload that no longer takes them. */
export function assertOpen(upload: Pick<Upload, 'state'>): void {
  switch (upload.state) {
    case 'uploading':
      return;
    case 'expired':
      throw new AppError('upload_expired', 'This upload expired before it was completed; start it again.');
    case 'cancelled':
      throw new AppError('upload_cancelled', 'This upload was cancelled.');
    case 'completing':
    case 'completed':
      throw new AppError('upload_completed', 'This upload is completed; it takes no more parts.');
  }
}
