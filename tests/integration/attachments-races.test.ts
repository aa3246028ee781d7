import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import { deleteAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { attachments } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { getDb } from '@/lib/runtime';
import { fakeOpenAIForFile, fileInput, makeChat, makeDeps, type TestDeps } from '@/tests/support/attachments';
import type { FakeOpenAI } from '@/tests/support/fake-openai';
import { makeUser, type TestUser } from '@/tests/support/fixtures';

// On PGlite (one connection) these run one after another and still must hold; on Postgres and
// through the Neon driver they really race, each upload on its own connection.
const driver = inject('testDriver');

let fake: FakeOpenAI;
let deps: TestDeps;
let user: TestUser;

const server = fakeOpenAIForFile();
beforeEach(async () => {
  fake = server();
  user = await makeUser();
});

/** Real waits: losers of the vector-store race poll with upstream's delays. */
const racingDeps = async (config: Parameters<typeof makeDeps>[1]) => ({
  ...(await makeDeps(fake, { maxConcurrentUploads: 64, maxConcurrentUploadsPerUser: 64, ...config })),
  sleep: undefined,
});

const settle = <T>(promises: Promise<T>[]) => Promise.allSettled(promises);
const codes = (results: PromiseSettledResult<unknown>[]) =>
  results.map((r) =>
    r.status === 'fulfilled' ? 'ok' : r.reason instanceof AppError ? r.reason.code : String(r.reason),
  );
const count = (list: string[], value: string) => list.filter((x) => x === value).length;

describe(`races on ${driver}`, () => {
  it('20 concurrent uploads into a chat with room for 5 documents: exactly 5 succeed', async () => {
    deps = await racingDeps({ maxDocumentsPerChat: 5 });
    const chatId = await makeChat(user);
    const results = codes(
      await settle(
        Array.from({ length: 20 }, (_, i) =>
          uploadFile(deps, user.caller, chatId, fileInput(`document ${i}`)),
        ),
      ),
    );
    expect(count(results, 'ok')).toBe(5);
    expect(count(results, 'document_limit_exceeded')).toBe(15);
    const rows = await (await getDb()).select().from(attachments).where(eq(attachments.chatId, chatId));
    expect(rows).toHaveLength(5);
    expect(fake.state().files).toHaveLength(5);
  });

  it('20 concurrent uploads against a byte limit never exceed it, whatever the hints say', async () => {
    deps = await racingDeps({ maxTotalBytesPerChat: 5 * 100 * 1024 });
    const chatId = await makeChat(user);
    // Chunked requests: no size is known until each upload has finished streaming.
    const results = codes(
      await settle(
        Array.from({ length: 20 }, (_, i) =>
          uploadFile(
            deps,
            user.caller,
            chatId,
            fileInput(Buffer.alloc(100 * 1024, 97 + (i % 20)), { hint: null }),
          ),
        ),
      ),
    );
    expect(count(results, 'ok')).toBe(5);
    expect(count(results, 'storage_limit_exceeded')).toBe(15);
    const rows = await (await getDb()).select().from(attachments).where(eq(attachments.chatId, chatId));
    const kept = rows.filter((r) => r.status !== 'failed');
    expect(kept.reduce((sum, r) => sum + r.sizeBytes, 0)).toBe(5 * 100 * 1024);
    expect(fake.state().files).toHaveLength(5);
  });

  it('10 concurrent first documents create exactly one vector store at the provider', async () => {
    deps = await racingDeps({});
    fake.delay('vector_stores.create', 300);
    const chatId = await makeChat(user);
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, (_, i) => uploadFile(deps, user.caller, chatId, fileInput(`first ${i}`))),
    );
    await Promise.all(outcomes.map((o) => o.indexing?.()));
    expect(fake.requests.filter((r) => r.endpoint === 'vector_stores.create')).toHaveLength(1);
    const [store, ...others] = fake.state().vectorStores;
    expect(others).toEqual([]);
    expect(store?.files).toHaveLength(10);
  });

  it('the per-user quota holds under concurrent uploads to different chats', async () => {
    deps = await racingDeps({ userQuotaBytes: 3 * 100 * 1024 });
    const chatIds = await Promise.all(Array.from({ length: 10 }, () => makeChat(user)));
    const results = codes(
      await settle(
        chatIds.map((chatId) =>
          uploadFile(deps, user.caller, chatId, fileInput(Buffer.alloc(100 * 1024, 'q'))),
        ),
      ),
    );
    expect(count(results, 'ok')).toBe(3);
    expect(count(results, 'storage_quota_exceeded')).toBe(7);
    const rows = await (await getDb())
      .select()
      .from(attachments)
      .where(eq(attachments.uploadedByUserId, user.caller.userId));
    expect(rows.filter((r) => r.status !== 'failed').reduce((sum, r) => sum + r.sizeBytes, 0)).toBe(
      3 * 100 * 1024,
    );
  });

  it('a delete racing an upload leaves no live provider file behind', async () => {
    deps = await racingDeps({});
    const chatId = await makeChat(user);
    const uploads = Array.from({ length: 8 }, (_, i) =>
      uploadFile(
        deps,
        user.caller,
        chatId,
        fileInput(Buffer.alloc(200 * 1024, 'r'), { filename: `r${i}.txt` }),
      ),
    );
    // Delete each row as soon as it appears, wherever its upload is.
    const db = await getDb();
    const deleted = new Set<string>();
    const sweeping = (async () => {
      for (let i = 0; i < 300 && deleted.size < 8; i++) {
        for (const r of await db.select().from(attachments).where(eq(attachments.chatId, chatId))) {
          if (!deleted.has(r.id)) {
            deleted.add(r.id);
            await deleteAttachment(deps, user.caller, chatId, r.id).catch(() => {});
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    })();
    const results = await settle(uploads);
    await sweeping;
    const outcomes = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    await Promise.all(outcomes.map((o) => o.indexing?.()));
    const rows = await db.select().from(attachments).where(eq(attachments.chatId, chatId));
    expect(rows.every((r) => r.deletedAt !== null)).toBe(true);
    // Files of uploads that lost the race were removed by the upload itself; the rest are the
    // cleanup worker's (their rows carry cleanup_status pending and the provider file id).
    const live = new Set(fake.state().files.map((f) => f.id));
    for (const r of rows) {
      if (r.providerFileId && live.has(r.providerFileId)) expect(r.cleanupStatus).toBe('pending');
    }
    for (const r of results)
      if (r.status === 'rejected') expect((r.reason as AppError).code).toBe('not_found');
  });
});
