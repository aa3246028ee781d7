import { describe, expect, it } from 'vitest';
import { AppError } from '@/lib/errors';
import { drainInFlight, isDraining, refuseWhileDraining, trackInFlight } from '@/lib/lifecycle';

describe('draining the work in flight', () => {
  it('stops what stops at once, waits for the rest, cuts short what outlives the soft deadline', async () => {
    expect(isDraining()).toBe(false);
    expect(() => refuseWhileDraining()).not.toThrow();
    const calls: string[] = [];

    let stopAnswer = () => {};
    const answer = new Promise<void>((resolve) => {
      stopAnswer = resolve;
    });
    trackInFlight(answer, {
      onDrain: () => {
        calls.push('answer stopped');
        stopAnswer();
      },
    });

    let finishUpload = () => {};
    const quickUpload = new Promise<void>((resolve) => {
      finishUpload = resolve;
    });
    trackInFlight(quickUpload, { onDeadline: async () => void calls.push('quick upload cut') });

    let cutSlow = () => {};
    const slowUpload = new Promise<void>((resolve) => {
      cutSlow = resolve;
    });
    trackInFlight(slowUpload, {
      onDeadline: async () => {
        calls.push('slow upload cut');
        cutSlow();
      },
    });

    const now = Date.now();
    const draining = drainInFlight({ softDeadline: now + 300, hardDeadline: now + 2_000 });
    expect(isDraining()).toBe(true);
    setTimeout(finishUpload, 50);
    expect(await draining).toBe(1);
    expect(calls).toEqual(['answer stopped', 'slow upload cut']);

    // Work that starts while draining is stopped as it registers.
    trackInFlight(new Promise(() => {}), { onDrain: () => void calls.push('late answer stopped') });
    expect(calls.at(-1)).toBe('late answer stopped');

    const refusal = (() => {
      try {
        refuseWhileDraining();
      } catch (err) {
        return err;
      }
    })();
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: 'service_draining', headers: { 'retry-after': '5' } });
  });

  it('gives up waiting at the hard deadline for work that ignores its cut', async () => {
    trackInFlight(new Promise(() => {}), { onDeadline: async () => {} });
    const started = Date.now();
    expect(
      await drainInFlight({ softDeadline: started + 50, hardDeadline: started + 200 }),
    ).toBeGreaterThanOrEqual(1);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
