import { z } from 'zod';
import type { StreamSettings } from './runner';

const seconds = z.coerce.number().positive();

const envSchema = z.object({
  SSE_PING_INTERVAL_SECONDS: seconds.default(15),
  MODEL_IDLE_TIMEOUT_SECONDS: seconds.default(120),
});

/** The streams' timings; a bad value stops start-up with its name, as the other configurations do. */
export function loadStreamSettings(env: Record<string, string | undefined> = process.env): StreamSettings {
  // Empty variables count as unset, as in the upload and worker configurations.
  const set = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== ''));
  const parsed = envSchema.safeParse(set);
  if (!parsed.success) throw new Error(`Invalid stream configuration: ${z.prettifyError(parsed.error)}`);
  return {
    pingIntervalMs: parsed.data.SSE_PING_INTERVAL_SECONDS * 1000,
    // Upstream's progress heartbeat; the orphan reaper's timeout (300 s) is several of these.
    heartbeatMs: 30_000,
    idleTimeoutMs: parsed.data.MODEL_IDLE_TIMEOUT_SECONDS * 1000,
    cancelPollMs: 2_000,
  };
}
