// The admin console at scale, on PostgreSQL: one tenant with 1,000,000 attachments across 2,000
// users and 50,000 chats (bench/admin-scale-seed.ts) in a database of the bench's own, created and
// dropped. Measures the services' own time (what a route adds is parsing and JSON): the inventory's
// first and next page with each single filter, the overview, the CSV export of 100,000 rows with
// the process's peak RSS, and the retention dry run; then prints EXPLAIN (ANALYZE, BUFFERS) of
// every query the overview and the dry run issue.
//   TSX_TSCONFIG_PATH=scripts/tsconfig.json node --import tsx bench/admin-scale.ts \
//     --postgres postgres://postgres@127.0.0.1:5432/postgres [--attachments 1000000] [--runs 20]
import { parseArgs } from 'node:util';
import { drizzle } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { csvResponse } from '@/lib/admin/csv';
import {
  exportInventory,
  INVENTORY_CSV_HEADER,
  inventoryCsvCells,
  listInventory,
} from '@/lib/admin/inventory';
import { getOverview } from '@/lib/admin/overview';
import { retentionDryRun } from '@/lib/admin/retention';
import { loadAttachmentConfig } from '@/lib/attachments/config';
import type { Db } from '@/lib/db';
import { openDatabase } from '@/lib/db/client';
import * as schema from '@/lib/db/schema';
import type { Caller } from '@/lib/policy';
import { FULL, seedTenant } from './admin-scale-seed';
import { createDatabase, percentile, run } from './harness';

const { values } = parseArgs({
  options: {
    postgres: { type: 'string' },
    attachments: { type: 'string', default: String(FULL.attachments) },
    runs: { type: 'string', default: '20' },
  },
});
if (!values.postgres)
  throw new Error('--postgres <admin url> is required: the bench creates its own database');
const RUNS = Number(values.runs);

const captured: { sql: string; params: unknown[] }[] = [];
let capturing = false;

async function timed<T>(label: string, fn: () => Promise<T>) {
  await fn(); // warm: plans cached, pages in shared buffers
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    await fn();
    times.push(performance.now() - started);
  }
  const line = { what: label, p50_ms: round(percentile(times, 50)), p95_ms: round(percentile(times, 95)) };
  console.log(JSON.stringify(line));
  return line;
}

const round = (ms: number) => Math.round(ms * 10) / 10;

async function main() {
  const url = await createDatabase(values.postgres as string, 'bench_admin_scale');
  const database = await openDatabase({ driver: 'pg', url });
  await database.migrate();
  await database.close();

  const client = new pg.Client({ connectionString: url });
  await client.connect();
  // The database is dropped (with force) at the end, whatever happened: a closed connection is expected.
  client.on('error', () => {});
  const seedStarted = performance.now();
  const { tenantId, adminId } = await seedTenant(client, {
    ...FULL,
    attachments: Number(values.attachments),
  });
  console.log(
    JSON.stringify({
      seeded_ms: Math.round(performance.now() - seedStarted),
      attachments: values.attachments,
    }),
  );

  const pool = new pg.Pool({ connectionString: url, max: 4 });
  pool.on('error', () => {});
  const db = drizzle({
    client: pool,
    schema,
    logger: { logQuery: (sql, params) => capturing && captured.push({ sql, params }) },
  }) as unknown as Db;
  const admin: Caller = { userId: adminId, tenantId, role: 'admin' };
  const config = loadAttachmentConfig({});

  // The inventory (admin-core's lib/admin/inventory.ts): first page, then the page after it.
  const someUser = (
    await client.query('select id from users where tenant_id = $1 offset 777 limit 1', [tenantId])
  ).rows[0]?.id as string;
  const filters: Record<string, string> = {
    none: '',
    status: 'status=failed',
    kind: 'kind=image',
    content_type: 'content_type=text/plain',
    uploader: `uploader=${someUser}`,
    date_range: `from=${new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10)}&to=${new Date(Date.now() - 10 * 86_400_000).toISOString().slice(0, 10)}`,
    filename: 'filename=report-12345',
    locked: 'locked=true',
    error_code: 'error_code=indexing_failed',
    sort_size: 'sort=size',
  };
  for (const [name, query] of Object.entries(filters)) {
    const first = await listInventory(db, admin, new URLSearchParams(query));
    await timed(`inventory first page, ${name}`, () => listInventory(db, admin, new URLSearchParams(query)));
    if (first.next_cursor) {
      const next = new URLSearchParams(query);
      next.set('cursor', first.next_cursor);
      await timed(`inventory next page, ${name}`, () => listInventory(db, admin, next));
    }
  }

  await timed('overview', () => getOverview({ db, config }, admin, new URLSearchParams()));
  await timed('retention dry run (30 days, sent files exempt)', () =>
    retentionDryRun(db, admin, { retention_days: 30, retention_exempt_locked: true }),
  );

  // CSV export of ~100,000 rows (ten of the hundred seeded days), read as a client would.
  const range = new URLSearchParams(filters.date_range);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }, 20);
  const rssBefore = process.memoryUsage().rss;
  const exportStarted = performance.now();
  const response = csvResponse(
    'a.csv',
    INVENTORY_CSV_HEADER,
    inventoryCsvCells,
    exportInventory(db, admin, range),
  );
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const b of chunk) if (b === 10) lines++;
  }
  clearInterval(sampler);
  console.log(
    JSON.stringify({
      what: 'csv export',
      rows: lines - 1,
      mb: round(bytes / 1024 / 1024),
      ms: Math.round(performance.now() - exportStarted),
      rss_before_mb: Math.round(rssBefore / 1024 / 1024),
      peak_rss_mb: Math.round(peakRss / 1024 / 1024),
    }),
  );

  // The plans, with the parameters the services really sent.
  for (const [label, call] of [
    ['overview', () => getOverview({ db, config }, admin, new URLSearchParams())],
    [
      'retention dry run',
      () => retentionDryRun(db, admin, { retention_days: 30, retention_exempt_locked: true }),
    ],
  ] as const) {
    captured.length = 0;
    capturing = true;
    await call();
    capturing = false;
    for (const q of captured) {
      const plan = await pool.query(`explain (analyze, buffers, costs off) ${q.sql}`, q.params);
      console.log(`\n-- ${label}: ${q.sql.slice(0, 160)}…`);
      console.log(plan.rows.map((r) => r['QUERY PLAN']).join('\n'));
    }
  }
  await client.end();
  await pool.end();
}

run(main);
