import { loadAttachmentConfig } from '../config';
import { getDb } from '../db';
import { processMetrics } from '../metrics';
import { findCatalogEntry } from '../models/catalog';
import { createProviderRegistry } from '../providers/registry';
import type { AttachmentDeps } from './service';
import { createUploadGate } from './upload-gate';

const globals = globalThis as { __miniChatAttachments?: Omit<AttachmentDeps, 'db'> };

/** The process's attachment service dependencies, built from the environment once. */
export async function attachmentDeps(): Promise<AttachmentDeps> {
  const db = await getDb();
  if (!globals.__miniChatAttachments) {
    const config = loadAttachmentConfig();
    globals.__miniChatAttachments = {
      config,
      providers: createProviderRegistry({ env: process.env, db: getDb, storageDir: config.fileStorageDir }),
      models: {
        find: findCatalogEntry,
        fallbackProvider: process.env.OPENAI_API_KEY?.trim() ? 'openai' : 'local',
      },
      metrics: processMetrics(),
      gate: createUploadGate(config.maxConcurrentUploads),
    };
  }
  return { db, ...globals.__miniChatAttachments };
}
