// bench/load: N simulated users at once against two `next start` instances of the production build
// (.next) on one PostgreSQL database and one S3 bucket (the fauxqs server of the tests, in this
// process, on loopback). Each user, alternating instances from one request to the next: creates a
// chat, uploads two small documents, one big document and an image, waits until the documents
// are ready, asks --questions questions (the offline model quotes the local index's passages,
// which are cited), deletes one small document, then the chat. 429 and 503 answers with
// Retry-After are honoured (waited for, retried) and counted; anything else is an error. After
// the workers drain: objects left in the bucket (every chat was deleted, so every object left is
// a leak) and rows stuck in pending/uploaded.
//
//   npx next build   # once, if .next is missing or stale
//   TSX_TSCONFIG_PATH=scripts/tsconfig.json node --import tsx bench/load.ts \
//     [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--users 100] [--big-mib 10] \
//     [--small-kib 64] [--questions 5] [--ports 3211,3212] [--extract-timeout-seconds 30]
import { randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { and, inArray, isNull, sql } from 'drizzle-orm';
import { createTokenForUser } from '@/lib/auth/tokens';
import { createUser } from '@/lib/auth/users';
import { type Database, openDatabase } from '@/lib/db/client';
import { attachments, outbox } from '@/lib/db/schema';
import { DocText } from '@/tests/support/doc-text';
import { hasBuild, type Instance, startInstance } from '@/tests/support/instances';
import { type S3TestServer, startS3Server } from '@/tests/support/s3-server';
import { png } from '@/tests/support/sample-files';
import { readSse } from '@/tests/support/sse';
import { createDatabase, percentile, run } from './harness';

const { values: args } = parseArgs({
  options: {
    postgres: { type: 'string', default: 'postgres://postgres@127.0.0.1:5432/postgres' },
    users: { type: 'string', default: '100' },
    'big-mib': { type: 'string', default: '10' },
    'small-kib': { type: 'string', default: '64' },
    questions: { type: 'string', default: '5' },
    ports: { type: 'string', default: '3211,3212' },
    // The app's EXTRACT_TIMEOUT_SECONDS (30 by default), for a machine too busy to extract in time.
    'extract-timeout-seconds': { type: 'string' },
  },
});
const USERS = Number(args.users);
const QUESTIONS = Number(args.questions);
const KiB = 1024;
const MiB = 1024 * KiB;

/** Per operation: each call's latency (retries after a Retry-After included), honoured refusals, errors. */
class Stats {
  readonly latencies = new Map<string, number[]>();
  readonly honoured = new Map<string, number>();
  readonly errors = new Map<string, string[]>();
  add(map: Map<string, number>, op: string) {
    map.set(op, (map.get(op) ?? 0) + 1);
  }
}
const stats = new Stats();

interface Client {
  token: string;
  instances: Instance[];
  turn: number;
}

/** One request, on the next instance in turn; a 429/503 with Retry-After is waited for and retried. */
async function call(client: Client, op: string, route: string, init: RequestInit = {}): Promise<Response> {
  const started = performance.now();
  for (;;) {
    const instance = client.instances[client.turn++ % client.instances.length] as Instance;
    const headers = {
      authorization: `Bearer ${client.token}`,
      ...(init.body instanceof FormData ? {} : { 'content-type': 'application/json' }),
    };
    const res = await fetch(`${instance.origin}${route}`, { ...init, headers });
    const retryAfter = Number(res.headers.get('retry-after'));
    if ((res.status === 429 || res.status === 503) && retryAfter > 0) {
      await res.body?.cancel();
      stats.add(stats.honoured, op);
      await new Promise((resolve) => setTimeout(resolve, retryAfter * 1000));
      continue;
    }
    if (!res.ok) {
      const body = await res.text();
      throw new Error(`${op}: ${res.status} ${body.slice(0, 200)}`);
    }
    const list = stats.latencies.get(op) ?? [];
    list.push(performance.now() - started);
    stats.latencies.set(op, list);
    return res;
  }
}

function form(name: string, type: string, content: Buffer | string) {
  const data = new FormData();
  data.append(
    'file',
    new Blob([typeof content === 'string' ? content : new Uint8Array(content)], { type }),
    name,
  );
  return data;
}

async function user(client: Client, files: { small: string[]; big: string; image: Buffer }) {
  const { id: chatId } = (await (
    await call(client, 'create_chat', '/api/chats', {
      method: 'POST',
      body: JSON.stringify({ model: 'offline' }),
    })
  ).json()) as { id: string };
  try {
    await inChat(client, chatId, files);
  } finally {
    // Whatever went wrong, the user leaves nothing behind: every object must go.
    await call(client, 'delete_chat', `/api/chats/${chatId}`, { method: 'DELETE' });
  }
}

async function inChat(
  client: Client,
  chatId: string,
  files: { small: string[]; big: string; image: Buffer },
) {
  const uploads: [string, string, string, Buffer | string][] = [
    ['upload_small_document', 'notes-1.txt', 'text/plain', files.small[0] as string],
    ['upload_small_document', 'notes-2.txt', 'text/plain', files.small[1] as string],
    ['upload_big_document', 'big.txt', 'text/plain', files.big],
    ['upload_image', 'photo.png', 'image/png', files.image],
  ];
  const ids: string[] = [];
  for (const [op, name, type, content] of uploads) {
    const res = await call(client, op, `/api/chats/${chatId}/attachments`, {
      method: 'POST',
      body: form(name, type, content),
    });
    ids.push(((await res.json()) as { id: string }).id);
  }
  const started = performance.now();
  for (const id of ids) {
    for (;;) {
      const res = await call(client, 'get_attachment', `/api/chats/${chatId}/attachments/${id}`);
      const { status, error_code } = (await res.json()) as { status: string; error_code?: string };
      if (status === 'ready') break;
      if (status === 'failed') throw new Error(`indexing: attachment failed with ${error_code}`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
  }
  stats.latencies.set('all_ready_after_uploads', [
    ...(stats.latencies.get('all_ready_after_uploads') ?? []),
    performance.now() - started,
  ]);
  for (let q = 0; q < QUESTIONS; q++) {
    const res = await call(client, 'ask', `/api/chats/${chatId}/messages`, {
      method: 'POST',
      body: JSON.stringify({
        content: `What do the notes say about ${['installation', 'licence', 'configuration', 'errors', 'options'][q % 5]}?`,
      }),
    });
    const { events } = await readSse(res.body as ReadableStream<Uint8Array>);
    const last = events.at(-1);
    if (last?.event !== 'done') throw new Error(`ask: ended with ${JSON.stringify(last)}`);
  }
  // The second small document was never sent in a message: it can be deleted.
  await call(client, 'delete_attachment', `/api/chats/${chatId}/attachments/${ids[1]}`, { method: 'DELETE' });
}

run(async () => {
  if (!hasBuild()) throw new Error('no production build in .next: run `npx next build` first');
  const ports = (args.ports as string).split(',').map(Number);
  const s3 = await startS3Server();
  const bucket = await s3.bucket({ keyPrefix: 'load/' });
  const url = await createDatabase(args.postgres as string, 'minichat_load');
  const database = await openDatabase({ driver: 'pg', url });
  await database.migrate();

  const clients: Client[] = [];
  for (let i = 0; i < USERS; i++) {
    const { user: u } = await createUser(database.db, {
      email: `load-${i}-${randomUUID()}@example.test`,
      password: 'correct horse battery',
      tenant: `load-${i}-${randomUUID()}`,
      role: 'member',
    });
    clients.push({
      token: (await createTokenForUser(database.db, u.id, 'load')).token,
      instances: [],
      turn: i,
    });
  }
  const text = new DocText();
  const files = {
    small: [text.take(Number(args['small-kib']) * KiB), text.take(Number(args['small-kib']) * KiB)],
    big: text.take(Number(args['big-mib']) * MiB),
    image: await png(1024, 768),
  };

  const env = (i: number): Record<string, string> => ({
    DATABASE_URL: url,
    AUTH_SECRET: 'load-bench-only-secret-0000000000000000',
    DEFAULT_MODEL: 'offline',
    FILE_STORAGE_DIR: mkdtempSync(path.join(tmpdir(), `mini-chat-load-${i}-`)),
    WORKER_POLL_SECONDS: '1',
    ...(args['extract-timeout-seconds'] ? { EXTRACT_TIMEOUT_SECONDS: args['extract-timeout-seconds'] } : {}),
    ...s3.env(bucket),
  });
  const instances = await Promise.all(ports.map((port, i) => startInstance(port, env(i))));
  try {
    await load(clients, instances, files, s3, bucket.bucket, database);
  } finally {
    await Promise.all(instances.map((instance) => instance.stop()));
    await database.close();
    await s3.close();
  }
});

async function load(
  clients: Client[],
  instances: Instance[],
  files: { small: string[]; big: string; image: Buffer },
  s3: S3TestServer,
  bucket: string,
  database: Database,
) {
  for (const client of clients) client.instances = instances;
  const rss = instances.map(() => [] as number[]);
  const sampler = setInterval(async () => {
    for (const [i, instance] of instances.entries()) rss[i]?.push(await instance.rss());
  }, 1000);

  const started = performance.now();
  const results = await Promise.allSettled(clients.map((client) => user(client, files)));
  const wall = (performance.now() - started) / 1000;
  for (const result of results) {
    if (result.status === 'rejected') {
      const message = String((result.reason as Error).message ?? result.reason);
      const op = message.split(':')[0] ?? 'unknown';
      stats.errors.set(op, [...(stats.errors.get(op) ?? []), message]);
    }
  }

  // The workers drain the outbox: every chat was deleted, so every object must go.
  const drainStarted = performance.now();
  let left: string[] = [];
  let stuck = 0;
  let open = 0;
  for (;;) {
    left = await s3.keys(bucket);
    stuck = (
      await database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(attachments)
        .where(inArray(attachments.status, ['pending', 'uploaded']))
    )[0]?.n as number;
    open = (
      await database.db
        .select({ n: sql<number>`count(*)::int` })
        .from(outbox)
        .where(and(isNull(outbox.completedAt), isNull(outbox.deadAt)))
    )[0]?.n as number;
    if ((left.length === 0 && stuck === 0 && open === 0) || performance.now() - drainStarted > 300_000) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  const drain = (performance.now() - drainStarted) / 1000;
  clearInterval(sampler);
  for (const [i, instance] of instances.entries()) rss[i]?.push(await instance.rss());

  const ops = [...stats.latencies.keys()];
  const total = ops.reduce((n, op) => n + (stats.latencies.get(op)?.length ?? 0), 0);
  console.log(
    `\nload: ${USERS} users, 2 instances, PostgreSQL, S3 (fauxqs); big document ${args['big-mib']} MiB, small ${args['small-kib']} KiB, ${QUESTIONS} questions, extraction timeout ${args['extract-timeout-seconds'] ?? '30 (default)'} s`,
  );
  console.log(
    `wall ${wall.toFixed(1)} s, ${total} requests answered, ${(total / wall).toFixed(1)} requests/s`,
  );
  console.log('| operation | n | p50 ms | p95 ms | p99 ms | honoured 429/503 | errors |');
  console.log('|---|---|---|---|---|---|---|');
  for (const op of [...new Set([...ops, ...stats.errors.keys()])]) {
    const xs = stats.latencies.get(op) ?? [];
    const p = (q: number) => (xs.length ? percentile(xs, q).toFixed(0) : '-');
    console.log(
      `| ${op} | ${xs.length} | ${p(50)} | ${p(95)} | ${p(99)} | ${stats.honoured.get(op) ?? 0} | ${stats.errors.get(op)?.length ?? 0} |`,
    );
  }
  for (const [op, messages] of stats.errors)
    console.log(`errors in ${op}: ${messages.slice(0, 3).join(' / ')}`);
  const mb = (b: number) => (b / MiB).toFixed(0);
  for (const [i, samples] of rss.entries()) {
    console.log(
      `instance ${i + 1} RSS: max ${mb(Math.max(...samples))} MiB, after the drain ${mb(samples.at(-1) ?? 0)} MiB`,
    );
  }
  console.log(
    `drained in ${drain.toFixed(1)} s: ${left.length} objects left in the bucket, ${stuck} rows pending/uploaded, ${open} outbox jobs open`,
  );
  if (left.length > 0 || stuck > 0 || stats.errors.size > 0)
    throw new Error('errors, leaks or stuck rows: see above');
}
