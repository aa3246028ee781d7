import { randomUUID } from 'node:crypto';
import { expect } from 'vitest';
import { FileStoreError } from '@/lib/file-stores/ports';

export const structuredName = (ext: string) => `${randomUUID()}_${randomUUID()}.${ext}`;

export async function* streamOf(...parts: (string | Uint8Array)[]): AsyncIterable<Uint8Array> {
  for (const part of parts) yield typeof part === 'string' ? new TextEncoder().encode(part) : part;
}

export async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail('expected a rejection'),
    (err: unknown) => err,
  );
}

export async function expectProviderError(promise: Promise<unknown>, code: string, status?: number) {
  const err = await rejection(promise);
  expect(err).toBeInstanceOf(FileStoreError);
  expect(err).toMatchObject({ code, ...(status === undefined ? {} : { status }) });
}

/** All of a stream's bytes. */
export async function bytesOf(body: ReadableStream<Uint8Array>): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) chunks.push(chunk);
  return Buffer.concat(chunks);
}
