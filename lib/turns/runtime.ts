import { attachmentDeps } from '@/lib/attachments/runtime';
import { createChatModelRegistry } from '@/lib/llm/registry';
import { processMetrics } from '@/lib/metrics';
import { findModel } from '@/lib/models/catalog';
import { loadStreamSettings } from './config';
import { MAX_IMAGES_PER_MESSAGE } from './limits';
import type { TurnDeps } from './service';

const globals = globalThis as { __miniChatTurns?: Omit<TurnDeps, 'db' | 'fileStores'> };

/** The process's turn dependencies, built from the environment once. */
export async function turnDeps(): Promise<TurnDeps> {
  // The attachment service's file stores: a turn searches where the uploads went.
  const { db, fileStores } = await attachmentDeps();
  globals.__miniChatTurns ??= {
    models: { find: findModel },
    chatModel: createChatModelRegistry(process.env),
    metrics: processMetrics(),
    streams: loadStreamSettings(),
    settings: {
      recentMessages: 10,
      fileSearchMaxResults: 8,
      localPassages: 4,
      maxImagesPerMessage: MAX_IMAGES_PER_MESSAGE,
    },
  };
  return { db, fileStores, ...globals.__miniChatTurns };
}
