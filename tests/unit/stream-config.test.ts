import { describe, expect, it } from 'vitest';
import { loadStreamSettings } from '@/lib/turns/config';

describe('stream settings from the environment', () => {
  it("has upstream's defaults, and empty variables count as unset", () => {
    expect(loadStreamSettings({ SSE_PING_INTERVAL_SECONDS: '' })).toEqual({
      pingIntervalMs: 15_000,
      heartbeatMs: 5_000,
      idleTimeoutMs: 120_000,
      cancelPollMs: 2_000,
    });
    expect(
      loadStreamSettings({ SSE_PING_INTERVAL_SECONDS: '5', MODEL_IDLE_TIMEOUT_SECONDS: '600' }),
    ).toMatchObject({
      pingIntervalMs: 5_000,
      idleTimeoutMs: 600_000,
    });
  });

  it('refuses a value that is not a positive number, naming it', () => {
    expect(() => loadStreamSettings({ MODEL_IDLE_TIMEOUT_SECONDS: 'soon' })).toThrow(
      /MODEL_IDLE_TIMEOUT_SECONDS/,
    );
    expect(() => loadStreamSettings({ SSE_PING_INTERVAL_SECONDS: '0' })).toThrow(/SSE_PING_INTERVAL_SECONDS/);
  });
});
