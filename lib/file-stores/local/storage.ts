import { crashPoint } from '@/lib/crash-point';
import 'server-only';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { nextOrAbort, release } from '@/lib/file-stores/body';
import { isStoredFileName } from '@/lib/file-stores/naming';
import { FileStoreError, type StoredBytes } from '@/lib/file-stores/ports';
import type { ByteRange } from '@/lib/http/range';
import { tempFilename } from './temporaries';

/**
 * The provider file id is the stored file's name, so every id that reaches the filesystem comes
 * through here: undefined for a name that could leave the storage folder (or pass for one of our
 * dot-named temp files).
 */
export function storedFilePath(storageDir: string, fileId: string): string | undefined {
  return isStoredFileName(fileId) ? path.join(storageDir, fileId) : undefined;
}

/**
 * Streams `body` into `target` through a temp file in the same folder, so a reader never sees a
 * half-written file and the final rename is atomic; the temp file carries `attachmentId`, so one a
 * dead process left behind leads back to its row. The body's own error (or the abort reason) is
 * rethrown untouched, because callers throw their own errors from inside `body` (a size limit) and
 * expect them back.
 */
export async function writeStoredFile(
  target: string,
  body: AsyncIterable<Uint8Array>,
  options: { attachmentId?: string; signal?: AbortSignal } = {},
): Promise<void> {
  const { attachmentId, signal } = options;
  signal?.throwIfAborted();
  const dir = path.dirname(target);
  await storageStep(mkdir(dir, { recursive: true }));
  const temp = path.join(dir, tempFilename(attachmentId));
  const file = await storageStep(open(temp, 'wx'));
  let closed = false;
  try {
    await copyBody(body, file, signal);
    closed = true;
    await storageStep(file.close());
    await storageStep(rename(temp, target));
  } catch (err) {
    if (!closed) await file.close().catch(() => {});
    await rm(temp, { force: true }).catch(() => {});
    throw err;
  }
}

export async function storedFileExists(file: string): Promise<boolean> {
  try {
    return (await stat(file)).isFile();
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw err;
  }
}

export async function removeStoredFile(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** Bytes read from disk per pull: the stream holds at most this much of a file at a time. */
const READ_CHUNK_BYTES = 64 * 1024;

/**
 * A stored file's bytes, whole or `range`, read from disk only as the consumer pulls them. The file
 * is opened before the answer starts, so a delete that lands while it is sent cannot cut it short;
 * the handle closes at the end, on an error, or when the consumer cancels.
 */
export async function readStoredFile(file: string, range?: ByteRange): Promise<StoredBytes> {
  const handle = await open(file, 'r').catch((cause: unknown) => {
    const missing = (cause as NodeJS.ErrnoException).code === 'ENOENT';
    throw new FileStoreError(
      'provider_unavailable',
      missing ? 'file not found' : 'local storage read failed',
      {
        status: missing ? 404 : undefined,
        cause,
      },
    );
  });
  let size: number;
  try {
    size = (await handle.stat()).size;
  } catch (cause) {
    await handle.close();
    throw new FileStoreError('provider_unavailable', 'local storage read failed', { cause });
  }
  const start = range?.start ?? 0;
  const end = range?.end ?? size - 1;
  if (range && (start > end || end >= size)) {
    await handle.close();
    throw new FileStoreError('provider_unavailable', 'range outside the stored file', { status: 416 });
  }
  let position = start;
  const body = new ReadableStream<Uint8Array>({
    pull: async (controller) => {
      try {
        const wanted = Math.min(READ_CHUNK_BYTES, end + 1 - position);
        const { bytesRead, buffer } = await handle.read(Buffer.alloc(wanted), 0, wanted, position);
        position += bytesRead;
        // A file cut short under us ends the stream early rather than looping on empty reads.
        if (bytesRead > 0) controller.enqueue(buffer.subarray(0, bytesRead));
        if (bytesRead === 0 || position > end) {
          await handle.close();
          controller.close();
        }
      } catch (err) {
        await handle.close().catch(() => {});
        controller.error(err);
      }
    },
    cancel: () => handle.close().catch(() => {}),
  });
  return { size, body };
}

/** The stored files (not the dot-named temp files of uploads in progress), as name and time. */
export async function* listStoredFiles(
  storageDir: string,
): AsyncGenerator<{ name: string; modifiedAt: Date }> {
  let names: string[];
  try {
    names = await readdir(storageDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  for (const name of names) {
    const file = storedFilePath(storageDir, name);
    if (!file) continue;
    try {
      const info = await stat(file);
      if (info.isFile()) yield { name, modifiedAt: info.mtime };
    } catch (err) {
      // Deleted between the listing and the look.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  }
}

async function copyBody(body: AsyncIterable<Uint8Array>, file: FileHandle, signal?: AbortSignal) {
  const iterator = body[Symbol.asyncIterator]();
  for (;;) {
    let result: IteratorResult<Uint8Array>;
    try {
      result = await nextOrAbort(iterator, signal);
    } catch (err) {
      if (signal?.aborted) release(iterator);
      throw err;
    }
    if (result.done) return;
    try {
      for (let offset = 0; offset < result.value.byteLength; ) {
        offset += (await storageStep(file.write(result.value, offset))).bytesWritten;
      }
      crashPoint('upload.writing');
    } catch (err) {
      release(iterator);
      throw err;
    }
  }
}

function storageStep<T>(step: Promise<T>): Promise<T> {
  return step.catch((cause: unknown) => {
    throw new FileStoreError('upload_failed', 'local storage write failed', { cause });
  });
}
