// bench/chunked-upload: a 25 MiB document through the chunked protocol (create, parts of 4 MiB
// three at a time as the browser sends them, complete) against the same bytes through the
// single-request route, on one production server (next start) in one run. Reports both
// throughputs and the server's peak RSS growth per chunked upload.
//
//   npm run build && npx tsx bench/chunked-upload.ts [--runs 7] [--mib 25] [--parallel 3] [--model gpt-4.1-mini|offline] [--postgres URL]
//
// `gpt-4.1-mini` keeps files at the fake OpenAI server (parts through its Uploads API); `offline`
// in the local store (parts staged in the storage folder).
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { median, rssKiB, run, startStack, uploadMultipart } from './harness';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    mib: { type: 'string', default: '25' },
    model: { type: 'string', default: 'gpt-4.1-mini' },
    postgres: { type: 'string' },
    parallel: { type: 'string', default: '3' },
  },
});
const RUNS = Number(values.runs);
const SIZE = Number(values.mib) * 1024 * 1024;
const FAKE_PORT = 3294;
const APP_PORT = 3295;
/** Parts in flight at once; the browser client sends 3. */
const PARALLEL = Number(values.parallel);

const file = Buffer.alloc(SIZE, 'lorem ipsum dolor sit amet, consectetur adipiscing elit\n');

async function main() {
  const stack = await startStack({
    name: 'bench-chunked',
    fakePort: FAKE_PORT,
    appPort: APP_PORT,
    postgres: values.postgres,
  });
  const base = `http://127.0.0.1:${APP_PORT}`;
  const auth = { authorization: `Bearer ${stack.token}` };
  const call = async (method: string, pathname: string, init: RequestInit = {}) => {
    const res = await fetch(`${base}${pathname}`, { ...init, method, headers: { ...auth, ...init.headers } });
    const body = res.status === 204 ? null : await res.json();
    if (res.status >= 300) throw new Error(`${method} ${pathname}: ${res.status} ${JSON.stringify(body)}`);
    return body as Record<string, unknown>;
  };
  const chat = (await (await stack.post('/api/chats', { model: values.model })).json()) as { id: string };
  const remove = (attachmentId: string) =>
    call('DELETE', `/api/chats/${chat.id}/attachments/${attachmentId}`);

  /** The whole chunked flow, client hashing included; resolves with the attachment id and seconds. */
  const phases = { create: [] as number[], parts: [] as number[], complete: [] as number[] };
  const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e9;

  async function chunked(): Promise<{ id: string; seconds: number }> {
    const started = process.hrtime.bigint();
    const created = (await call('POST', `/api/chats/${chat.id}/uploads`, {
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ filename: 'bench.txt', size_bytes: SIZE, content_type: 'text/plain' }),
    })) as { upload_id: string; part_size: number; part_count: number };
    phases.create.push(since(started));
    const partsStarted = process.hrtime.bigint();
    const queue = Array.from({ length: created.part_count }, (_, i) => i + 1);
    const sendNext = async (): Promise<void> => {
      const n = queue.shift();
      if (n === undefined) return;
      const part = file.subarray((n - 1) * created.part_size, n * created.part_size);
      const digest = createHash('sha256').update(part).digest('base64');
      await call('PUT', `/api/uploads/${created.upload_id}/parts/${n}`, {
        headers: { 'content-type': 'application/octet-stream', 'content-digest': `sha-256=:${digest}:` },
        body: part,
      });
      return sendNext();
    };
    await Promise.all(Array.from({ length: PARALLEL }, sendNext));
    phases.parts.push(since(partsStarted));
    const completeStarted = process.hrtime.bigint();
    const done = (await call('POST', `/api/uploads/${created.upload_id}/complete`)) as {
      attachment: { id: string };
    };
    phases.complete.push(since(completeStarted));
    return { id: done.attachment.id, seconds: since(started) };
  }

  async function single(): Promise<{ id: string; seconds: number }> {
    const result = await uploadMultipart(APP_PORT, `/api/chats/${chat.id}/attachments`, SIZE, stack.token);
    if (result.status !== 201) throw new Error(`single upload failed: ${result.status} ${result.body}`);
    return { id: (JSON.parse(result.body) as { id: string }).id, seconds: result.seconds };
  }

  // Warm up both paths (JIT, database, connection pools) before measuring.
  await remove((await chunked()).id);
  await remove((await single()).id);

  const chunkedRuns: { seconds: number; growthKiB: number }[] = [];
  const singleRuns: number[] = [];
  const pid = stack.app.pid as number;
  for (let i = 0; i < RUNS; i++) {
    const baseline = rssKiB(pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKiB(pid));
    }, 10);
    const upload = await chunked();
    clearInterval(sampler);
    peak = Math.max(peak, rssKiB(pid));
    chunkedRuns.push({ seconds: upload.seconds, growthKiB: peak - baseline });
    await remove(upload.id);
    const one = await single();
    singleRuns.push(one.seconds);
    await remove(one.id);
  }

  const mib = SIZE / 1024 / 1024;
  const chunkedSeconds = median(chunkedRuns.map((r) => r.seconds));
  const singleSeconds = median(singleRuns);
  const growth = chunkedRuns.map((r) => r.growthKiB / 1024);
  console.log(
    `runs: ${RUNS} × ${mib} MiB text document, model ${values.model}, ${PARALLEL} parts in flight, database: ${stack.database}`,
  );
  console.log(
    `chunked:        median ${chunkedSeconds.toFixed(3)} s = ${(mib / chunkedSeconds).toFixed(1)} MiB/s`,
  );
  const phase = (xs: number[]) => median(xs.slice(-RUNS)).toFixed(3);
  console.log(
    `  of which create ${phase(phases.create)} s, parts ${phase(phases.parts)} s, complete ${phase(phases.complete)} s (medians)`,
  );
  console.log(
    `single-request: median ${singleSeconds.toFixed(3)} s = ${(mib / singleSeconds).toFixed(1)} MiB/s`,
  );
  console.log(
    `chunked / single-request throughput: ${((singleSeconds / chunkedSeconds) * 100).toFixed(0)}% (target ≥ 80%)`,
  );
  console.log(
    `server peak RSS growth per chunked upload: median ${median(growth).toFixed(1)} MiB, max ${Math.max(...growth).toFixed(1)} MiB (target < 8 MiB); runs: ${growth.map((g) => g.toFixed(1)).join(', ')}`,
  );
}

run(main);
