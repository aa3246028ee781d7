import { sql } from 'drizzle-orm';
import { describe, expect, it, vi } from 'vitest';
import { ownDatabaseForFile } from '@/tests/support/own-database';

// The worker started here drains whatever it finds: on Postgres, only this file's rows.
ownDatabaseForFile();

// What Next does to lib/: one copy of the module per bundle (routes, instrumentation).
async function freshRuntime() {
  vi.resetModules();
  return import('@/lib/runtime');
}

// Each test loads the runtime's module graph afresh, and the last opens PGlite twice: slow on a
// busy machine.
describe('the composition root', { timeout: 120_000 }, () => {
  it("builds the process's dependencies once, whichever bundle asks", async () => {
    const a = await freshRuntime();
    const b = await freshRuntime();
    expect(b.attachmentDeps).not.toBe(a.attachmentDeps);

    const uploads = await a.attachmentDeps();
    const answers = await b.turnDeps();
    const cleanup = await b.workerDeps();
    expect(answers.db).toBe(uploads.db);
    expect(cleanup.db).toBe(uploads.db);
    // One registry of file stores, one upload gate, one metrics registry, one set of chat models.
    expect(cleanup.fileStores).toBe(uploads.fileStores);
    expect(answers.fileStores).toBe(uploads.fileStores);
    expect((await b.attachmentDeps()).gate).toBe(uploads.gate);
    expect(answers.metrics).toBe(uploads.metrics);
    expect(b.processMetrics()).toBe(uploads.metrics);
    expect((await a.turnDeps()).chatModel).toBe(answers.chatModel);
    expect(b.modelCatalog()).toBe(a.modelCatalog());
  });

  it('gives an operator command file stores over its own database, and the rest of the process', async () => {
    const { attachmentDeps, standaloneWorkerDeps } = await freshRuntime();
    const uploads = await attachmentDeps();
    const command = standaloneWorkerDeps(uploads.db);
    expect(command.fileStores).not.toBe(uploads.fileStores);
    expect(command.metrics).toBe(uploads.metrics);
    expect(Object.keys(command.handlers).sort()).toEqual(['attachment_deleted', 'chat_deleted']);
  });

  it('starts one in-process worker', async () => {
    const a = await freshRuntime();
    const b = await freshRuntime();
    const loop = await a.startInProcessWorker();
    expect(loop).toBeDefined();
    expect(await b.startInProcessWorker()).toBe(loop);
    await loop?.stop();
  });

  it('opens the database again once it was closed', async () => {
    const { closeDatabase, getDb } = await freshRuntime();
    const before = await getDb();
    await closeDatabase();
    const after = await getDb();
    expect(after).not.toBe(before);
    expect(await after.execute(sql`select 1 as one`)).toBeTruthy();
  });
});
