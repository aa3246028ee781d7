import { AppError } from '@/lib/errors';

/** The request's Content-Length, when it sent a usable one. */
export function contentLength(request: Request): number | null {
  const raw = request.headers.get('content-length');
  const n = raw === null ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}

export const payloadTooLarge = (maxBytes: number) =>
  new AppError('payload_too_large', `The request body can have at most ${maxBytes} bytes.`, {
    extensions: { max_bytes: maxBytes },
  });

/**
 * The whole body of a request that must be held in memory, refused with 413 past `maxBytes`: at
 * once from its Content-Length, else (a chunked body has none) as soon as the bytes read pass it,
 * so no more than `maxBytes` is ever read or held.
 */
export async function readBody(request: Request, maxBytes: number): Promise<Uint8Array> {
  const declared = contentLength(request);
  if (declared !== null && declared > maxBytes) throw payloadTooLarge(maxBytes);
  if (!request.body) return new Uint8Array(0);
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return Buffer.concat(chunks, length);
    length += value.byteLength;
    if (length > maxBytes) {
      // Not awaited: the refusal must not wait on the client, and the rest is never read.
      reader.cancel().catch(() => {});
      throw payloadTooLarge(maxBytes);
    }
    chunks.push(value);
  }
}
