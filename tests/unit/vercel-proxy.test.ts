import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startVercelProxy, VERCEL_BODY_LIMIT_BYTES, type VercelProxy } from '@/tests/support/vercel-proxy';

interface Seen {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  bytes: number;
}

// The app behind the proxy: records what reached it, answers by path.
const seen: Seen[] = [];
let firstBytes: (() => void) | undefined;
let hungUp: (() => void) | undefined;
const app = http.createServer((req, res) => {
  const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, bytes: 0 };
  seen.push(entry);
  if (req.url === '/stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    res.write('data: first\n\n');
    req.socket.on('close', () => hungUp?.());
    return;
  }
  req.on('data', (chunk: Buffer) => {
    if (entry.bytes === 0) firstBytes?.();
    entry.bytes += chunk.length;
  });
  req.on('end', () => {
    res.writeHead(
      201,
      [
        ['set-cookie', 'a=1'],
        ['set-cookie', 'b=2'],
        ['x-app', 'yes'],
      ].flat(),
    );
    res.end(String(entry.bytes));
  });
});

let proxy: VercelProxy;
beforeAll(async () => {
  await new Promise<void>((resolve) => app.listen(0, '127.0.0.1', resolve));
  proxy = await startVercelProxy({
    target: { host: '127.0.0.1', port: (app.address() as AddressInfo).port },
  });
});
afterAll(async () => {
  await proxy.close();
  await new Promise((resolve) => app.close(resolve));
});

function send(body: Buffer, options: { chunked?: boolean } = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; text: string }>(
    (resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: proxy.port,
          method: 'PUT',
          path: '/upload',
          headers: options.chunked ? { 'transfer-encoding': 'chunked' } : { 'content-length': body.length },
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text }));
        },
      );
      req.on('error', reject);
      if (options.chunked) {
        // Several chunks, as a streaming client sends them.
        for (let at = 0; at < body.length; at += 1 << 20) req.write(body.subarray(at, at + (1 << 20)));
        req.end();
      } else {
        req.end(body);
      }
    },
  );
}

const expectRefused = (response: Awaited<ReturnType<typeof send>>) => {
  expect(response.status).toBe(413);
  expect(response.headers['x-vercel-error']).toBe('FUNCTION_PAYLOAD_TOO_LARGE');
  expect(response.text).toMatch(/FUNCTION_PAYLOAD_TOO_LARGE/);
};

describe("the Vercel-like proxy's body limit", () => {
  it('is 4.5 MB, decimal', () => expect(VERCEL_BODY_LIMIT_BYTES).toBe(4_500_000));

  for (const chunked of [false, true]) {
    const how = chunked ? 'a chunked body' : 'a body with its length';
    it(`lets ${how} of exactly the limit through, whole`, async () => {
      seen.length = 0;
      const response = await send(Buffer.alloc(VERCEL_BODY_LIMIT_BYTES, 1), { chunked });
      expect(response.status).toBe(201);
      expect(response.text).toBe(String(VERCEL_BODY_LIMIT_BYTES));
      expect(seen).toHaveLength(1);
    });

    it(`refuses ${how} one byte over, before the app sees anything`, async () => {
      seen.length = 0;
      expectRefused(await send(Buffer.alloc(VERCEL_BODY_LIMIT_BYTES + 1, 1), { chunked }));
      expectRefused(await send(Buffer.alloc(25 * 1024 * 1024, 1), { chunked }));
      expect(seen).toEqual([]);
    });
  }
});

describe('the Vercel-like proxy otherwise', () => {
  it('passes the request on as it arrives, with its host and the client appended to X-Forwarded-For', async () => {
    seen.length = 0;
    const arrived = new Promise<void>((resolve) => (firstBytes = resolve));
    const req = http.request({
      host: '127.0.0.1',
      port: proxy.port,
      method: 'PUT',
      path: '/upload?x=1',
      headers: { 'content-length': 2048, host: 'localhost:3100', 'x-forwarded-for': '203.0.113.9' },
    });
    const answered = new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    req.write(Buffer.alloc(1024));
    // The first half reaches the app while the second has not been sent: nothing is buffered.
    await arrived;
    req.end(Buffer.alloc(1024));
    const res = await answered;
    res.resume();
    expect(res.statusCode).toBe(201);
    // Repeated headers survive the trip back.
    expect(res.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(seen[0]).toMatchObject({ method: 'PUT', url: '/upload?x=1', bytes: 2048 });
    expect(seen[0]?.headers.host).toBe('localhost:3100');
    expect(seen[0]?.headers['x-forwarded-for']).toMatch(/^203\.0\.113\.9, (::ffff:)?127\.0\.0\.1$/);
  });

  it('streams the answer, and passes a client that hangs up on to the app', async () => {
    const gone = new Promise<void>((resolve) => (hungUp = resolve));
    const req = http.request({ host: '127.0.0.1', port: proxy.port, path: '/stream' });
    req.end();
    const res = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    const first = await new Promise<string>((resolve) =>
      res.once('data', (chunk: Buffer) => resolve(String(chunk))),
    );
    expect(first).toBe('data: first\n\n');
    req.destroy();
    await gone;
  });
});
