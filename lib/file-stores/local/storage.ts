import 'server-only';
import { randomUUID } from 'node:crypto';
import { type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { FileStoreError } from '@/lib/file-stores/ports';

/**
 * The provider file id is the stored file's name, so every id that reaches the filesystem comes
 * through here: undefined for a name that could leave the storage folder (or pass for one of our
 * dot-named temp files).
 */
export function storedFilePath(storageDir: string, fileId: string): string | undefined {
  const valid =
    fileId.length > 0 &&
    Buffer.byteLength(fileId) <= 255 &&
    !/[/\\\0]/.test(fileId) &&
    !fileId.includes('..') &&
    !fileId.startsWith('.');
  return valid ? path.join(storageDir, fileId) : undefined;
}

/**
 * Streams `body` into `target` through a temp file in the same folder, so a reader never sees a
 * half-written file and the final rename is atomic. The body's own error (or the abort reason) is
 * rethrown untouched, because callers throw their own errors from inside `body` (a size limit) and
 * expect them back.
 */
export async function writeStoredFile(
  target: string,
  body: AsyncIterable<Uint8Array>,
  signal?: AbortSignal,
): Promise<void> {
  signal?.throwIfAborted();
  const dir = path.dirname(target);
  await storageStep(mkdir(dir, { recursive: true }));
  const temp = path.join(dir, `.upload-${randomUUID()}.part`);
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
    } catch (err) {
      release(iterator);
      throw err;
    }
  }
}

/**
 * Waits for the next chunk, but gives up as soon as `signal` aborts: a stalled body would
 * otherwise hold the upload (and its temp file) open indefinitely, and `stream.pipeline` does not
 * settle in that case.
 */
function nextOrAbort<T>(iterator: AsyncIterator<T>, signal?: AbortSignal): Promise<IteratorResult<T>> {
  if (!signal) return iterator.next();
  if (signal.aborted) return Promise.reject(signal.reason);
  const next = iterator.next();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    next.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Tells the body we stopped reading, without waiting on a body that may never answer. */
function release(iterator: AsyncIterator<unknown>): void {
  Promise.resolve()
    .then(() => iterator.return?.())
    .catch(() => {});
}

function storageStep<T>(step: Promise<T>): Promise<T> {
  return step.catch((cause: unknown) => {
    throw new FileStoreError('upload_failed', 'local storage write failed', { cause });
  });
}
