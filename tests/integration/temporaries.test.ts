import { randomUUID } from 'node:crypto';
import { mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { reap } from '@/lib/cleanup/reaper';
import { reconcile } from '@/lib/cleanup/reconcile';
import { attachments } from '@/lib/db/schema';
import { getDb } from '@/lib/runtime';
import { fileInput, makeChat } from '@/tests/support/attachments';
import { attachmentRow, cleanupTestBed, makeWorker, metricValue } from '@/tests/support/worker';

const t = cleanupTestBed();
const MINUTE = 60_000;

const tempFiles = async () => (await readdir(t.deps.storageDir)).filter((n) => n.startsWith('.upload-'));
const staged = async () => readdir(path.join(t.deps.storageDir, '.staging')).catch(() => []);
const reapedTotal = (kind: string) => metricValue(t.worker.metrics, 'mini_chat_reaped_total', { kind });

/**
 * An upload to the local store that is still writing its temp file, as a process that dies right
 * now would leave it: the body never sends its second chunk, so nothing ever settles the row.
 */
async function uploadInFlight(chatId: string) {
  void uploadFile(
    t.deps,
    t.user.caller,
    chatId,
    fileInput('x'.repeat(200 * 1024), {
      filename: 'big.txt',
      chunkSize: 100 * 1024,
      pause: new Promise(() => {}),
    }),
  ).catch(() => {});
  const pendingRow = async () =>
    (await (await getDb()).select().from(attachments).where(eq(attachments.chatId, chatId)))[0];
  await expect.poll(pendingRow, { timeout: 10_000, interval: 20 }).toBeDefined();
  const row = (await pendingRow()) as NonNullable<Awaited<ReturnType<typeof pendingRow>>>;
  await expect
    .poll(async () => (await tempFiles()).some((name) => name.includes(row.id)), {
      timeout: 10_000,
      interval: 20,
    })
    .toBe(true);
  return row;
}

describe('temporaries the reaper removes', () => {
  it('names the temp file after its attachment, leaves a live upload alone, and reaps it once the upload is dead', async () => {
    const chatId = await makeChat(t.user, 'offline');
    const row = await uploadInFlight(chatId);
    expect(await tempFiles()).toEqual([
      expect.stringMatching(new RegExp(`^\\.upload-${row.id}-[0-9a-f]{32}\\.part$`)),
    ]);
    expect(row.status).toBe('pending');

    // Within the pending window the upload may be alive: its temp file is not touched.
    t.clock.advance(10 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ interrupted: 0, temporaries: 0 });
    expect(await tempFiles()).toHaveLength(1);

    t.clock.advance(6 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ interrupted: 1, temporaries: 1 });
    expect(await attachmentRow(row.id)).toMatchObject({ status: 'failed', errorCode: 'upload_interrupted' });
    expect(await tempFiles()).toEqual([]);
    expect(await reapedTotal('upload')).toBe(1);
    expect(await reapedTotal('temporary')).toBe(1);
  });

  it('removes at once the temp files and staged parts of attachments that are over, and of rows never written once past the window', async () => {
    const chatId = await makeChat(t.user, 'offline');
    const live = await uploadInFlight(chatId);
    const done = await uploadFile(t.deps, t.user.caller, chatId, fileInput('done', { filename: 'done.txt' }));
    await done.indexing?.();
    const over = done.attachment.id;
    const unknown = randomUUID();
    const dir = t.deps.storageDir;
    await writeFile(path.join(dir, `.upload-${over}-${'a'.repeat(32)}.part`), 'left by a crash');
    await mkdir(path.join(dir, '.staging', over), { recursive: true });
    await writeFile(path.join(dir, '.staging', over, '1.part'), 'part one');
    await mkdir(path.join(dir, '.staging', unknown), { recursive: true });
    await writeFile(path.join(dir, '.staging', unknown, '1.part'), 'no row');

    expect(await reap(t.worker)).toMatchObject({ temporaries: 2 });
    expect(await tempFiles()).toEqual([expect.stringContaining(live.id)]);
    expect(await staged()).toEqual([unknown]);

    // A row never written: only once it is older than the pending window (the live upload's row
    // is failed then too, and its temp file goes with it).
    t.clock.advance(16 * MINUTE);
    expect(await reap(t.worker)).toMatchObject({ interrupted: 1, temporaries: 2 });
    expect(await staged()).toEqual([]);
    expect(await tempFiles()).toEqual([]);
    // The finished upload's file was never at risk.
    expect(await readdir(dir)).toContain(`${chatId}_${over}.txt`);
  });
});

describe('temporaries reconciliation removes', () => {
  it('reports a legacy temp file on its own line and removes it only past the age threshold', async () => {
    const worker = makeWorker(t.deps, t.clock, { reconcileMinAgeMs: 60 * MINUTE }, t.worker.metrics);
    const legacy = `.upload-${randomUUID()}.part`;
    await writeFile(path.join(t.deps.storageDir, legacy), 'from an older version');
    const chatId = await makeChat(t.user, 'offline');
    const live = await uploadInFlight(chatId);

    // The reaper cannot tell whose it is, however old: it leaves it to reconciliation.
    t.clock.advance(10 * MINUTE);
    await reap(worker);
    expect(await tempFiles()).toContain(legacy);

    expect((await reconcile(worker)).providers.local).toMatchObject({
      temporaries: { scanned: 2, young: 2, kept: 0, orphaned: 0 },
    });
    t.clock.advance(51 * MINUTE);
    expect((await reconcile(worker, { dryRun: true })).providers.local).toMatchObject({
      temporaries: { scanned: 2, young: 0, kept: 1, orphaned: 1 },
    });
    expect(await tempFiles()).toHaveLength(2);

    expect((await reconcile(worker)).providers.local).toMatchObject({
      temporaries: { scanned: 2, kept: 1, orphaned: 1, failed: 0 },
    });
    // The live upload's row is still pending: its temp file stays.
    expect(await tempFiles()).toEqual([expect.stringContaining(live.id)]);
    expect(
      await metricValue(worker.metrics, 'mini_chat_reconcile_deleted_total', { resource_type: 'temporary' }),
    ).toBe(1);
  });

  it('refuses to remove anything that is not one of its temporaries', async () => {
    const temporaries = t.deps.fileStores('local').files.temporaries;
    const outside = path.join(t.deps.storageDir, 'keep.txt');
    await writeFile(outside, 'mine');
    for (const ref of ['keep.txt', '../keep.txt', '.staging/../keep.txt', '.staging', '']) {
      await temporaries?.remove(ref);
    }
    expect(await readdir(t.deps.storageDir)).toEqual(['keep.txt']);
  });
});
