import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Vercel Functions refuse a request body over 4.5 MB (decimal: "4.5 MB" on the limits page),
 * streamed or not, before the function runs; see /work/shared/reference/uploads-and-admin-facts.md.
 */
export const VERCEL_BODY_LIMIT_BYTES = 4_500_000;

export interface VercelProxy {
  port: number;
  url: string;
  close(): Promise<void>;
}

/** Vercel's answer, as its edge writes it: the function never sees the request. */
function refuse(res: http.ServerResponse) {
  const body = 'Request Entity Too Large\n\nFUNCTION_PAYLOAD_TOO_LARGE\n';
  res.writeHead(413, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'x-vercel-error': 'FUNCTION_PAYLOAD_TOO_LARGE',
  });
  // Node reads and discards the rest of the body, so the client gets to read this answer.
  res.end(body);
}

/**
 * A stand-in for Vercel's edge in front of `next start`, for the browser tests: a body over
 * {@link VERCEL_BODY_LIMIT_BYTES} is refused with 413 and `X-Vercel-Error:
 * FUNCTION_PAYLOAD_TOO_LARGE`, whether it declares its length (refused at once) or comes chunked
 * (held back until it is whole or too large, as the platform does, so the app never sees part of
 * it). Everything else goes through as a stream both ways, so uploads, server-sent events and a
 * client that hangs up behave as they do without it.
 */
export async function startVercelProxy(options: {
  target: { host: string; port: number };
  port?: number;
  limitBytes?: number;
}): Promise<VercelProxy> {
  const limit = options.limitBytes ?? VERCEL_BODY_LIMIT_BYTES;

  const server = http.createServer((req, res) => {
    const headers = { ...req.headers };
    const client = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = headers['x-forwarded-for']
      ? `${headers['x-forwarded-for']}, ${client}`
      : client;
    headers['x-forwarded-host'] ??= headers.host;
    headers['x-forwarded-proto'] ??= 'http';

    const forward = (body: Buffer | null) => {
      const upstream = http.request(
        // A fresh connection each time: a kept-alive one that the app closes as idle just as a
        // request is written on it would lose that request.
        { ...options.target, method: req.method, path: req.url, headers, agent: false },
        (upstreamRes) => {
          res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.statusMessage, upstreamRes.rawHeaders);
          res.flushHeaders();
          upstreamRes.pipe(res);
        },
      );
      upstream.setNoDelay(true);
      upstream.on('error', () => {
        if (!res.headersSent) res.writeHead(502, { 'x-vercel-error': 'NO_RESPONSE_FROM_FUNCTION' });
        res.destroy();
      });
      // A client that hangs up is passed on: the app must see it to cancel what it was doing.
      res.on('close', () => {
        if (!res.writableFinished) upstream.destroy();
      });
      if (body) upstream.end(body);
      else req.pipe(upstream);
    };

    const declared = req.headers['content-length'];
    if (declared !== undefined) {
      if (Number(declared) > limit) return refuse(res);
      return forward(null);
    }
    if (req.headers['transfer-encoding'] === undefined) return forward(null);

    const chunks: Buffer[] = [];
    let received = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      received += chunk.length;
      if (received > limit) {
        refused = true;
        chunks.length = 0;
        refuse(res);
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (refused) return;
      delete headers['transfer-encoding'];
      headers['content-length'] = String(received);
      forward(Buffer.concat(chunks));
    });
  });
  server.keepAliveTimeout = 30_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    url: `http://localhost:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
