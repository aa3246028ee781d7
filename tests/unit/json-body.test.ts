import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { MAX_JSON_BODY_BYTES, readJson } from '@/lib/http/json';
import { MAX_CONTENT_CHARS } from '@/lib/turns/limits';
import { failure } from '@/tests/support/fixtures';

const CHUNK = 64 * 1024;

/** A body streamed in 64 KiB chunks, `total` bytes in all, counting what was pulled. */
function streamedBody(total = 4 * MAX_JSON_BODY_BYTES) {
  const seen = { pulled: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      const size = Math.min(CHUNK, total - seen.pulled);
      if (size <= 0) return controller.close();
      seen.pulled += size;
      controller.enqueue(new Uint8Array(size).fill(0x20));
    },
    cancel() {
      seen.cancelled = true;
    },
  });
  return { body, seen };
}

const post = (body: BodyInit | null, headers: Record<string, string> = {}) =>
  new Request('http://localhost/api/test', {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);

describe('readJson', () => {
  it('parses a body and reads an empty one as undefined', async () => {
    expect(await readJson(post('{"title":"Q3"}'))).toEqual({ title: 'Q3' });
    expect(await readJson(post(null))).toBeUndefined();
    expect(await readJson(post(' \n'))).toBeUndefined();
    expect((await failure(readJson(post('{"title":')))).code).toBe('validation_error');
  });

  it('refuses a Content-Length over the cap with 413 without reading the body', async () => {
    const { body, seen } = streamedBody();
    const error = await failure(readJson(post(body, { 'content-length': String(50 * 1024 * 1024) })));
    expect(error).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(error.extensions.max_bytes).toBe(MAX_JSON_BODY_BYTES);
    // What the stream had queued before anyone read it, and nothing more.
    expect(seen.pulled).toBeLessThanOrEqual(CHUNK);
  });

  it('counts a body without a Content-Length and stops reading once it passes the cap', async () => {
    const { body, seen } = streamedBody();
    const error = await failure(readJson(post(body)));
    expect(error).toMatchObject({ code: 'payload_too_large', status: 413 });
    expect(seen.pulled).toBeGreaterThan(MAX_JSON_BODY_BYTES);
    expect(seen.pulled).toBeLessThanOrEqual(MAX_JSON_BODY_BYTES + 2 * CHUNK);
    expect(seen.cancelled).toBe(true);
  });

  it('takes a body of exactly the cap, and refuses one byte more', async () => {
    expect(await readJson(post(streamedBody(MAX_JSON_BODY_BYTES).body))).toBeUndefined();
    const over = await failure(readJson(post(streamedBody(MAX_JSON_BODY_BYTES + 1).body)));
    expect(over.code).toBe('payload_too_large');
  });

  it('takes the largest valid message even with every character escaped', async () => {
    // Control characters are always written as \uXXXX: six bytes for each of the message's characters.
    const message = {
      content: '\u0001'.repeat(MAX_CONTENT_CHARS),
      request_id: randomUUID(),
      attachment_ids: Array.from({ length: 50 }, () => randomUUID()),
    };
    const text = JSON.stringify(message);
    expect(Buffer.byteLength(text)).toBeGreaterThan(6 * MAX_CONTENT_CHARS);
    expect(await readJson(post(text, { 'content-length': String(Buffer.byteLength(text)) }))).toEqual(
      message,
    );
  });
});
