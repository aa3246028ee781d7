import { and, eq, inArray, sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { retentionDryRun } from '@/lib/admin/retention';
import { updateSettings } from '@/lib/admin/settings';
import { getAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { reap } from '@/lib/cleanup/reaper';
import { attachments, auditLog, outbox } from '@/lib/db/schema';
import { createModelCatalog } from '@/lib/models/catalog';
import { sweepRetention } from '@/lib/retention/policy';
import { getDb } from '@/lib/runtime';
import { fileInput, makeChat, TEST_MODELS } from '@/tests/support/attachments';
import { failure, makeUser, type TestUser } from '@/tests/support/fixtures';
import { attachmentRow, cleanupTestBed, drainUntilSettled } from '@/tests/support/worker';

const t = cleanupTestBed();
const DAY_MS = 24 * 60 * 60_000;
let admin: TestUser;

beforeEach(async () => {
  await (await getDb()).delete(outbox);
  admin = await makeUser({ tenant: t.user.tenant, role: 'admin' });
});

const setPolicy = (body: Record<string, unknown>, who = admin) =>
  updateSettings(
    {
      db: t.deps.db,
      config: t.deps.config,
      models: createModelCatalog({ MODEL_CATALOG: JSON.stringify(TEST_MODELS) }),
    },
    who.caller,
    body,
    null,
  );

async function readyFile(user: TestUser, chatId: string, text: string) {
  const outcome = await uploadFile(t.deps, user.caller, chatId, fileInput(text, { filename: 'kept.txt' }));
  await outcome.indexing?.();
  expect((await getAttachment(t.deps, user.caller, chatId, outcome.attachment.id)).status).toBe('ready');
  return outcome.attachment.id;
}

/** Moves a file's upload, and its last send (null: never sent), this many days into the past. */
async function age(id: string, uploadedDaysAgo: number, sentDaysAgo: number | null) {
  const daysAgo = (days: number) => sql`now() - make_interval(days => ${days})`;
  await (await getDb())
    .update(attachments)
    .set({
      createdAt: daysAgo(uploadedDaysAgo),
      lastSentAt: sentDaysAgo === null ? null : daysAgo(sentDaysAgo),
      lockedAt: sentDaysAgo === null ? null : daysAgo(sentDaysAgo),
    })
    .where(eq(attachments.id, id));
}

const sweeps = async (tenantId: string) =>
  (await getDb())
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, 'retention.sweep')));

/**
 * One chat with a file for each case: old and never sent, recent, old but sent lately, old and
 * sent long ago; and an old file of another tenant, which has no policy.
 */
async function files() {
  const chatId = await makeChat(t.user);
  const oldUnsent = await readyFile(t.user, chatId, 'old and never sent');
  const recent = await readyFile(t.user, chatId, 'uploaded last week');
  const sentLately = await readyFile(t.user, chatId, 'old, sent yesterday');
  const sentLongAgo = await readyFile(t.user, chatId, 'old, sent long ago');
  const stranger = await makeUser();
  const foreign = await readyFile(stranger, await makeChat(stranger), 'another tenant, old');
  await age(oldUnsent, 40, null);
  await age(recent, 7, null);
  await age(sentLately, 90, 1);
  await age(sentLongAgo, 90, 60);
  await age(foreign, 400, null);
  return { oldUnsent, recent, sentLately, sentLongAgo, foreign };
}

const live = async (ids: string[]) =>
  (await (await getDb()).select().from(attachments).where(inArray(attachments.id, ids)))
    .filter((row) => row.deletedAt === null)
    .map((row) => row.id)
    .sort();

describe('retention', () => {
  it('is off by default: no sweep, and the dry run asks for a number of days', async () => {
    const f = await files();
    await reap(t.worker);
    expect(await live(Object.values(f))).toEqual(Object.values(f).sort());
    expect(await sweeps(t.user.caller.tenantId)).toEqual([]);
    expect((await failure(retentionDryRun(t.deps.db, admin.caller, {}))).code).toBe('validation_error');
  });

  it('the dry run counts exactly what the sweep deletes, and the worker leaves no provider object', async () => {
    const f = await files();
    await setPolicy({ retention_days: 30, retention_exempt_locked: true });
    const size = (await attachmentRow(f.oldUnsent))?.sizeBytes;
    expect(await retentionDryRun(t.deps.db, admin.caller, {})).toEqual({
      retention_days: 30,
      retention_exempt_locked: true,
      files: 1,
      bytes: size,
    });
    // A policy tried before saving it.
    expect((await retentionDryRun(t.deps.db, admin.caller, { retention_exempt_locked: false })).files).toBe(
      2,
    );
    expect((await retentionDryRun(t.deps.db, admin.caller, { retention_days: 5 })).files).toBe(2);

    const report = await reap(t.worker);
    expect(report.retention).toBe(1);
    const kept = [f.recent, f.sentLately, f.sentLongAgo, f.foreign].sort();
    expect(await live(Object.values(f))).toEqual(kept);
    await drainUntilSettled(t.worker, t.clock);
    expect(await attachmentRow(f.oldUnsent)).toMatchObject({ cleanupStatus: 'done' });
    const providerIds = new Set(t.fake.state().files.map((file) => file.id));
    expect(providerIds.has((await attachmentRow(f.oldUnsent))?.providerFileId as string)).toBe(false);
    for (const id of kept)
      expect(providerIds.has((await attachmentRow(id))?.providerFileId as string)).toBe(true);

    const [entry] = await sweeps(t.user.caller.tenantId);
    expect(entry).toMatchObject({
      actorId: null,
      targetType: 'tenant',
      details: { deleted: 1, bytes: size, days: 30, exempt_locked: true, complete: true },
    });
    // Once a day: the next pass today sweeps nothing; tomorrow's sweeps again.
    await reap(t.worker);
    expect(await sweeps(t.user.caller.tenantId)).toHaveLength(1);
    t.clock.advance(DAY_MS + 1000);
    await reap(t.worker);
    expect(await sweeps(t.user.caller.tenantId)).toHaveLength(2);
  });

  it('without the exemption, a file sent long ago goes too and its message keeps a placeholder', async () => {
    const f = await files();
    await setPolicy({ retention_days: 30 });
    expect((await reap(t.worker)).retention).toBe(2);
    expect(await live(Object.values(f))).toEqual([f.recent, f.sentLately, f.foreign].sort());
    expect(await attachmentRow(f.sentLongAgo)).toMatchObject({ removedByAdminAt: expect.any(Date) });
    await drainUntilSettled(t.worker, t.clock);
    expect(await attachmentRow(f.sentLongAgo)).toMatchObject({ cleanupStatus: 'done' });
  });

  it('works off a large backlog in bounded batches over several passes', async () => {
    const chatId = await makeChat(t.user);
    const ids = [];
    for (let i = 0; i < 5; i++) ids.push(await readyFile(t.user, chatId, `file ${i}`));
    for (const id of ids) await age(id, 40, null);
    await setPolicy({ retention_days: 30 });
    const first = await sweepRetention(t.deps.db, {
      now: new Date(t.clock.now),
      batchSize: 2,
      maxBatches: 1,
    });
    expect(first.deleted).toBe(2);
    const second = await sweepRetention(t.deps.db, {
      now: new Date(t.clock.now),
      batchSize: 2,
      maxBatches: 2,
    });
    expect(second.deleted).toBe(3);
    expect(await live(ids)).toEqual([]);
    const entries = await sweeps(t.user.caller.tenantId);
    expect(entries.map((e) => (e.details as { complete: boolean }).complete).sort()).toEqual([false, true]);
  });
});
