// bench/chunked-upload: a 25 MiB document through the chunked protocol (create, parts of 4 MiB
// three at a time as the browser sends them, complete) against the same bytes through the
// single-request route, on one production server (next start) in one run. Reports both
// throughputs and the server's RSS: its peak growth during each chunked upload, and how much it kept.
//
//   npm run build && npx tsx bench/chunked-upload.ts [--runs 7] [--mib 25] [--parallel 3] [--model gpt-4.1-mini|offline] [--postgres URL] [--link-mbps 100 --rtt-ms 20]
//
// `--link-mbps` puts both paths behind the same modelled network link (bench/link.ts); without it
// the client talks to the server over loopback.
//
// `gpt-4.1-mini` keeps files at the fake OpenAI server (parts through its Uploads API); `offline`
// in the local store (parts staged in the storage folder).
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { cpuMs, median, request, rssKiB, run, startStack, uploadMultipart } from './harness';
import { startLink } from './link';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '7' },
    mib: { type: 'string', default: '25' },
    model: { type: 'string', default: 'gpt-4.1-mini' },
    postgres: { type: 'string' },
    parallel: { type: 'string', default: '3' },
    'link-mbps': { type: 'string' },
    'rtt-ms': { type: 'string', default: '20' },
  },
});
const RUNS = Number(values.runs);
const SIZE = Number(values.mib) * 1024 * 1024;
const FAKE_PORT = 3294;
const APP_PORT = 3295;
const LINK_PORT = 3296;
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
  const link = values['link-mbps']
    ? { mbps: Number(values['link-mbps']), rttMs: Number(values['rtt-ms']) }
    : undefined;
  // Both paths reach the server the same way: straight, or through the same link.
  const port = link ? LINK_PORT : APP_PORT;
  if (link) await startLink(LINK_PORT, APP_PORT, link);
  const auth = { authorization: `Bearer ${stack.token}` };
  const call = async (
    method: string,
    pathname: string,
    init: { headers?: Record<string, string>; body?: Uint8Array } = {},
  ) => {
    const res = await request(port, method, pathname, { ...auth, ...init.headers }, init.body);
    if (res.status >= 300) throw new Error(`${method} ${pathname}: ${res.status} ${res.body}`);
    return (res.status === 204 ? null : JSON.parse(res.body)) as Record<string, unknown>;
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
      body: Buffer.from(
        JSON.stringify({ filename: 'bench.txt', size_bytes: SIZE, content_type: 'text/plain' }),
      ),
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
    const result = await uploadMultipart(port, `/api/chats/${chat.id}/attachments`, SIZE, stack.token);
    if (result.status !== 201) throw new Error(`single upload failed: ${result.status} ${result.body}`);
    return { id: (JSON.parse(result.body) as { id: string }).id, seconds: result.seconds };
  }

  // Warm up both paths (JIT, database, connection pools) before measuring.
  await remove((await chunked()).id);
  await remove((await single()).id);

  const chunkedRuns: { seconds: number; growthKiB: number }[] = [];
  const singleRuns: number[] = [];
  const pid = stack.app.pid as number;
  // CPU each process spent during each path's uploads (the work an upload leaves for after its
  // answer, such as waiting for indexing, lands in whichever upload comes next).
  const cpu = { chunked: { app: 0, fake: 0, client: 0 }, single: { app: 0, fake: 0, client: 0 } };
  const measured = async <T>(path: keyof typeof cpu, upload: () => Promise<T>): Promise<T> => {
    const clientMs = () => {
      const { user, system } = process.cpuUsage();
      return (user + system) / 1000;
    };
    const start = { app: cpuMs(pid), fake: cpuMs(stack.fake.pid as number), client: clientMs() };
    const result = await upload();
    cpu[path].app += cpuMs(pid) - start.app;
    cpu[path].fake += cpuMs(stack.fake.pid as number) - start.fake;
    cpu[path].client += clientMs() - start.client;
    return result;
  };
  const before = rssKiB(pid);
  for (let i = 0; i < RUNS; i++) {
    const baseline = rssKiB(pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKiB(pid));
    }, 10);
    const upload = await measured('chunked', chunked);
    clearInterval(sampler);
    peak = Math.max(peak, rssKiB(pid));
    chunkedRuns.push({ seconds: upload.seconds, growthKiB: peak - baseline });
    await remove(upload.id);
    const one = await measured('single', single);
    singleRuns.push(one.seconds);
    await remove(one.id);
  }

  const kept = (rssKiB(pid) - before) / 1024;
  const mib = SIZE / 1024 / 1024;
  const chunkedSeconds = median(chunkedRuns.map((r) => r.seconds));
  const singleSeconds = median(singleRuns);
  const growth = chunkedRuns.map((r) => r.growthKiB / 1024);
  console.log(
    `runs: ${RUNS} × ${mib} MiB text document, model ${values.model}, ${PARALLEL} parts in flight, database: ${stack.database}, ` +
      (link ? `link ${link.mbps} Mbit/s each way, RTT ${link.rttMs} ms` : 'loopback'),
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
  const perUpload = (c: { app: number; fake: number; client: number }) =>
    `server ${(c.app / RUNS).toFixed(0)}, fake provider ${(c.fake / RUNS).toFixed(0)}, client ${(c.client / RUNS).toFixed(0)}`;
  console.log(
    `CPU ms per upload: chunked: ${perUpload(cpu.chunked)}; single-request: ${perUpload(cpu.single)}`,
  );
  console.log(
    `server peak RSS growth during a chunked upload: median ${median(growth).toFixed(1)} MiB, max ${Math.max(...growth).toFixed(1)} MiB (target < 8 MiB); runs: ${growth.map((g) => g.toFixed(1)).join(', ')}`,
  );
  console.log(
    `server RSS kept: ${kept.toFixed(1)} MiB after ${RUNS} chunked and ${RUNS} single-request uploads = ${(kept / RUNS / 2).toFixed(1)} MiB per upload`,
  );
}

run(main);
