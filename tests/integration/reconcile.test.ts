import { randomUUID } from 'node:crypto';
import { readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { deleteAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { deleteChat } from '@/lib/chats/service';
import { reconcile } from '@/lib/cleanup/reconcile';
import { attachments, chatVectorStores } from '@/lib/db/schema';
import { getDb } from '@/lib/runtime';
import { fileInput, makeChat } from '@/tests/support/attachments';
import { cleanupTestBed, makeWorker, metricValue, TestClock } from '@/tests/support/worker';

const t = cleanupTestBed({ reconcileMinAgeMs: 0 });

async function ready(chatId: string, text: string) {
  const outcome = await uploadFile(t.deps, t.user.caller, chatId, fileInput(text, { filename: 'doc.txt' }));
  await outcome.indexing?.();
  return outcome.attachment.id;
}

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield new Uint8Array(Buffer.from(text));
}

const fileNames = () => t.fake.state().files.map((f) => f.filename);

describe('reconciliation', () => {
  it('deletes our orphans, keeps what live rows reference, and never touches what is not ours', async () => {
    const live = await makeChat(t.user);
    const keep = await ready(live, 'keep me');
    const failedCleanup = await ready(live, 'cleanup gave up');
    await deleteAttachment(t.deps, t.user.caller, live, failedCleanup);
    // The cleanup job died for good; the file is still at the provider.
    await (await getDb())
      .update(attachments)
      .set({ cleanupStatus: 'failed' })
      .where(eq(attachments.id, failedCleanup));
    const dead = await makeChat(t.user);
    await ready(dead, 'in a deleted chat');
    await deleteChat(await getDb(), t.user.caller, dead);

    // Not ours: another app's file and store, and our naming with a chat this database never had.
    const openai = t.deps.fileStores('openai');
    const stranger = `${randomUUID()}_${randomUUID()}.txt`;
    for (const name of ['report.pdf', stranger]) {
      await openai.files.upload({ filename: name, contentType: 'text/plain', body: bytes('x') });
    }
    await openai.vectorStores.create();
    await openai.vectorStores.create({ chatId: randomUUID() });

    const before = t.fake.state();
    const dry = await reconcile(t.worker, { dryRun: true });
    expect(dry.providers.openai).toEqual({
      files: { scanned: 5, foreign: 2, young: 0, kept: 1, orphaned: 2, failed: 0 },
      vector_stores: { scanned: 4, foreign: 2, young: 0, kept: 1, orphaned: 1, failed: 0 },
      failed_cleanups_resolved: 0,
    });
    expect(t.fake.state()).toEqual(before);

    const report = await reconcile(t.worker);
    expect(report.providers.openai).toMatchObject({ failed_cleanups_resolved: 1 });
    // The fake serves Azure from the same state: our live file is referenced there too.
    expect(report.providers.azure).toMatchObject({ files: { orphaned: 0 }, vector_stores: { orphaned: 0 } });
    expect(fileNames().sort()).toEqual([`${live}_${keep}.txt`, 'report.pdf', stranger].sort());
    const storeNames = t.fake.state().vectorStores.map((s) => s.name);
    expect(storeNames).toHaveLength(3);
    expect(storeNames).toEqual(expect.arrayContaining([`mini-chat_${live}`, 'mini-chat']));
    expect(
      await (await getDb()).select().from(chatVectorStores).where(eq(chatVectorStores.chatId, dead)),
    ).toEqual([]);
    expect(
      (await (await getDb()).select().from(attachments).where(eq(attachments.id, failedCleanup)))[0],
    ).toMatchObject({
      cleanupStatus: 'done',
    });
    expect(
      await metricValue(t.worker.metrics, 'mini_chat_reconcile_deleted_total', { resource_type: 'file' }),
    ).toBe(2);
    expect(
      await metricValue(t.worker.metrics, 'mini_chat_reconcile_deleted_total', {
        resource_type: 'vector_store',
      }),
    ).toBe(1);
    // A second run finds nothing more to do.
    expect((await reconcile(t.worker)).providers.openai).toMatchObject({
      files: { orphaned: 0 },
      vector_stores: { orphaned: 0 },
    });
  });

  it('leaves objects younger than the minimum age alone', async () => {
    const chatId = await makeChat(t.user);
    await ready(chatId, 'soon gone');
    await deleteChat(await getDb(), t.user.caller, chatId);
    const cautious = makeWorker(t.deps, new TestClock(), { reconcileMinAgeMs: 60 * 60_000 });
    expect((await reconcile(cautious)).providers.openai).toMatchObject({
      files: { scanned: 1, young: 1, orphaned: 0 },
      vector_stores: { scanned: 1, young: 1, orphaned: 0 },
    });
    expect(t.fake.state().files).toHaveLength(1);
  });

  it('does the same for the local provider: its folder and its index', async () => {
    const chatId = await makeChat(t.user, 'offline');
    const keep = await ready(chatId, 'local words to keep');
    const gone = await makeChat(t.user, 'offline');
    await ready(gone, 'local words to lose');
    await deleteChat(await getDb(), t.user.caller, gone);
    // A temp file is a temporary, not a file: reported on its own line (tests/integration/temporaries.test.ts).
    await writeFile(path.join(t.deps.storageDir, '.upload-123.part'), 'partial');
    await writeFile(path.join(t.deps.storageDir, 'notes.txt'), 'not ours');

    expect((await reconcile(t.worker)).providers.local).toMatchObject({
      files: { scanned: 3, foreign: 1, kept: 1, orphaned: 1 },
      vector_stores: { kept: 1, orphaned: 1 },
      temporaries: { scanned: 1, orphaned: 1 },
    });
    expect((await readdir(t.deps.storageDir)).sort()).toEqual([`${chatId}_${keep}.txt`, 'notes.txt']);
  });
});

describe('provider listings', () => {
  it('OpenAI: pages through every file, newest first, and stops at createdAfter', async () => {
    const openai = t.deps.fileStores('openai');
    for (let i = 0; i < 105; i++) {
      await openai.files.upload({
        filename: `f${i}.txt`,
        contentType: 'text/plain',
        body: bytes('x'),
      });
    }
    const listed: string[] = [];
    for await (const file of openai.files.list()) listed.push(file.name ?? '');
    expect(listed).toHaveLength(105);
    expect(listed[0]).toBe('f104.txt');
    expect(t.fake.requests.filter((r) => r.endpoint === 'files.list')).toHaveLength(2);
    const none: string[] = [];
    for await (const file of openai.files.list({ createdAfter: new Date(Date.now() + 60_000) }))
      none.push(file.id);
    expect(none).toEqual([]);
  });

  it('names vector stores after their chat, on both adapters', async () => {
    const chatId = randomUUID();
    for (const id of ['openai', 'local'] as const) {
      const provider = t.deps.fileStores(id);
      const store = await provider.vectorStores.create({ chatId });
      const names: (string | null)[] = [];
      for await (const s of provider.vectorStores.list()) if (s.id === store) names.push(s.name);
      expect(names).toEqual([`mini-chat_${chatId}`]);
    }
  });
});
