import { type DrainReport, drain, type OutboxDeps } from '@/lib/outbox/worker';
import { attachmentDeleted } from './attachment-deleted';
import { chatDeleted } from './chat-deleted';
import type { CleanupDeps } from './deps';
import { type ReapReport, reap } from './reaper';

export type WorkerDeps = CleanupDeps & OutboxDeps;

/** The outbox handlers over the cleanup dependencies. */
export function withHandlers(deps: CleanupDeps): WorkerDeps {
  return {
    ...deps,
    handlers: { attachment_deleted: attachmentDeleted(deps), chat_deleted: chatDeleted(deps) },
  };
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
