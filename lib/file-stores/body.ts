/**
 * Reading an upload's body, for every store that streams one: a stalled body must not hold an
 * upload (and what it has written so far) open once the request is given up on.
 */

/**
 * Waits for the next chunk, but gives up as soon as `signal` aborts: a stalled body would
 * otherwise hold the upload open indefinitely, and `stream.pipeline` does not settle in that case.
 */
export function nextOrAbort<T>(iterator: AsyncIterator<T>, signal?: AbortSignal): Promise<IteratorResult<T>> {
  if (!signal) return iterator.next();
  if (signal.aborted) return Promise.reject(signal.reason);
  const next = iterator.next();
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    next.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** Tells the body we stopped reading, without waiting on a body that may never answer. */
export function release(iterator: AsyncIterator<unknown>): void {
  Promise.resolve()
    .then(() => iterator.return?.())
    .catch(() => {});
}
