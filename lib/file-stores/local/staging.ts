import 'server-only';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { FileStoreError, type UploadStaging } from '@/lib/file-stores/ports';
import { isUuid } from '@/lib/ids';
import { storedFilePath, writeStoredFile } from './storage';

async function* once(bytes: Uint8Array): AsyncGenerator<Uint8Array> {
  yield bytes;
}

/** The folder under the storage folder where chunked uploads' parts wait, one folder per attachment. */
export const STAGING_FOLDER = '.staging';

/**
 * Staging in the storage folder: part n of attachment A is `.staging/A/n.part` (written through a
 * temp file and renamed, like a stored file), and completion streams the parts in order into the
 * stored file, hashing each against the SHA-256 recorded when it arrived. The ref is
 * `<attachmentId>/<stored filename>`; both halves are checked before they touch the filesystem.
 */
export function createLocalStaging(storageDir: string): UploadStaging {
  const resolve = (ref: string) => {
    const slash = ref.indexOf('/');
    const attachmentId = ref.slice(0, slash);
    const target = storedFilePath(storageDir, ref.slice(slash + 1));
    if (slash < 0 || !isUuid(attachmentId) || !target) {
      throw new FileStoreError('upload_failed', 'invalid staging ref', { status: 400 });
    }
    return {
      dir: path.join(storageDir, STAGING_FOLDER, attachmentId),
      target,
      filename: ref.slice(slash + 1),
    };
  };
  const partPath = (dir: string, partNumber: number) => path.join(dir, `${partNumber}.part`);
  // Through a temp file renamed at the end, which a body that throws never reaches.
  const putPartStream = async (ref: string, partNumber: number, body: AsyncIterable<Uint8Array>) => {
    const hash = createHash('sha256');
    async function* hashed(): AsyncGenerator<Uint8Array> {
      for await (const chunk of body) {
        hash.update(chunk);
        yield chunk;
      }
    }
    await writeStoredFile(partPath(resolve(ref).dir, partNumber), hashed());
    return { partRef: hash.digest('hex') };
  };

  return {
    begin: async ({ attachmentId, filename }) => {
      const ref = `${attachmentId}/${filename}`;
      await mkdir(resolve(ref).dir, { recursive: true });
      return { ref, expiresAt: null };
    },
    putPart: (ref, partNumber, bytes) => putPartStream(ref, partNumber, once(bytes)),
    putPartStream: (ref, partNumber, body) => putPartStream(ref, partNumber, body),
    complete: async (ref, parts, { sizeBytes }) => {
      const { dir, target, filename } = resolve(ref);
      const ordered = [...parts].sort((a, b) => a.partNumber - b.partNumber);
      let joined = 0;
      async function* body(): AsyncGenerator<Uint8Array> {
        for (const part of ordered) {
          const hash = createHash('sha256');
          for await (const chunk of createReadStream(partPath(dir, part.partNumber))) {
            hash.update(chunk as Buffer);
            joined += (chunk as Buffer).byteLength;
            yield chunk as Buffer;
          }
          // The part on disk must be the one whose digest the client's request was checked against.
          if (hash.digest('hex') !== part.partRef) {
            throw new FileStoreError('upload_failed', `staged part ${part.partNumber} changed on disk`);
          }
        }
        if (joined !== sizeBytes) {
          throw new FileStoreError('upload_failed', `staged parts hold ${joined} bytes, not ${sizeBytes}`);
        }
      }
      await writeStoredFile(target, body());
      await rm(dir, { recursive: true, force: true });
      return { providerFileId: filename };
    },
    abort: async (ref) => {
      await rm(resolve(ref).dir, { recursive: true, force: true });
    },
  };
}
