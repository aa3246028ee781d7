import 'server-only';
import OpenAI from 'openai';
import { azureClientFromEnv, openAIClientFromEnv } from '@/lib/file-stores/openai';
import type { ModelEntry } from '@/lib/models/catalog';
import { createChatCompletionsModel } from './chat-completions';
import { createOfflineModel } from './offline';
import { type ChatModel, ModelError } from './ports';
import { createResponsesModel } from './responses';

type Env = Record<string, string | undefined>;

/** A model whose provider is not configured fails each turn with a clear error, not start-up. */
const unconfigured = (what: string): ChatModel => ({
  // biome-ignore lint/correctness/useYield: it fails before it would yield anything.
  async *stream() {
    throw new ModelError('provider_unavailable', `${what} is not configured`);
  },
});

/** An OpenAI-compatible server: its own base URL, or OPENAI_BASE_URL; local servers take any key. */
function compatibleClient(env: Env): OpenAI | undefined {
  const baseURL = env.OPENAI_COMPATIBLE_BASE_URL?.trim() || env.OPENAI_BASE_URL?.trim();
  if (!baseURL) return undefined;
  const apiKey = env.OPENAI_COMPATIBLE_API_KEY?.trim() || env.OPENAI_API_KEY?.trim() || 'not-needed';
  return new OpenAI({ baseURL, apiKey, maxRetries: 1 });
}

/** Builds each provider's chat model once, on first use, from the environment. */
export function createChatModelRegistry(env: Env): (model: ModelEntry) => ChatModel {
  const built = new Map<ModelEntry['provider'], ChatModel>();
  const build = (provider: ModelEntry['provider']): ChatModel => {
    switch (provider) {
      case 'offline':
        return createOfflineModel();
      case 'openai': {
        const client = openAIClientFromEnv(env);
        return client ? createResponsesModel(client) : unconfigured('OpenAI (OPENAI_API_KEY)');
      }
      case 'azure': {
        const client = azureClientFromEnv(env);
        return client ? createResponsesModel(client) : unconfigured('Azure OpenAI');
      }
      case 'openai-compatible': {
        const client = compatibleClient(env);
        return client ? createChatCompletionsModel(client) : unconfigured('The OpenAI-compatible server');
      }
    }
  };
  return (model) => {
    let chatModel = built.get(model.provider);
    if (!chatModel) {
      chatModel = build(model.provider);
      built.set(model.provider, chatModel);
    }
    return chatModel;
  };
}
