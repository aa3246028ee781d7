import path from 'node:path';
import type { Db } from '@/lib/db';
import { vectorStoreName } from '@/lib/file-stores/naming';
import { type FileStore, FileStoreError } from '@/lib/file-stores/ports';
import { passages } from './extract';
import {
  createStore,
  deleteStore,
  detachEverywhere,
  fileStatus,
  finishIndexing,
  listStores,
  removeFile,
  startIndexing,
} from './index-store';
import { searchLocalStore } from './search';
import { createLocalStaging } from './staging';
import {
  listStoredFiles,
  readStoredFile,
  removeStoredFile,
  storedFileExists,
  storedFilePath,
  writeStoredFile,
} from './storage';

export { explainLocalSearch, type LocalSearchHit, searchLocalStore } from './search';

/**
 * The provider that needs no keys: files in a folder, "vector stores" as our own Postgres
 * full-text index. It reports the same vector-store file states as OpenAI, so the attachment
 * service treats every provider alike; indexing runs inside `addFile`, so by the time it resolves
 * the status is already final.
 */
export function createLocalFileStore(options: { db: () => Promise<Db>; storageDir: string }): FileStore {
  const storageDir = path.resolve(options.storageDir);
  return {
    id: 'local',
    storageBackend: 'local',
    files: {
      upload: async ({ filename, body, signal }) => {
        const target = storedFilePath(storageDir, filename);
        if (!target) throw new FileStoreError('upload_failed', 'invalid local file name', { status: 400 });
        await writeStoredFile(target, body, signal);
        return { providerFileId: filename };
      },
      delete: async (fileId) => {
        const file = storedFilePath(storageDir, fileId);
        // A name we would never store names nothing here: like an unknown id at OpenAI, it is gone.
        if (!file) return;
        await detachEverywhere(await options.db(), fileId);
        await removeStoredFile(file);
      },
      list: async function* ({ createdAfter } = {}) {
        for await (const { name, modifiedAt } of listStoredFiles(storageDir)) {
          if (!createdAfter || modifiedAt >= createdAfter) yield { id: name, name, createdAt: modifiedAt };
        }
      },
      read: async (fileId, range) => {
        const file = storedFilePath(storageDir, fileId);
        if (!file) throw new FileStoreError('provider_unavailable', 'file not found', { status: 404 });
        return readStoredFile(file, range);
      },
      staging: createLocalStaging(storageDir),
    },
    vectorStores: {
      create: async ({ chatId } = {}) =>
        createStore(await options.db(), chatId ? vectorStoreName(chatId) : null),
      addFile: async (vectorStoreId, fileId, attributes) => {
        const file = storedFilePath(storageDir, fileId);
        if (!file || !(await storedFileExists(file))) {
          throw new FileStoreError('indexing_failed', 'file not found', { status: 404 });
        }
        const db = await options.db();
        await startIndexing(db, vectorStoreId, fileId, attributes);
        await finishIndexing(db, vectorStoreId, fileId, attributes, await passages(file));
      },
      fileStatus: async (vectorStoreId, fileId) => fileStatus(await options.db(), vectorStoreId, fileId),
      removeFile: async (vectorStoreId, fileId) => removeFile(await options.db(), vectorStoreId, fileId),
      delete: async (vectorStoreId) => deleteStore(await options.db(), vectorStoreId),
      list: async function* () {
        yield* await listStores(await options.db());
      },
    },
    retrieval: {
      kind: 'search',
      search: async (vectorStoreId, query, { attachmentIds, limit }) => {
        const hits = await searchLocalStore(await options.db(), vectorStoreId, query, {
          attachmentIds,
          limit,
        });
        // Passages go out by attachment only: file ids are provider ids, and stay behind the port.
        return hits.map(({ attachmentId, content, page }) =>
          page === undefined ? { attachmentId, content } : { attachmentId, content, page },
        );
      },
    },
  };
}
