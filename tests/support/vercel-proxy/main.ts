// Vercel's edge in front of `next start`, for the browser tests (playwright.config.ts):
//   node --import tsx tests/support/vercel-proxy/main.ts --port 3100 --target 3198
import { parseArgs } from 'node:util';
import { startVercelProxy } from './index';

const { values } = parseArgs({ options: { port: { type: 'string' }, target: { type: 'string' } } });
const proxy = await startVercelProxy({
  port: Number(values.port),
  target: { host: '127.0.0.1', port: Number(values.target) },
});
console.log(`vercel-proxy listening on ${proxy.url}, forwarding to 127.0.0.1:${values.target}`);
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, () => void proxy.close());
