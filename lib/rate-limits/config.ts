import { z } from 'zod';
import { type Env, loadEnv } from '@/lib/env';

const count = z.coerce.number().int().positive().max(1_000_000);

const envSchema = z.object({
  RATE_CHATS_PER_MINUTE: count.default(30),
  RATE_MESSAGES_PER_MINUTE: count.default(20),
  RATE_TOKENS_PER_HOUR: count.default(20),
  API_TOKENS_MAX_PER_USER: count.default(50),
});

/** At most `limit` creations by one user in any `per` (a sliding window). */
export interface RateRule {
  limit: number;
  per: 'minute' | 'hour';
}

/**
 * What one user may create, whatever the client: generous for a person, a wall for a script.
 * Messages count every answer asked for (a retry too); tokens count revoked ones too.
 */
export interface RateLimits {
  chats: RateRule;
  messages: RateRule;
  tokens: RateRule;
  /** API tokens a user may hold unrevoked at once. */
  liveTokens: number;
}

export function loadRateLimits(env: Env = process.env): RateLimits {
  const e = loadEnv(envSchema, 'rate limit', env);
  return {
    chats: { limit: e.RATE_CHATS_PER_MINUTE, per: 'minute' },
    messages: { limit: e.RATE_MESSAGES_PER_MINUTE, per: 'minute' },
    tokens: { limit: e.RATE_TOKENS_PER_HOUR, per: 'hour' },
    liveTokens: e.API_TOKENS_MAX_PER_USER,
  };
}
