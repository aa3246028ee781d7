import { crashPoint } from '@/lib/crash-point';
import type { Db } from '@/lib/db';
import type { FileBytes } from '@/lib/file-stores/bytes';
import { vectorStoreName } from '@/lib/file-stores/naming';
import type { FileStore } from '@/lib/file-stores/ports';
import { passages } from './extract';
import { folderBytes } from './folder';
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

export type { FileBytes } from '@/lib/file-stores/bytes';
export { folderBytes } from './folder';
export { explainLocalSearch, type LocalSearchHit, searchLocalStore } from './search';

/** The local store over a folder on this machine. */
export const createLocalFileStore = (options: { db: () => Promise<Db>; storageDir: string }): FileStore =>
  createIndexedFileStore({ db: options.db, bytes: folderBytes(options.storageDir) });

/**
 * The provider that needs no keys: "vector stores" as our own Postgres full-text index, over files
 * whose bytes are kept in `bytes` (a folder, or an S3 bucket). It reports the same vector-store
 * file states as OpenAI, so the attachment service treats every provider alike; indexing runs
 * inside `addFile`, so by the time it resolves the status is already final.
 */
export function createIndexedFileStore(options: { db: () => Promise<Db>; bytes: FileBytes }): FileStore {
  const { storageBackend, withLocalCopy, delete: removeBytes, ...files } = options.bytes;
  return {
    id: 'local',
    storageBackend,
    files: {
      ...files,
      delete: async (fileId) => {
        await detachEverywhere(await options.db(), fileId);
        await removeBytes(fileId);
      },
    },
    vectorStores: {
      create: async ({ chatId } = {}) =>
        createStore(await options.db(), chatId ? vectorStoreName(chatId) : null),
      addFile: (vectorStoreId, fileId, attributes) =>
        withLocalCopy(fileId, async (file) => {
          const db = await options.db();
          await startIndexing(db, vectorStoreId, fileId, attributes);
          crashPoint('indexing');
          await finishIndexing(db, vectorStoreId, fileId, attributes, await passages(file));
        }),
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
