import { createHash } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { completeUpload } from '@/lib/attachments/chunked/complete';
import { createUpload } from '@/lib/attachments/chunked/create';
import { putPart } from '@/lib/attachments/chunked/part';
import { PART_SIZE } from '@/lib/attachments/chunked/protocol';
import type { AttachmentDeps } from '@/lib/attachments/deps';
import type { Caller } from '@/lib/policy';

/** Helpers for chunked uploads driven through the service, as the routes drive it. */

export const digestOf = (bytes: Uint8Array) =>
  `sha-256=:${createHash('sha256').update(bytes).digest('base64')}:`;

/** A part as the route hands it over: the body read through the real capped reader. */
export function sendPart(
  deps: AttachmentDeps,
  caller: Caller,
  uploadId: string,
  n: number | string,
  bytes: Uint8Array,
  digest: string | null = digestOf(bytes),
) {
  return putPart(deps, caller, uploadId, {
    partNumber: String(n),
    digest,
    // No length, as with a chunked request: the cap must hold on the bytes themselves.
    length: null,
    body: new Blob([Buffer.from(bytes)]).stream() as unknown as AsyncIterable<Uint8Array>,
  });
}

export function partsOf(bytes: Buffer, partSize = PART_SIZE): Buffer[] {
  const parts: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += partSize)
    parts.push(bytes.subarray(offset, offset + partSize));
  return parts;
}

/**
 * ASCII text of exactly `size` bytes: one sentence over and over (cheap to index), with a numbered
 * marker every 64 KiB so that no two parts are alike and an order mix-up shows.
 */
export function textOfSize(size: number): Buffer {
  const out = Buffer.alloc(size);
  let offset = 0;
  for (let line = 0; offset < size; line++) {
    const marker = line % 1500 === 0 ? `block ${line / 1500}\n` : '';
    offset += out.write(`${marker}the quick brown fox jumps over the lazy dog\n`, offset);
  }
  return out;
}

/** Creates an upload, sends its parts in `order` (1-based; default ascending), completes it. */
export async function uploadInParts(
  deps: AttachmentDeps,
  caller: Caller,
  chatId: string,
  bytes: Buffer,
  options: { filename?: string; type?: string; order?: number[] } = {},
) {
  const created = await createUpload(deps, caller, chatId, {
    filename: options.filename ?? 'report.txt',
    size_bytes: bytes.length,
    content_type: options.type ?? 'text/plain',
  });
  const parts = partsOf(bytes, created.part_size);
  for (const n of options.order ?? parts.map((_, i) => i + 1)) {
    await sendPart(deps, caller, created.upload_id, n, parts[n - 1] as Buffer);
  }
  const completed = await completeUpload(deps, caller, created.upload_id);
  await completed.indexing?.();
  return { created, completed: completed.upload };
}

/** What the local store has staged: the attachment folders under `.staging`. */
export async function stagedOnDisk(storageDir: string): Promise<string[]> {
  return readdir(path.join(storageDir, '.staging')).catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return [];
    throw err;
  });
}
