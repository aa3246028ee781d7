// bench/retrieval: keyless retrieval in a chat holding about 100 MiB of text. In this process, on
// a database of its own, through the local file store as the app uses it (extraction sandbox,
// chunking, passage inserts, full-text search): four documents of --mib MiB of real text
// (tests/support/doc-text.ts) are indexed into one chat's store, --questions questions are
// searched as a turn searches them (the chat's attachments, 4 passages), then other chats' documents
// are indexed and the same questions are searched again: the other chats must not matter.
//
//   TSX_TSCONFIG_PATH=scripts/tsconfig.json node --import tsx bench/retrieval.ts \
//     [--postgres postgres://postgres@127.0.0.1:5432/postgres] [--questions 200] [--mib 24] [--other-chats 3]
//
// Without --postgres it runs on PGlite in a temporary folder.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { count } from 'drizzle-orm';
import { type Database, openDatabase } from '@/lib/db/client';
import { localChunks } from '@/lib/db/schema';
import { createLocalFileStore, explainLocalSearch } from '@/lib/file-stores/local';
import type { FileStore } from '@/lib/file-stores/ports';
import { DocText } from '@/tests/support/doc-text';
import { createDatabase, median, percentile, run } from './harness';

const { values } = parseArgs({
  options: {
    postgres: { type: 'string' },
    questions: { type: 'string', default: '200' },
    mib: { type: 'string', default: '24' },
    documents: { type: 'string', default: '4' },
    'other-chats': { type: 'string', default: '3' },
  },
});
const QUESTIONS = Number(values.questions);
const DOCUMENT_BYTES = Number(values.mib) * 1024 * 1024;
const DOCUMENTS = Number(values.documents);
const OTHER_CHATS = Number(values['other-chats']);
const WARM_UP = 10;
const PASSAGES = 4;

// A 24 MiB text is over the default 20 MiB of extracted text a document may have, and takes the
// sandbox longer than its default 30 s on a busy machine.
process.env.EXTRACT_MAX_TEXT_MB ??= String(Math.ceil(DOCUMENT_BYTES / 1024 / 1024) + 1);
process.env.EXTRACT_TIMEOUT_SECONDS ??= '300';
process.env.EXTRACT_MAX_MEMORY_MB ??= '1024';
process.env.LOG_LEVEL ??= 'warn';

const MiB = 1024 * 1024;
const ms = (x: number) => `${x.toFixed(1)} ms`;

interface Chat {
  vectorStoreId: string;
  attachmentIds: string[];
  texts: string[];
}

/** Uploads and indexes `documents` texts into a new store; returns the chat and MiB/s per document. */
async function indexChat(
  store: FileStore,
  source: DocText,
  documents: number,
): Promise<{ chat: Chat; rates: number[] }> {
  const chatId = randomUUID();
  const vectorStoreId = await store.vectorStores.create({ chatId });
  const chat: Chat = { vectorStoreId, attachmentIds: [], texts: [] };
  const rates: number[] = [];
  for (let i = 0; i < documents; i++) {
    const text = source.take(DOCUMENT_BYTES);
    const bytes = Buffer.from(text);
    const attachmentId = randomUUID();
    const { providerFileId } = await store.files.upload({
      filename: `${chatId}_${attachmentId}.txt`,
      contentType: 'text/plain',
      body: (async function* () {
        for (let at = 0; at < bytes.length; at += MiB) yield bytes.subarray(at, at + MiB);
      })(),
    });
    const started = performance.now();
    await store.vectorStores.addFile(vectorStoreId, providerFileId, { attachment_id: attachmentId });
    const seconds = (performance.now() - started) / 1000;
    const state = await store.vectorStores.fileStatus(vectorStoreId, providerFileId);
    if (state.status !== 'completed') throw new Error(`indexing ended ${JSON.stringify(state)}`);
    rates.push(bytes.length / MiB / seconds);
    console.log(`  indexed ${(bytes.length / MiB).toFixed(1)} MiB in ${seconds.toFixed(1)} s`);
    chat.attachmentIds.push(attachmentId);
    chat.texts.push(text);
  }
  return { chat, rates };
}

/** Deterministic pseudo-random numbers in [0, 1) (mulberry32), so every run asks the same questions. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OPENINGS = ['What changed in', 'How does', 'Why was', 'When did', 'Tell me about', 'Is there'];

/** Questions made of a few consecutive words of a random line of the chat's documents. */
function questions(texts: string[], n: number): string[] {
  const next = random(14);
  const out: string[] = [];
  while (out.length < n) {
    const text = texts[Math.floor(next() * texts.length)] as string;
    const at = Math.floor(next() * text.length);
    const line = text.slice(text.lastIndexOf('\n', at) + 1, text.indexOf('\n', at));
    const words = line.match(/[A-Za-z]{3,}/g) ?? [];
    if (words.length < 3) continue;
    const size = 2 + Math.floor(next() * 5);
    const start = Math.floor(next() * Math.max(words.length - size, 1));
    const opening = OPENINGS[Math.floor(next() * OPENINGS.length)];
    out.push(`${opening} ${words.slice(start, start + size).join(' ')}?`);
  }
  return out;
}

/** Server time of each search, in ms, after a warm-up. */
async function timeSearches(store: FileStore, chat: Chat, asked: string[]): Promise<number[]> {
  if (store.retrieval.kind !== 'search') throw new Error('the local store searches itself');
  const { search } = store.retrieval;
  const ask = (q: string) =>
    search(chat.vectorStoreId, q, { attachmentIds: chat.attachmentIds, limit: PASSAGES });
  for (const q of asked.slice(0, WARM_UP)) await ask(q);
  const times: number[] = [];
  for (const q of asked) {
    const started = performance.now();
    await ask(q);
    times.push(performance.now() - started);
  }
  return times;
}

function report(label: string, times: number[]) {
  console.log(
    `${label}: p50 ${ms(median(times))}, p95 ${ms(percentile(times, 95))}, p99 ${ms(percentile(times, 99))}, max ${ms(Math.max(...times))} (target p95 < 150 ms)`,
  );
}

async function explain(database: Database, chat: Chat, question: string) {
  const plan = await explainLocalSearch(database.db, chat.vectorStoreId, question, {
    attachmentIds: chat.attachmentIds,
    limit: PASSAGES,
  });
  console.log(`query plan for "${question}":\n${plan.map((line) => `  ${line}`).join('\n')}`);
}

async function main() {
  const work = mkdtempSync(path.join(tmpdir(), 'bench-retrieval-'));
  const database = await openDatabase(
    values.postgres
      ? { driver: 'pg', url: await createDatabase(values.postgres, 'bench_retrieval') }
      : { driver: 'pglite', pgliteDir: path.join(work, 'pglite') },
  );
  try {
    await database.migrate();
    const store = createLocalFileStore({ db: async () => database.db, storageDir: path.join(work, 'files') });
    const source = new DocText();
    if (source.generated) console.log('no documentation under /usr/share/doc: generated text');
    console.log(`database: ${database.driver === 'pg' ? 'PostgreSQL' : 'PGlite'}`);

    console.log(`indexing the chat: ${DOCUMENTS} documents of ${values.mib} MiB`);
    const { chat, rates } = await indexChat(store, source, DOCUMENTS);
    const [{ passages }] = (await database.db.select({ passages: count() }).from(localChunks)) as [
      { passages: number },
    ];
    console.log(
      `indexing throughput: median ${median(rates).toFixed(2)} MiB/s of text; ${passages} passages`,
    );

    const asked = questions(chat.texts, QUESTIONS);
    const alone = await timeSearches(store, chat, asked);
    report(`retrieval, ${QUESTIONS} questions, the chat alone`, alone);

    console.log(`indexing ${OTHER_CHATS} other chats, one document each`);
    for (let i = 0; i < OTHER_CHATS; i++) await indexChat(store, source, 1);
    const withOthers = await timeSearches(store, chat, asked);
    report(`retrieval, ${QUESTIONS} questions, with ${OTHER_CHATS} other chats`, withOthers);

    // The plan of the question at the 95th percentile, the one the target is about.
    const byTime = asked.map((q, i) => ({ q, t: withOthers[i] as number })).sort((a, b) => a.t - b.t);
    await explain(database, chat, (byTime[Math.ceil(0.95 * byTime.length) - 1] as { q: string }).q);
  } finally {
    await database.close();
    rmSync(work, { recursive: true, force: true });
  }
}

run(main);
