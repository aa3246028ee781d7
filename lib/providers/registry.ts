import type { Db } from '../db';
import { createLocalProvider } from './local';
import { azureClientFromEnv, createOpenAIProvider, openAIClientFromEnv } from './openai';
import { type AttachmentProvider, ProviderError, type ProviderId } from './ports';

/**
 * Builds each provider once, on first use, from the environment. A provider that is not
 * configured fails its calls with a configuration error instead of failing start-up, so a laptop
 * with no keys runs everything that does not need them.
 */
export function createProviderRegistry(options: {
  env: Record<string, string | undefined>;
  db: () => Promise<Db>;
  storageDir: string;
}): (id: ProviderId) => AttachmentProvider {
  const built = new Map<ProviderId, AttachmentProvider>();
  const build = (id: ProviderId): AttachmentProvider => {
    if (id === 'local') return createLocalProvider({ db: options.db, storageDir: options.storageDir });
    const client = id === 'openai' ? openAIClientFromEnv(options.env) : azureClientFromEnv(options.env);
    if (!client) {
      throw new ProviderError('configuration_error', `provider ${id} is not configured (set its API key)`);
    }
    return createOpenAIProvider({
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
