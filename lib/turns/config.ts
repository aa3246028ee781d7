import { z } from 'zod';
import { type Env, loadEnv } from '@/lib/env';
import type { StreamSettings } from './runner';

const seconds = z.coerce.number().positive();

const envSchema = z.object({
  SSE_PING_INTERVAL_SECONDS: seconds.default(15),
  MODEL_IDLE_TIMEOUT_SECONDS: seconds.default(120),
  TURN_SAVE_SECONDS: seconds.max(30).default(5),
});

/** The streams' timings; a bad value stops start-up with its name, as the other configurations do. */
export function loadStreamSettings(env: Env = process.env): StreamSettings {
  const e = loadEnv(envSchema, 'stream', env);
  return {
    pingIntervalMs: e.SSE_PING_INTERVAL_SECONDS * 1000,
    // The progress heartbeat, which saves the text so far; the orphan reaper's timeout (300 s,
    // at least 60 s) is many of these.
    heartbeatMs: e.TURN_SAVE_SECONDS * 1000,
    idleTimeoutMs: e.MODEL_IDLE_TIMEOUT_SECONDS * 1000,
    cancelPollMs: 2_000,
  };
}
