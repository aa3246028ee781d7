import { loadAttachmentConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import { createFileStoreRegistry } from '@/lib/file-stores/registry';
import { processMetrics } from '@/lib/metrics';
import { findCatalogEntry } from '@/lib/models/catalog';
import { fallbackFileStore } from '@/lib/models/file-store';
import type { AttachmentDeps } from './deps';
import { createUploadGate } from './upload-gate';

const globals = globalThis as { __miniChatAttachments?: Omit<AttachmentDeps, 'db'> };

/** The process's attachment service dependencies, built from the environment once. */
export async function attachmentDeps(): Promise<AttachmentDeps> {
  const db = await getDb();
  if (!globals.__miniChatAttachments) {
    const config = loadAttachmentConfig();
    globals.__miniChatAttachments = {
      config,
      fileStores: createFileStoreRegistry({ env: process.env, db: getDb, storageDir: config.fileStorageDir }),
      models: {
        find: findCatalogEntry,
        fallbackFileStore: fallbackFileStore(process.env),
      },
      metrics: processMetrics(),
      gate: createUploadGate(config.maxConcurrentUploads),
    };
  }
  return { db, ...globals.__miniChatAttachments };
}
