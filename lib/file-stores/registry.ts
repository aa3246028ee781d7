import 'server-only';
import type { Db } from '@/lib/db';
import { createIndexedFileStore, folderBytes } from './local';
import { azureClientFromEnv, createOpenAIFileStore, openAIClientFromEnv } from './openai';
import { type FileStore, FileStoreError, type FileStoreId } from './ports';
import { loadS3Config, s3Bytes } from './s3';

/**
 * Builds each provider once, on first use, from the environment. A provider that is not
 * configured fails its calls with a configuration error instead of failing start-up, so a laptop
 * with no keys runs everything that does not need them.
 */
export function createFileStoreRegistry(options: {
  env: Record<string, string | undefined>;
  db: () => Promise<Db>;
  storageDir: string;
}): (id: FileStoreId) => FileStore {
  const built = new Map<FileStoreId, FileStore>();
  const build = (id: FileStoreId): FileStore => {
    if (id === 'local') {
      // FILE_STORE=s3 moves the local index's bytes to a bucket; search stays in the database.
      const s3 = loadS3Config(options.env);
      const bytes = s3 ? s3Bytes(s3) : folderBytes(options.storageDir);
      return createIndexedFileStore({ db: options.db, bytes });
    }
    const client = id === 'openai' ? openAIClientFromEnv(options.env) : azureClientFromEnv(options.env);
    if (!client) {
      throw new FileStoreError('configuration_error', `provider ${id} is not configured (set its API key)`);
    }
    return createOpenAIFileStore({
      id,
      client,
      storageBackend: options.env[`${id.toUpperCase()}_STORAGE_BACKEND`],
    });
  };
  return (id) => {
    let provider = built.get(id);
    if (!provider) {
      provider = build(id);
      built.set(id, provider);
    }
    return provider;
  };
}
