// bench/ttft: how long our server holds the first token. Over N turns to a `gpt-4.1-mini` chat
// of a production server (next start) talking to the fake OpenAI server, the time from the
// fake writing its first text delta to the client reading the bytes of our first `delta` event.
//
//   npm run build && npx tsx bench/ttft.ts [--turns 200] [--postgres postgres://…/postgres]
//
// Both clocks are the machine's wall clock (performance.timeOrigin + performance.now() in the
// fake, the same here), read in separate processes; the fake reports its times per request.
import http from 'node:http';
import { parseArgs } from 'node:util';
import { median, percentile, run, startStack } from './harness';

const { values } = parseArgs({
  options: { turns: { type: 'string', default: '200' }, postgres: { type: 'string' } },
});
const TURNS = Number(values.turns);
const WARM_UP = 20;
const FAKE_PORT = 3294;
const APP_PORT = 3295;
/** Turns per chat: the history a turn sends stays bounded (the last 10 messages) either way. */
const PER_CHAT = 25;

const now = () => performance.timeOrigin + performance.now();

/** Sends a message; resolves with when the first delta's bytes arrived and when the stream ended. */
function turn(
  chatId: string,
  token: string,
  content: string,
): Promise<{ firstDeltaAt: number; status: number }> {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1',
      port: APP_PORT,
      path: `/api/chats/${chatId}/messages`,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    });
    let firstDeltaAt = 0;
    let seen = '';
    req.on('response', (res) => {
      res.on('data', (chunk: Buffer) => {
        seen += chunk.toString('utf8');
        if (!firstDeltaAt && seen.includes('event: delta\n')) firstDeltaAt = now();
      });
      res.on('end', () => {
        if (!seen.includes('event: done'))
          return reject(new Error(`turn did not complete: ${seen.slice(-300)}`));
        resolve({ firstDeltaAt, status: res.statusCode ?? 0 });
      });
    });
    req.on('error', reject);
    req.end(JSON.stringify({ content }));
  });
}

interface FakeRequest {
  endpoint: string | null;
  time: number;
  stream?: { firstTokenAt?: number };
}

async function main() {
  const stack = await startStack({
    name: 'bench-ttft',
    fakePort: FAKE_PORT,
    appPort: APP_PORT,
    postgres: values.postgres,
  });
  let chatId = '';
  const overheads: number[] = [];
  for (let i = 0; i < WARM_UP + TURNS; i++) {
    if (i % PER_CHAT === 0) {
      chatId = ((await (await stack.post('/api/chats', { model: 'gpt-4.1-mini' })).json()) as { id: string })
        .id;
    }
    await fetch(`${stack.fakeOrigin}/__fake/reset`, { method: 'POST' });
    const { firstDeltaAt } = await turn(chatId, stack.token, `question number ${i} about the weather`);
    const requests = (await (await fetch(`${stack.fakeOrigin}/__fake/requests`)).json()) as FakeRequest[];
    const firstTokenAt = requests.find((r) => r.endpoint === 'responses.create')?.stream?.firstTokenAt;
    if (!firstTokenAt) throw new Error('the fake recorded no first token');
    if (i >= WARM_UP) overheads.push(firstDeltaAt - firstTokenAt);
  }
  const fmt = (ms: number) => `${ms.toFixed(2)} ms`;
  console.log(`turns: ${TURNS} (after ${WARM_UP} warm-up turns), database: ${stack.database}`);
  console.log(
    `provider first token → client first delta: p50 ${fmt(median(overheads))}, p90 ${fmt(percentile(overheads, 90))}, p99 ${fmt(percentile(overheads, 99))}, max ${fmt(Math.max(...overheads))} (target p99 < 20 ms)`,
  );
}

run(main);
