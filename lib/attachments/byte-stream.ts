/** Helpers over the upload's byte stream; none of them holds more than one chunk (or the head). */

export interface Head {
  head: Uint8Array;
  /** True when the stream ended within the head: the head is the whole file. */
  ended: boolean;
  /** The rest of the stream, after the head. */
  rest: AsyncIterator<Uint8Array>;
}

/** Reads the first `size` bytes (fewer if the stream is shorter), keeping the rest unread. */
export async function readHead(body: AsyncIterable<Uint8Array>, size: number): Promise<Head> {
  const iterator = body[Symbol.asyncIterator]();
  const chunks: Uint8Array[] = [];
  let length = 0;
  let pending: Uint8Array | undefined;
  while (length < size) {
    const next = await iterator.next();
    if (next.done) return { head: concat(chunks, length), ended: true, rest: iterator };
    const chunk = next.value;
    const take = Math.min(chunk.byteLength, size - length);
    chunks.push(chunk.subarray(0, take));
    length += take;
    if (take < chunk.byteLength) pending = chunk.subarray(take);
  }
  return { head: concat(chunks, length), ended: false, rest: prepend(pending, iterator) };
}

/** Waits for the stream's first bytes (or its end), and keeps them for whoever reads it next. */
export async function firstBytes(body: AsyncIterable<Uint8Array>): Promise<AsyncIterable<Uint8Array>> {
  const iterator = body[Symbol.asyncIterator]();
  const first = await iterator.next();
  const rest = first.done ? iterator : prepend(first.value, iterator);
  return { [Symbol.asyncIterator]: () => rest };
}

function prepend(
  first: Uint8Array | undefined,
  iterator: AsyncIterator<Uint8Array>,
): AsyncIterator<Uint8Array> {
  if (!first) return iterator;
  let sent = false;
  return {
    next: () => {
      if (sent) return iterator.next();
      sent = true;
      return Promise.resolve({ done: false, value: first });
    },
    return: (value?: unknown) =>
      iterator.return?.(value) ?? Promise.resolve({ done: true, value: undefined }),
  };
}

function concat(chunks: Uint8Array[], length: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

const BATCH_BYTES = 1024 * 1024;

/** Thrown from inside the stream when it passes the byte limit, to stop the provider upload. */
export class ByteLimitExceeded extends Error {
  constructor(readonly limit: number) {
    super(`stream exceeded ${limit} bytes`);
    this.name = 'ByteLimitExceeded';
  }
}

export interface MeteredStream extends AsyncIterable<Uint8Array> {
  /** Bytes that went through so far. */
  readonly bytes: number;
  /**
   * Why the stream stopped early, if it did: our own limit or check, or the client's side. The
   * provider upload then fails with some error of its own; this says what really happened.
   */
  readonly failure: { from: 'check' | 'source'; error: unknown } | undefined;
}

/**
 * The head and then the rest, as one stream that counts its bytes, stops at `limit`, and shows
 * every chunk to `inspect` (content checks, thumbnail buffering) on its way to the provider.
 */
export function meteredStream(
  head: Head,
  limit: number,
  inspect: (chunk: Uint8Array) => void,
  onEnd: () => void,
): MeteredStream {
  let bytes = 0;
  let failure: MeteredStream['failure'];
  const check = (fn: () => void) => {
    try {
      fn();
    } catch (error) {
      failure ??= { from: 'check', error };
      throw error;
    }
  };
  const pass = (chunk: Uint8Array) => {
    check(() => {
      bytes += chunk.byteLength;
      if (bytes > limit) throw new ByteLimitExceeded(limit);
      inspect(chunk);
    });
    return chunk;
  };
  const read = async () => {
    try {
      return await head.rest.next();
    } catch (error) {
      failure ??= { from: 'source', error };
      throw error;
    }
  };
  async function* generate(): AsyncGenerator<Uint8Array> {
    // Network chunks are ~64 KiB, and every chunk costs the SDK's multipart encoder a few
    // generators and promises; handing it ~1 MiB batches cuts that per-chunk cost twentyfold.
    let batch: Uint8Array[] = [];
    let batched = 0;
    const flush = () => {
      const out = batch.length === 1 ? (batch[0] as Uint8Array) : Buffer.concat(batch, batched);
      batch = [];
      batched = 0;
      return out;
    };
    try {
      if (head.head.byteLength > 0) {
        batch.push(pass(head.head));
        batched += head.head.byteLength;
      }
      if (!head.ended) {
        for (let next = await read(); !next.done; next = await read()) {
          batch.push(pass(next.value));
          batched += next.value.byteLength;
          if (batched >= BATCH_BYTES) yield flush();
        }
      }
      check(onEnd);
      if (batched > 0) yield flush();
    } finally {
      // Stop reading the request when the provider side stops early.
      await head.rest.return?.();
    }
  }
  const iterable = generate();
  return {
    get bytes() {
      return bytes;
    },
    get failure() {
      return failure;
    },
    [Symbol.asyncIterator]: () => iterable,
  };
}
