// The baseline for bench/upload.ts: a bare Node server that pipes each request body, unparsed,
// to the provider's file endpoint. No auth, no database, no checks: the most a route could do.
import http from 'node:http';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { port: { type: 'string' }, target: { type: 'string' } } });
const target = new URL(`${values.target}/files`);

const server = http.createServer((req, res) => {
  const upstream = http.request(
    target,
    {
      method: 'POST',
      headers: { 'content-type': req.headers['content-type'] ?? '', authorization: 'Bearer bench' },
    },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': 'application/json' });
      answer.pipe(res);
    },
  );
  req.pipe(upstream);
});
server.listen(Number(values.port), '127.0.0.1', () => console.log('passthrough ready'));
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => server.close());
