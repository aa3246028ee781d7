import type { FileStoreId } from '@/lib/file-stores/ports';
import type { ModelEntry } from './catalog';

/**
 * The file store that keeps a chat's files for its model, and the only one the model can search:
 * OpenAI and Azure search their own vector stores with their hosted tool; the other models read
 * passages from our own index.
 */
const FILE_STORES: Record<ModelEntry['provider'], FileStoreId> = {
  openai: 'openai',
  azure: 'azure',
  offline: 'local',
  'openai-compatible': 'local',
};

export const fileStoreOf = (model: ModelEntry): FileStoreId => FILE_STORES[model.provider];

/**
 * Where the files of a chat whose model has left the catalog go: OpenAI's store when a key is
 * set (the built-in catalog's models are OpenAI's then), else our own.
 */
export const fallbackFileStore = (env: Record<string, string | undefined>): FileStoreId =>
  env.OPENAI_API_KEY?.trim() ? 'openai' : 'local';
