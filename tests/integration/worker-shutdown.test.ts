import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { eq } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { createUser } from '@/lib/auth/users';
import { openDatabase } from '@/lib/db/client';
import { attachments, chats, outbox } from '@/lib/db/schema';
import { startFakeOpenAI } from '@/tests/support/fake-openai';

const tmp = mkdtempSync(path.join(tmpdir(), 'minichat-worker-sigterm-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
const pgliteDir = path.join(tmp, 'db');
const GRACE_SECONDS = 2;

/** A deleted chat whose file's cleanup job the worker will claim, in the command's own folder. */
async function deletedChatWithFile(): Promise<string> {
  const database = await openDatabase({ driver: 'pglite', pgliteDir });
  try {
    await database.migrate();
    const { db } = database;
    const { user } = await createUser(db, {
      email: 'sigterm@example.test',
      password: 'correct horse battery',
      tenant: 'sigterm',
      role: 'member',
    });
    const [chat] = await db
      .insert(chats)
      .values({
        tenantId: user.tenantId,
        userId: user.id,
        model: 'gpt-4.1-mini',
        title: 'gone',
        deletedAt: new Date(),
      })
      .returning();
    const chatId = (chat as { id: string }).id;
    await db.insert(attachments).values({
      tenantId: user.tenantId,
      chatId,
      uploadedByUserId: user.id,
      filename: 'doc.txt',
      contentType: 'text/plain',
      sizeBytes: 4,
      provider: 'openai',
      storageBackend: 'openai',
      providerFileId: 'file-hangs',
      status: 'ready',
      kind: 'document',
      deletedAt: new Date(),
      cleanupStatus: 'pending',
    });
    const [job] = await db
      .insert(outbox)
      .values({ kind: 'chat_deleted', payload: { tenant_id: user.tenantId, chat_id: chatId } })
      .returning();
    return (job as { id: string }).id;
  } finally {
    await database.close();
  }
}

describe('`worker` on SIGTERM', () => {
  it('stops within its grace period and gives back the lease of the job it could not finish', async () => {
    const jobId = await deletedChatWithFile();
    const fake = await startFakeOpenAI();
    fake.delay('files.delete', 120_000);
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/worker.ts'], {
      env: {
        ...process.env,
        TSX_TSCONFIG_PATH: 'scripts/tsconfig.json',
        DATABASE_DRIVER: 'pglite',
        DATABASE_URL: '',
        PGLITE_DIR: pgliteDir,
        FILE_STORAGE_DIR: path.join(tmp, 'files'),
        OPENAI_API_KEY: 'test',
        OPENAI_BASE_URL: fake.url,
        AZURE_OPENAI_ENDPOINT: '',
        SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS),
      },
      stdio: 'ignore',
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    try {
      // The job is in hand once its provider call is.
      await expect
        .poll(() => fake.requests.some((r) => r.endpoint === 'files.delete'), {
          timeout: 60_000,
          interval: 50,
        })
        .toBe(true);
      const signalled = Date.now();
      child.kill('SIGTERM');
      expect(await exited).toBe(143);
      expect(Date.now() - signalled).toBeLessThan(GRACE_SECONDS * 1000 + 3000);
    } finally {
      child.kill('SIGKILL');
      await fake.close();
    }
    const database = await openDatabase({ driver: 'pglite', pgliteDir });
    try {
      const [job] = await database.db.select().from(outbox).where(eq(outbox.id, jobId));
      expect(job).toMatchObject({
        attempts: 1,
        leaseToken: null,
        leaseUntil: null,
        completedAt: null,
        deadAt: null,
      });
    } finally {
      await database.close();
    }
  });
});
