import { attachmentDeps } from '@/lib/attachments/runtime';
import { loadAttachmentConfig } from '@/lib/attachments/config';
import type { Db } from '@/lib/db';
import { createFileStoreRegistry } from '@/lib/file-stores/registry';
import { errorFields, log } from '@/lib/log';
import { processMetrics } from '@/lib/metrics';
import { loadWorkerConfig } from '@/lib/outbox/config';
import { type DrainReport, drain, type OutboxDeps } from '@/lib/outbox/worker';
import { attachmentDeleted } from './attachment-deleted';
import { chatDeleted } from './chat-deleted';
import type { CleanupDeps } from './deps';
import { startWorkerLoop, type WorkerLoop } from './loop';
import { type ReapReport, reap } from './reaper';

export type WorkerDeps = CleanupDeps & OutboxDeps;

/** The outbox handlers over the cleanup dependencies. */
export function withHandlers(deps: CleanupDeps): WorkerDeps {
  return {
    ...deps,
    handlers: { attachment_deleted: attachmentDeleted(deps), chat_deleted: chatDeleted(deps) },
  };
}

/** Configuration from the environment, the real clock and the process's metrics. */
export function workerDepsFor(db: Db, fileStores: CleanupDeps['fileStores']): WorkerDeps {
  return withHandlers({
    db,
    fileStores,
    metrics: processMetrics(),
    config: loadWorkerConfig(),
    clock: Date.now,
  });
}

/** For an operator command, which opens its own database: providers built over that one. */
export function standaloneWorkerDeps(db: Db): WorkerDeps {
  const storageDir = loadAttachmentConfig().fileStorageDir;
  return workerDepsFor(db, createFileStoreRegistry({ env: process.env, db: async () => db, storageDir }));
}

/** The server process's worker: the attachment service's database and providers. */
export async function workerDeps(): Promise<WorkerDeps> {
  const { db, fileStores } = await attachmentDeps();
  return workerDepsFor(db, fileStores);
}

/** One pass of everything the worker does: the reaper first, then the outbox until `deadline`. */
export async function workOnce(
  deps: WorkerDeps,
  options: { deadline?: number; signal?: AbortSignal } = {},
): Promise<{ reaped: ReapReport; drained: DrainReport }> {
  const reaped = await reap(deps);
  const drained = await drain(deps, options);
  return { reaped, drained };
}

const globals = globalThis as { __miniChatWorker?: Promise<WorkerLoop | undefined> };

/**
 * Starts this process's worker once: dev-mode reloads and a second `register()` find it running.
 * Left off where the platform has no long-lived process (Vercel: the cron route drains instead).
 */
export function startInProcessWorker(): Promise<WorkerLoop | undefined> {
  globals.__miniChatWorker ??= workerDeps().then(
    (deps) => {
      log.info({ poll_ms: deps.config.pollMs }, 'in-process worker started');
      return startWorkerLoop(deps);
    },
    (err: unknown) => {
      log.error({ err: errorFields(err) }, 'in-process worker could not start');
      globals.__miniChatWorker = undefined;
      return undefined;
    },
  );
  return globals.__miniChatWorker;
}
