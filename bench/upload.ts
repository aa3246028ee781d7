// bench/upload: a 25 MiB document uploaded through POST /api/chats/{id}/attachments of a
// production server (next start) to the fake OpenAI provider, against a bare pass-through of the
// same bytes to the same fake. Reports the server's peak RSS growth and both throughputs.
//
//   npm run build && npx tsx bench/upload.ts [--runs 5] [--mib 25] [--postgres postgres://…/postgres]
//
// With --postgres, the server runs on a database created for the run on that server (and dropped
// afterwards) instead of the embedded PGlite.
import { parseArgs } from 'node:util';
import { median, rssKiB, run, start, startStack, uploadMultipart } from './harness';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '5' },
    mib: { type: 'string', default: '25' },
    postgres: { type: 'string' },
  },
});
const RUNS = Number(values.runs);
const SIZE = Number(values.mib) * 1024 * 1024;
const FAKE_PORT = 3291;
const APP_PORT = 3292;
const PASS_PORT = 3293;

/** Deleting each upload keeps the chat under its 100 MB total however many runs there are. */
async function remove(pathname: string, token: string) {
  const res = await fetch(`http://127.0.0.1:${APP_PORT}${pathname}`, {
    method: 'DELETE',
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.status !== 204) throw new Error(`delete failed: ${res.status}`);
}

const upload = (port: number, pathname: string, token?: string) =>
  uploadMultipart(port, pathname, SIZE, token);

async function main() {
  const stack = await startStack({
    name: 'bench-upload',
    fakePort: FAKE_PORT,
    appPort: APP_PORT,
    postgres: values.postgres,
  });
  const { app, token } = stack;
  await start(
    'node',
    [
      '--import',
      'tsx',
      'bench/passthrough-server.ts',
      '--port',
      String(PASS_PORT),
      '--target',
      `${stack.fakeOrigin}/v1`,
    ],
    {},
    /ready/,
  );
  const chat = (await (await stack.post('/api/chats', { model: 'gpt-4.1-mini' })).json()) as { id: string };
  const route = `/api/chats/${chat.id}/attachments`;

  // Warm up both paths (JIT, database, connection pools) before measuring.
  const warm = await upload(APP_PORT, route, token);
  if (warm.status !== 201) throw new Error(`warm-up upload failed: ${warm.status} ${warm.body}`);
  await remove(`${route}/${(JSON.parse(warm.body) as { id: string }).id}`, token);
  await upload(PASS_PORT, '/');

  const routeRuns: { seconds: number; growthKiB: number }[] = [];
  const passRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const pid = app.pid as number;
    const baseline = rssKiB(pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKiB(pid));
    }, 10);
    const result = await upload(APP_PORT, route, token);
    clearInterval(sampler);
    peak = Math.max(peak, rssKiB(pid));
    if (result.status !== 201) throw new Error(`upload failed: ${result.status} ${result.body}`);
    await remove(`${route}/${(JSON.parse(result.body) as { id: string }).id}`, token);
    routeRuns.push({ seconds: result.seconds, growthKiB: peak - baseline });
    const pass = await upload(PASS_PORT, '/');
    if (pass.status !== 200) throw new Error(`pass-through failed: ${pass.status} ${pass.body}`);
    passRuns.push(pass.seconds);
  }

  const mib = SIZE / 1024 / 1024;
  const routeSeconds = median(routeRuns.map((r) => r.seconds));
  const passSeconds = median(passRuns);
  const peakGrowth = Math.max(...routeRuns.map((r) => r.growthKiB)) / 1024;
  const ratio = passSeconds / routeSeconds;
  console.log(`runs: ${RUNS} × ${mib} MiB text document, database: ${stack.database}`);
  console.log(`route:        median ${routeSeconds.toFixed(3)} s = ${(mib / routeSeconds).toFixed(1)} MiB/s`);
  console.log(`pass-through: median ${passSeconds.toFixed(3)} s = ${(mib / passSeconds).toFixed(1)} MiB/s`);
  console.log(`throughput ratio route/pass-through: ${(ratio * 100).toFixed(0)}% (target ≥ 70%)`);
  console.log(
    `server peak RSS growth per upload: max ${peakGrowth.toFixed(1)} MiB (target < 8 MiB); runs: ${routeRuns
      .map((r) => (r.growthKiB / 1024).toFixed(1))
      .join(', ')} MiB`,
  );
}

run(main);
