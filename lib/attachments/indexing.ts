import type { Attachment } from '@/lib/db/schema';
import {
  type FileStore,
  FileStoreError,
  type IndexingFailure,
  type VectorStoreFileState,
} from '@/lib/file-stores/ports';
import { errorFields, log } from '@/lib/log';
import type { AttachmentDeps } from './deps';
import { discardFile } from './discard-file';
import { fileStoreFailure } from './file-store-errors';
import { transition } from './store';
import { getOrCreateVectorStore } from './vector-store';

/** A document's indexing: into the chat's vector store, then `ready` once searchable, or `failed`. */

type IndexingDeps = Pick<AttachmentDeps, 'db' | 'config' | 'sleep'>;

/** An uploaded document and the file its bytes are stored in. */
export type StoredDocument = Pick<Attachment, 'id' | 'tenantId' | 'chatId'> & { providerFileId: string };

/** A document on its way into the chat's vector store. */
export interface IndexTarget {
  fileStore: FileStore;
  vectorStoreId: string;
  id: string;
  providerFileId: string;
}

const sleeper = (deps: IndexingDeps) =>
  deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

/**
 * The chat's vector store, before answering: its failures (another file store's vector store, a
 * creation still in progress elsewhere) are the client's to see, and retry, now.
 */
export async function chatVectorStore(
  deps: IndexingDeps,
  fileStore: FileStore,
  doc: StoredDocument,
): Promise<string> {
  try {
    return await getOrCreateVectorStore(
      { db: deps.db, pollDelaysMs: deps.config.vectorStorePollDelaysMs, sleep: deps.sleep },
      { tenantId: doc.tenantId, chatId: doc.chatId },
      fileStore,
    );
  } catch (err) {
    await failIndexing(deps, fileStore, doc.id, doc.providerFileId, 'vector_store_failed');
    throw fileStoreFailure(err, 'vector_store_failed');
  }
}

/**
 * After the response: adds the document to the chat's store and waits until it is searchable.
 * Never rejects; whatever goes wrong ends as `failed` with `indexing_failed`, or the file store's
 * reason when it is one a client may see (`document_too_complex`).
 */
export async function indexDocument(deps: IndexingDeps, target: IndexTarget): Promise<void> {
  const { fileStore, vectorStoreId, id, providerFileId } = target;
  try {
    await fileStore.vectorStores.addFile(vectorStoreId, providerFileId, { attachment_id: id });
  } catch (err) {
    log.error({ attachment_id: id, err: errorFields(err) }, 'adding to the vector store failed');
    await failIndexing(deps, fileStore, id, providerFileId, 'indexing_failed').catch(() => {});
    return;
  }
  await waitUntilIndexed(deps, target);
}

/**
 * Ready means searchable: the document turns `ready` only once the file store reports its
 * vector-store file `completed`. If this process dies first, the row stays `uploaded` and the
 * reaper asks the file store again.
 */
async function waitUntilIndexed(deps: IndexingDeps, target: IndexTarget): Promise<void> {
  const { fileStore, vectorStoreId, id, providerFileId } = target;
  const deadline = Date.now() + deps.config.indexingTimeoutMs;
  try {
    while (Date.now() < deadline) {
      const state = await fileStore.vectorStores
        .fileStatus(vectorStoreId, providerFileId)
        .catch((err: unknown): VectorStoreFileState | null => {
          // The store or the file is gone from the file store: asking again will not bring it back.
          if (err instanceof FileStoreError && err.status === 404) return { status: 'failed' };
          log.warn({ attachment_id: id, err: errorFields(err) }, 'indexing status unavailable');
          return null;
        });
      if (state?.status === 'completed') {
        await transition(deps.db, id, 'uploaded', { status: 'ready' });
        return;
      }
      if (state?.status === 'failed' || state?.status === 'cancelled') {
        const errorCode = state.error ?? 'indexing_failed';
        await failIndexing(deps, fileStore, id, providerFileId, errorCode, vectorStoreId);
        return;
      }
      await sleeper(deps)(deps.config.indexingPollIntervalMs);
    }
  } catch (err) {
    log.error({ attachment_id: id, err: errorFields(err) }, 'indexing follow-up failed');
  }
}

/** Fails an uploaded document and removes its stored file (and its place in the vector store). */
async function failIndexing(
  deps: IndexingDeps,
  fileStore: FileStore,
  id: string,
  providerFileId: string,
  errorCode: 'vector_store_failed' | 'indexing_failed' | IndexingFailure,
  vectorStoreId?: string,
): Promise<void> {
  if (!(await transition(deps.db, id, 'uploaded', { status: 'failed', errorCode }))) return;
  if (vectorStoreId) await fileStore.vectorStores.removeFile(vectorStoreId, providerFileId).catch(() => {});
  await discardFile(fileStore, providerFileId);
}
