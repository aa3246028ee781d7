import { readdir } from 'node:fs/promises';
import { and, eq, inArray, isNull } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { deleteAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { deleteChat } from '@/lib/chats/service';
import { reap } from '@/lib/cleanup/reaper';
import { reconcile } from '@/lib/cleanup/reconcile';
import { attachments, chats, chatVectorStores, localVectorStores, outbox } from '@/lib/db/schema';
import { drain } from '@/lib/outbox/worker';
import { getDb } from '@/lib/runtime';
import { fakeOpenAIForFile, fileInput, makeChat, makeDeps } from '@/tests/support/attachments';
import { makeUser } from '@/tests/support/fixtures';
import { ownDatabaseForFile } from '@/tests/support/own-database';
import { dyingAfterUpload, makeWorker, TestClock } from '@/tests/support/worker';

const driver = inject('testDriver');
ownDatabaseForFile();
const server = fakeOpenAIForFile();

const OPERATIONS = 300;
const CHATS = 8;
const MINUTE = 60_000;
const FAULTY_ENDPOINTS = [
  'files.create',
  'files.delete',
  'files.list',
  'vector_stores.create',
  'vector_stores.delete',
  'vector_stores.files.create',
  'vector_stores.files.retrieve',
  'vector_stores.files.delete',
];

/** Mulberry32: the same run every time, so a failure can be replayed. */
function random(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe(`soak on ${driver}`, () => {
  it('random uploads, deletes and chat deletes under faults: afterwards, exactly the live objects remain', async () => {
    const fake = server();
    const deps = await makeDeps(fake, { maxConcurrentUploads: 64, maxConcurrentUploadsPerUser: 64 });
    const user = await makeUser();
    const clock = new TestClock();
    const worker = makeWorker(deps, clock, { reconcileMinAgeMs: 0 });
    const db = await getDb();
    const rand = random(Number(process.env.SOAK_SEED ?? 6));
    const pick = <T>(items: T[]): T => items[Math.floor(rand() * items.length)] as T;
    const counts: Record<string, number> = {};
    const count = (key: string) => {
      counts[key] = (counts[key] ?? 0) + 1;
    };

    const dying = dyingAfterUpload(deps.fileStores);
    const newChat = () => makeChat(user, rand() < 0.7 ? 'gpt-test' : 'offline');
    const live: string[] = await Promise.all(Array.from({ length: CHATS }, newChat));
    const uploaded = new Map<string, string>();

    const started = Date.now();
    for (let op = 0; op < OPERATIONS; op++) {
      if (rand() < 0.15) {
        fake.fail(pick(FAULTY_ENDPOINTS), {
          status: pick([500, 503, 429]),
          times: 1 + Math.floor(rand() * 2),
        });
        count('faults_injected');
      }
      const roll = rand();
      const chatId = pick(live);
      if (roll < 0.6) {
        const interruption = rand();
        const upload = uploadFile(
          interruption < 0.08 ? { ...deps, fileStores: dying } : deps,
          user.caller,
          chatId,
          fileInput(`document ${op} about refunds ${rand()}`, { filename: `doc-${op}.txt` }),
        );
        if (interruption < 0.08) {
          upload.catch(() => {});
          count('uploads_died_before_uploaded');
          continue;
        }
        try {
          const outcome = await upload;
          uploaded.set(outcome.attachment.id, chatId);
          // The process dies after the response, before it watches the indexing.
          if (interruption < 0.16) count('uploads_died_before_ready');
          else await outcome.indexing?.();
          count('uploads_ok');
        } catch {
          count('uploads_failed');
        }
      } else if (roll < 0.9) {
        const candidates = [...uploaded].filter(([, chat]) => live.includes(chat));
        if (candidates.length === 0) continue;
        const [id, chat] = pick(candidates);
        uploaded.delete(id);
        await deleteAttachment(deps, user.caller, chat, id);
        count('attachment_deletes');
      } else {
        await deleteChat(db, user.caller, chatId);
        live.splice(live.indexOf(chatId), 1, await newChat());
        count('chat_deletes');
      }
      // The worker runs now and then while the traffic goes on.
      if (op % 25 === 24) await drain(worker);
    }
    counts.operations_ms = Date.now() - started;

    // Then time passes: the reaper's thresholds, every backoff, the indexing give-up; and the
    // weekly reconciliation runs (again when a leftover fault made the provider unavailable).
    const totals = { completed: 0, retried: 0, dead: 0, interrupted: 0, settled: 0, resumed: 0, orphans: 0 };
    for (let round = 0; round < 8; round++) {
      clock.advance(16 * MINUTE);
      const reaped = await reap(worker);
      totals.interrupted += reaped.interrupted;
      totals.settled += reaped.settled;
      totals.resumed += reaped.resumed;
      const drained = await drain(worker);
      totals.completed += drained.completed;
      totals.retried += drained.retried;
      totals.dead += drained.dead;
      for (const report of Object.values((await reconcile(worker)).providers)) {
        if ('files' in report) totals.orphans += report.files.orphaned + report.vector_stores.orphaned;
      }
    }

    const rows = await db.select().from(attachments).innerJoin(chats, eq(chats.id, attachments.chatId));
    const stuck = rows.filter(
      (r) => r.attachments.status === 'pending' || r.attachments.status === 'uploaded',
    );
    const liveRows = rows.filter(
      (r) => !r.attachments.deletedAt && !r.chats.deletedAt && r.attachments.status === 'ready',
    );
    const liveFiles = (provider: string) =>
      liveRows.filter((r) => r.attachments.provider === provider).map((r) => r.attachments.providerFileId);
    const liveStores = await db
      .select({ id: chatVectorStores.vectorStoreId, provider: chatVectorStores.provider })
      .from(chatVectorStores)
      .innerJoin(chats, eq(chats.id, chatVectorStores.chatId))
      .where(isNull(chats.deletedAt));
    const storesOf = (provider: string) => liveStores.filter((s) => s.provider === provider).map((s) => s.id);
    const openJobs = await db
      .select()
      .from(outbox)
      .where(and(isNull(outbox.completedAt), isNull(outbox.deadAt)));
    const pendingCleanups = await db
      .select()
      .from(attachments)
      .where(inArray(attachments.cleanupStatus, ['pending']));
    const state = fake.state();

    console.log(
      `soak (${driver}) ${JSON.stringify({
        ...counts,
        worker: totals,
        rows: rows.length,
        live_ready: liveRows.length,
        failed: rows.filter((r) => r.attachments.status === 'failed').length,
        cleanup_failed: rows.filter((r) => r.attachments.cleanupStatus === 'failed').length,
        provider_files: state.files.length,
        provider_stores: state.vectorStores.length,
      })}`,
    );

    expect(stuck).toEqual([]);
    expect(openJobs).toEqual([]);
    expect(pendingCleanups).toEqual([]);
    expect(state.files.map((f) => f.id).sort()).toEqual(liveFiles('openai').sort());
    expect(state.vectorStores.map((s) => s.id).sort()).toEqual(storesOf('openai').sort());
    expect((await readdir(deps.storageDir)).filter((f) => !f.startsWith('.')).sort()).toEqual(
      liveFiles('local').sort(),
    );
    const localStores = await db.select({ id: localVectorStores.id }).from(localVectorStores);
    expect(localStores.map((s) => s.id).sort()).toEqual(storesOf('local').sort());
    expect(counts.uploads_ok ?? 0).toBeGreaterThan(50);
  }, 120_000);
});
