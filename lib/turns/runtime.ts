import { getDb } from '../db';
import { createChatModelRegistry } from '../llm/registry';
import { processMetrics } from '../metrics';
import { findModel } from '../models/catalog';
import { MAX_IMAGES_PER_MESSAGE } from './attachments';
import type { TurnDeps } from './service';

const globals = globalThis as { __miniChatTurns?: Omit<TurnDeps, 'db'> };

const seconds = (name: string, fallback: number) => {
  const value = Number(process.env[name]);
  return (Number.isFinite(value) && value > 0 ? value : fallback) * 1000;
};

/** The process's turn dependencies, built from the environment once. */
export async function turnDeps(): Promise<TurnDeps> {
  const db = await getDb();
  globals.__miniChatTurns ??= {
    models: { find: findModel },
    chatModel: createChatModelRegistry(process.env),
    metrics: processMetrics(),
    streams: {
      pingIntervalMs: seconds('SSE_PING_INTERVAL_SECONDS', 15),
      heartbeatMs: 30_000,
      idleTimeoutMs: seconds('MODEL_IDLE_TIMEOUT_SECONDS', 120),
      cancelPollMs: 2_000,
    },
    settings: {
      recentMessages: 10,
      fileSearchMaxResults: 8,
      localPassages: 4,
      maxImagesPerMessage: MAX_IMAGES_PER_MESSAGE,
    },
  };
  return { db, ...globals.__miniChatTurns };
}
