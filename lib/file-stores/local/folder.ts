import 'server-only';
import path from 'node:path';
import type { FileBytes } from '@/lib/file-stores/bytes';
import { parseStoredFilename } from '@/lib/file-stores/naming';
import { FileStoreError } from '@/lib/file-stores/ports';
import { createLocalStaging } from './staging';
import {
  listStoredFiles,
  readStoredFile,
  removeStoredFile,
  storedFileExists,
  storedFilePath,
  writeStoredFile,
} from './storage';
import { localTemporaries } from './temporaries';

/** The local index's files in a folder on this machine's disk: right for one machine. */
export function folderBytes(storageDir: string): FileBytes {
  const dir = path.resolve(storageDir);
  return {
    storageBackend: 'local',
    upload: async ({ filename, body, signal }) => {
      const target = storedFilePath(dir, filename);
      if (!target) throw new FileStoreError('upload_failed', 'invalid local file name', { status: 400 });
      await writeStoredFile(target, body, {
        attachmentId: parseStoredFilename(filename)?.attachmentId,
        signal,
      });
      return { providerFileId: filename };
    },
    delete: async (fileId) => {
      const file = storedFilePath(dir, fileId);
      // A name we would never store names nothing here: like an unknown id at OpenAI, it is gone.
      if (file) await removeStoredFile(file);
    },
    list: async function* ({ createdAfter } = {}) {
      for await (const { name, modifiedAt } of listStoredFiles(dir)) {
        if (!createdAfter || modifiedAt >= createdAfter) yield { id: name, name, createdAt: modifiedAt };
      }
    },
    read: async (fileId, range) => {
      const file = storedFilePath(dir, fileId);
      if (!file) throw new FileStoreError('provider_unavailable', 'file not found', { status: 404 });
      return readStoredFile(file, range);
    },
    withLocalCopy: async (fileId, use) => {
      const file = storedFilePath(dir, fileId);
      if (!file || !(await storedFileExists(file))) {
        throw new FileStoreError('indexing_failed', 'file not found', { status: 404 });
      }
      return use(file);
    },
    staging: createLocalStaging(dir),
    temporaries: localTemporaries(dir),
  };
}
