import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import * as forceDeleteRoute from '@/app/api/admin/attachments/force-delete/route';
import * as usersRoute from '@/app/api/admin/users/route';
import { deleteAttachment, getAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { readUsage } from '@/lib/attachments/usage';
import { auditLog, outbox } from '@/lib/db/schema';
import { listMessages } from '@/lib/messages/service';
import { drain } from '@/lib/outbox/worker';
import { getDb } from '@/lib/runtime';
import { sendMessage } from '@/lib/turns/service';
import { fileInput, makeChat, makeDeps } from '@/tests/support/attachments';
import { callRoute, makeUser, type TestUser } from '@/tests/support/fixtures';
import { makeTurnDeps, readEvents, TURN_MODELS } from '@/tests/support/turns';
import { attachmentRow, cleanupTestBed, jobsOf } from '@/tests/support/worker';

const driver = inject('testDriver');
const t = cleanupTestBed();
let admin: TestUser;

beforeEach(async () => {
  await (await getDb()).delete(outbox);
  // The turn tests' catalog, so that a chat's model and its uploads share the fake provider.
  t.deps = await makeDeps(t.fake, {}, TURN_MODELS);
  admin = await makeUser({ tenant: t.user.tenant, role: 'admin' });
});

const POLICY = 'Refunds. Damaged goods are refunded in full within 14 days of the return reaching us.';

async function readyDocument(chatId: string, filename = 'policy.txt', who = t.user) {
  const outcome = await uploadFile(t.deps, who.caller, chatId, fileInput(POLICY, { filename }));
  await outcome.indexing?.();
  expect((await getAttachment(t.deps, who.caller, chatId, outcome.attachment.id)).status).toBe('ready');
  return outcome.attachment;
}

async function ask(chatId: string, body: Record<string, unknown>) {
  const turn = await sendMessage(makeTurnDeps(t.deps, t.fake), t.user.caller, chatId, body);
  const events = await readEvents(turn.body);
  await turn.finished;
  return events;
}

const forceDelete = (body: unknown, who = admin) =>
  callRoute(forceDeleteRoute.POST, { method: 'POST', token: who.token, body });

const usageOf = async (user: TestUser, chatId: string) =>
  readUsage(await getDb(), { tenantId: user.caller.tenantId, chatId, userId: user.caller.userId });

const auditEntries = async () =>
  (await getDb()).select().from(auditLog).where(eq(auditLog.tenantId, t.user.caller.tenantId));

const citedIds = (events: Awaited<ReturnType<typeof ask>>) =>
  (events.find((e) => e.event === 'citations')?.data.items ?? []).map(
    (c: { attachment_id: string }) => c.attachment_id,
  );

describe(`force delete on ${driver}`, () => {
  it('removes a file already sent: placeholder in the message, out of retrieval at once, usage drops, provider object gone, audited', async () => {
    const chatId = await makeChat(t.user);
    const doc = await readyDocument(chatId);
    const first = await ask(chatId, {
      content: 'FILESEARCH: damaged goods refunded',
      attachment_ids: [doc.id],
    });
    expect(citedIds(first)).toEqual([doc.id]);
    expect((await attachmentRow(doc.id))?.lockedAt).not.toBeNull();
    const before = await usageOf(t.user, chatId);
    expect(before.userBytes).toBe(doc.size_bytes);
    expect(t.fake.state().files).toHaveLength(1);

    const res = await forceDelete({ attachment_ids: [doc.id] });
    expect(res).toMatchObject({ status: 200, body: { deleted: 1, bytes: doc.size_bytes } });

    // The member's message keeps its place for the file, and says what happened.
    const [question] = (await listMessages(await getDb(), t.user.caller, chatId, {})).items;
    expect(question?.attachments).toEqual([{ attachment_id: doc.id, removed_by_admin: true }]);
    expect(JSON.stringify(question)).not.toContain('policy.txt');
    // Quotas drop at once.
    expect((await usageOf(t.user, chatId)).userBytes).toBe(0);

    // The next answer cannot search it, before the worker has even run.
    const next = await ask(chatId, { content: 'FILESEARCH: damaged goods refunded' });
    expect(citedIds(next)).toEqual([]);
    const request = t.fake.requests.filter((r) => r.endpoint === 'responses.create').at(-1)?.body as {
      tools?: { type: string }[];
    };
    expect((request.tools ?? []).filter((tool) => tool.type === 'file_search')).toEqual([]);

    // The outbox takes it out of the vector store and off the provider.
    expect(await drain(t.worker)).toMatchObject({ completed: 1, dead: 0 });
    expect(await attachmentRow(doc.id)).toMatchObject({ cleanupStatus: 'done' });
    expect(t.fake.state().files).toEqual([]);
    expect(t.fake.state().vectorStores.flatMap((s) => s.files)).toEqual([]);

    const [entry] = await auditEntries();
    expect(entry).toMatchObject({
      actorId: admin.caller.userId,
      action: 'attachment.force_delete',
      targetType: 'attachment',
      targetId: doc.id,
      requestId: expect.any(String),
      details: {
        by: 'ids',
        filename: 'policy.txt',
        size_bytes: doc.size_bytes,
        uploader_id: t.user.caller.userId,
        chat_id: chatId,
      },
    });
    expect(res.headers.get('x-request-id')).toBe(entry?.requestId);
    // The admin's usage view agrees.
    const users = await callRoute(usersRoute.GET, { token: admin.token });
    expect((users.body as { items: { id: string; usage_bytes: number }[] }).items).toContainEqual(
      expect.objectContaining({ id: t.user.caller.userId, usage_bytes: 0 }),
    );
  });

  it("deletes all of a user's files, or all of a chat's, in one action; other users' and chats' stay", async () => {
    const chatA = await makeChat(t.user);
    const chatB = await makeChat(t.user);
    const a1 = await readyDocument(chatA, 'a1.txt');
    const a2 = await readyDocument(chatA, 'a2.txt');
    const b1 = await readyDocument(chatB, 'b1.txt');
    const adminChat = await makeChat(admin);
    const mine = await readyDocument(adminChat, 'admin.txt', admin);

    expect(await forceDelete({ chat_id: chatA })).toMatchObject({ status: 200, body: { deleted: 2 } });
    expect((await attachmentRow(a1.id))?.deletedAt).not.toBeNull();
    expect((await attachmentRow(a2.id))?.deletedAt).not.toBeNull();
    expect((await attachmentRow(b1.id))?.deletedAt).toBeNull();

    expect(await forceDelete({ user_id: t.user.caller.userId })).toMatchObject({
      status: 200,
      body: { deleted: 1 },
    });
    expect((await attachmentRow(b1.id))?.deletedAt).not.toBeNull();
    expect((await attachmentRow(mine.id))?.deletedAt).toBeNull();
    // Already deleted: nothing to do, nothing audited twice.
    expect(await forceDelete({ attachment_ids: [a1.id] })).toMatchObject({ body: { deleted: 0 } });

    const entries = await auditEntries();
    expect(entries.map((e) => [e.targetId, (e.details as { by: string }).by]).sort()).toEqual(
      [
        [a1.id, 'chat'],
        [a2.id, 'chat'],
        [b1.id, 'user'],
      ].sort(),
    );
    expect((await jobsOf('attachment_deleted')).length).toBe(3);
    await drain(t.worker);
    expect(t.fake.state().files).toHaveLength(1);
  });

  it('audits a deletion by an administrator, but not a member deleting their own file', async () => {
    const chatId = await makeChat(t.user);
    const own = await readyDocument(chatId, 'own.txt');
    await deleteAttachment(t.deps, t.user.caller, chatId, own.id);
    expect(await auditEntries()).toEqual([]);
  });

  it('refuses malformed targets with validation_error', async () => {
    for (const body of [
      {},
      { attachment_ids: [] },
      { attachment_ids: ['nope'] },
      { attachment_ids: Array.from({ length: 501 }, () => crypto.randomUUID()) },
      { user_id: t.user.caller.userId, chat_id: crypto.randomUUID() },
      { tenant_id: t.user.caller.tenantId },
      'everything',
    ]) {
      const res = await forceDelete(body);
      expect.soft(res.status, JSON.stringify(body).slice(0, 60)).toBe(400);
      expect.soft(res.body).toMatchObject({ code: 'validation_error' });
    }
  });
});
