import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type BodyPace, createBodyClock } from '@/lib/attachments/body-clock';
import { AppError } from '@/lib/errors';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** A client's body whose chunks the test hands over one at a time, whenever it likes. */
function client() {
  const waiting: ((chunk: IteratorResult<Uint8Array>) => void)[] = [];
  const source: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      next: () => new Promise((resolve) => waiting.push(resolve)),
      return: () => new Promise(() => {}),
    }),
  };
  return {
    source,
    send: (bytes: number) => waiting.shift()?.({ done: false, value: new Uint8Array(bytes) }),
  };
}

function clocked(pace: BodyPace) {
  const giveUp = vi.fn();
  const clock = createBodyClock(pace, giveUp, () => Date.now());
  const c = client();
  const body = clock.body(c.source)[Symbol.asyncIterator]();
  return { clock, giveUp, send: c.send, body };
}

async function refusal(promise: Promise<unknown>): Promise<AppError> {
  const settled = promise.then(
    () => {
      throw new Error('expected upload_timeout');
    },
    (err: unknown) => err,
  );
  const err = await settled;
  expect(err).toBeInstanceOf(AppError);
  return err as AppError;
}

describe('the body clock', () => {
  it('fails a read that waits past the idle timeout, gives up once, and fails every read after', async () => {
    const { body, send, giveUp } = clocked({ idleMs: 1_000, minBytesPerSecond: 0 });
    const first = body.next();
    await vi.advanceTimersByTimeAsync(999);
    send(10);
    expect(await first).toMatchObject({ done: false });

    const stalled = refusal(body.next());
    await vi.advanceTimersByTimeAsync(1_000);
    expect(await stalled).toMatchObject({ code: 'upload_timeout', status: 408 });
    expect(giveUp).toHaveBeenCalledTimes(1);

    expect((await refusal(body.next())).code).toBe('upload_timeout');
    expect(giveUp).toHaveBeenCalledTimes(1);
    // The source's pending read never ends; closing the body does not wait for it.
    await expect(body.return?.()).resolves.toMatchObject({ done: true });
  });

  it('stands still while nobody reads: a slow file store costs the client nothing', async () => {
    const { body, send, giveUp } = clocked({ idleMs: 1_000, minBytesPerSecond: 1_000 });
    for (let i = 0; i < 5; i++) {
      const next = body.next();
      await vi.advanceTimersByTimeAsync(100);
      send(1_000);
      await next;
      // The file store takes its time before it asks for more.
      await vi.advanceTimersByTimeAsync(60_000);
    }
    expect(giveUp).not.toHaveBeenCalled();
  });

  it('cuts off a client that is never idle but sends less than the least rate, once the grace is over', async () => {
    const { body, send, giveUp } = clocked({ idleMs: 1_000, minBytesPerSecond: 1_000 });
    // 100 bytes every 500 ms: 200 bytes a second, and never 1 s of silence.
    let failed: AppError | undefined;
    let waited = 0;
    while (!failed && waited < 10_000) {
      const next = body.next().then(
        () => undefined,
        (err: AppError) => err,
      );
      await vi.advanceTimersByTimeAsync(500);
      waited += 500;
      send(100);
      failed = await next;
    }
    expect(failed?.code).toBe('upload_timeout');
    expect(failed?.message).toMatch(/slower than 1000 bytes a second/);
    // Judged at the first chunk after the grace (the idle timeout), not before.
    expect(waited).toBe(1_500);
    expect(giveUp).toHaveBeenCalledTimes(1);
  });

  it('lets a client that keeps up with the least rate go on for as long as its file takes', async () => {
    const { body, send, giveUp } = clocked({ idleMs: 1_000, minBytesPerSecond: 1_000 });
    for (let i = 0; i < 60; i++) {
      const next = body.next();
      await vi.advanceTimersByTimeAsync(900);
      send(1_000);
      await next;
    }
    expect(giveUp).not.toHaveBeenCalled();
  });

  it('gives the file part its headers within the idle timeout', async () => {
    const giveUp = vi.fn();
    const clock = createBodyClock({ idleMs: 2_000, minBytesPerSecond: 0 }, giveUp, () => Date.now());
    const never = refusal(clock.opening(new Promise(() => {})));
    await vi.advanceTimersByTimeAsync(2_000);
    expect((await never).message).toMatch(/did not start within 2 seconds/);
    expect(giveUp).toHaveBeenCalledTimes(1);

    const other = createBodyClock({ idleMs: 2_000, minBytesPerSecond: 0 }, vi.fn());
    await expect(other.opening(Promise.resolve('part'))).resolves.toBe('part');
  });
});
