import { AppError } from '@/lib/errors';

/**
 * How fast a client must send an upload. Only the time spent waiting on the client counts: while
 * the file store is slow to take the bytes we are not reading, and the clock stands still.
 */
export interface BodyPace {
  /** The longest wait for the next bytes, and for the file part's headers at the start. */
  idleMs: number;
  /**
   * The least average rate over the time spent waiting, judged as each chunk arrives once that
   * time passes `idleMs` (a slow start is forgiven that long); 0 judges no rate. It stops a client
   * that sends a byte now and then, just often enough never to be idle.
   */
  minBytesPerSecond: number;
}

export interface BodyClock {
  /** Waits for the file part's headers, within `idleMs` in all. */
  opening<T>(opening: Promise<T>): Promise<T>;
  /** The file's bytes, each read within what the pace still allows. */
  body(source: AsyncIterable<Uint8Array>): AsyncIterable<Uint8Array>;
}

const seconds = (ms: number) => Math.round(ms / 100) / 10;

/**
 * Times one upload's body against `pace`. A wait that runs out fails at once with
 * `upload_timeout`, as does every read after it, and `giveUp` is called: a read that never returns
 * cannot be cancelled from here, so the caller stops reading the request itself.
 */
export function createBodyClock(
  pace: BodyPace,
  giveUp: () => void,
  now: () => number = () => performance.now(),
): BodyClock {
  let waitedMs = 0;
  let bytes = 0;
  let expired: AppError | undefined;

  const idle = () =>
    new AppError('upload_timeout', `The upload sent nothing for ${seconds(pace.idleMs)} seconds.`);
  const slow = () =>
    new AppError(
      'upload_timeout',
      `The upload arrived slower than ${pace.minBytesPerSecond} bytes a second, the least accepted.`,
    );
  const noFile = () =>
    new AppError('upload_timeout', `The file did not start within ${seconds(pace.idleMs)} seconds.`);

  /** The average since the first read, judged as each chunk arrives once the grace is over. */
  const tooSlow = () =>
    pace.minBytesPerSecond > 0 && waitedMs > pace.idleMs && bytes * 1000 < pace.minBytesPerSecond * waitedMs;

  const expire = (error: AppError) => {
    expired = error;
    giveUp();
    return error;
  };

  async function within<T>(promise: Promise<T>, error: () => AppError): Promise<T> {
    if (expired) throw expired;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const timedOut = error();
        // Rejected before giving up: the source may fail the pending read in the same tick.
        reject(timedOut);
        expire(timedOut);
      }, pace.idleMs);
    });
    try {
      return await Promise.race([promise, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  return {
    opening: (opening) => within(opening, noFile),
    body(source) {
      const iterator = source[Symbol.asyncIterator]();
      const timed: AsyncIterator<Uint8Array> = {
        async next() {
          const started = now();
          let next: IteratorResult<Uint8Array>;
          try {
            next = await within(iterator.next(), idle);
          } finally {
            waitedMs += now() - started;
          }
          if (!next.done) {
            bytes += next.value.byteLength;
            if (tooSlow()) throw expire(slow());
          }
          return next;
        },
        async return() {
          // Once the clock has run out the source may still have a read pending, and would answer
          // this only once that read ends: never, for a client that went quiet.
          if (!expired) await iterator.return?.();
          return { done: true, value: undefined };
        },
      };
      return { [Symbol.asyncIterator]: () => timed };
    },
  };
}
