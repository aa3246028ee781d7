import { and, eq, sql } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { POST as retryRoute } from '@/app/api/admin/jobs/retry/route';
import { GET as overviewRoute } from '@/app/api/admin/overview/route';
import { POST as dryRunRoute } from '@/app/api/admin/retention/dry-run/route';
import { GET as getSettingsRoute, PATCH as patchSettingsRoute } from '@/app/api/admin/settings/route';
import { forceDelete } from '@/lib/admin/force-delete';
import type { Overview } from '@/lib/admin/overview';
import { deleteAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { deleteChat } from '@/lib/chats/service';
import { attachments, auditLog, outbox } from '@/lib/db/schema';
import { getDb } from '@/lib/runtime';
import { fakeOpenAIForFile, fileInput, makeChat, makeDeps, type TestDeps } from '@/tests/support/attachments';
import { callRoute, makeUser, type TestUser } from '@/tests/support/fixtures';
import { ownDatabaseForFile } from '@/tests/support/own-database';

ownDatabaseForFile();
const server = fakeOpenAIForFile();
let deps: TestDeps;
let admin: TestUser;
let member: TestUser;
let outsider: TestUser;

beforeEach(async () => {
  deps = await makeDeps(server());
  admin = await makeUser({ role: 'admin' });
  member = await makeUser({ tenant: admin.tenant });
  outsider = await makeUser({ role: 'admin' });
});

const overview = async (who: TestUser, query = '') => {
  const res = await callRoute(overviewRoute, { token: who.token, path: `/api/admin/overview${query}` });
  expect(res.status).toBe(200);
  return res.body as Overview;
};

async function deadJobFor(tenantId: string, attachmentId: string, chatId: string) {
  const db = await getDb();
  await db
    .update(attachments)
    .set({ deletedAt: sql`now()`, cleanupStatus: 'failed', cleanupAttempts: 5 })
    .where(eq(attachments.id, attachmentId));
  await db.insert(outbox).values({
    kind: 'attachment_deleted',
    payload: { tenant_id: tenantId, chat_id: chatId, attachment_id: attachmentId },
    attempts: 5,
    deadAt: new Date(),
    lastError: 'provider down',
  });
}

describe('the admin overview', () => {
  it('shows storage against the quota, top users, statuses, kinds, uploads per day and failures', async () => {
    const chat = await makeChat(member);
    const adminChat = await makeChat(admin);
    await uploadFile(deps, member.caller, chat, fileInput('a'.repeat(3000)));
    await uploadFile(deps, member.caller, chat, fileInput('b'.repeat(1000)));
    await uploadFile(deps, admin.caller, adminChat, fileInput('c'.repeat(500)));
    const failed = await uploadFile(deps, member.caller, chat, fileInput('d'));
    await (await getDb())
      .update(attachments)
      .set({ status: 'failed', errorCode: 'indexing_failed' })
      .where(eq(attachments.id, failed.attachment.id));
    await uploadFile(deps, outsider.caller, await makeChat(outsider), fileInput('e'.repeat(9999)));

    const view = await overview(admin);
    expect(view.storage).toEqual({ used_bytes: 4500, quota_bytes: 10240 * 1024 * 1024, files: 4 });
    expect(view.top_users.map((u) => [u.email, u.bytes, u.files])).toEqual([
      [member.email, 4000, 3],
      [admin.email, 500, 1],
    ]);
    expect(view.by_status).toMatchObject({ failed: 1 });
    expect(view.by_kind.document).toEqual({ files: 4, bytes: 4500 });
    expect(view.daily).toHaveLength(30);
    expect(view.daily.at(-1)).toMatchObject({ day: new Date().toISOString().slice(0, 10), uploads: 4 });
    expect(view.daily.slice(0, -1).every((d) => d.uploads === 0)).toBe(true);
    expect(view.failed_by_code).toEqual([{ error_code: 'indexing_failed', count: 1 }]);
    // Sorted by file count, and limited.
    const byFiles = await overview(admin, '?users_sort=files&users_limit=1');
    expect(byFiles.top_users.map((u) => u.email)).toEqual([member.email]);
    const bad = await callRoute(overviewRoute, {
      token: admin.token,
      path: '/api/admin/overview?users_limit=0',
    });
    expect(bad.status).toBe(400);
    // The other tenant's admin sees only theirs.
    expect((await overview(outsider)).storage.used_bytes).toBe(9999);
  });

  it('retries this tenant’s dead jobs only, audited, and the backlog shows it', async () => {
    const chat = await makeChat(member);
    const mine = await uploadFile(deps, member.caller, chat, fileInput('mine'));
    const otherChat = await makeChat(outsider);
    const theirs = await uploadFile(deps, outsider.caller, otherChat, fileInput('theirs'));
    await deadJobFor(admin.caller.tenantId, mine.attachment.id, chat);
    await deadJobFor(outsider.caller.tenantId, theirs.attachment.id, otherChat);
    expect((await overview(admin)).backlog).toEqual({
      cleanup: { pending: 0, failed: 1 },
      jobs: { pending: 0, dead: 1 },
    });

    const res = await callRoute(retryRoute, {
      method: 'POST',
      token: admin.token,
      path: '/api/admin/jobs/retry',
    });
    expect(res).toMatchObject({ status: 200, body: { retried: 1 } });
    expect((await overview(admin)).backlog).toEqual({
      cleanup: { pending: 1, failed: 0 },
      jobs: { pending: 1, dead: 0 },
    });
    expect((await overview(outsider)).backlog.jobs.dead).toBe(1);
    const [entry] = await (await getDb())
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.tenantId, admin.caller.tenantId), eq(auditLog.action, 'jobs.retry')));
    expect(entry).toMatchObject({ actorId: admin.caller.userId, details: { jobs: 1 } });
    expect(entry?.requestId).toBe(res.headers.get('x-request-id'));
  });
});

type Auth = { token?: string; auth?: string };

describe('the rollups the overview reads', () => {
  it('stay equal to the attachments they sum, through uploads, failures, deletes and a chat delete', async () => {
    const chat = await makeChat(member);
    const other = await makeChat(member);
    const ids = [];
    for (let i = 0; i < 4; i++)
      ids.push(
        (await uploadFile(deps, member.caller, chat, fileInput('x'.repeat(100 * (i + 1))))).attachment.id,
      );
    await uploadFile(deps, admin.caller, await makeChat(admin), fileInput('admin file'));
    await uploadFile(deps, member.caller, other, fileInput('in the other chat'));
    const db = await getDb();
    await db
      .update(attachments)
      .set({ status: 'failed', errorCode: 'indexing_failed' })
      .where(eq(attachments.id, ids[0] as string));
    await deleteAttachment(deps, member.caller, chat, ids[1] as string);
    await forceDelete(db, admin.caller, { attachment_ids: [ids[2]] }, null);
    await deleteChat(db, member.caller, other);

    const direct = await db.execute(sql`
      select uploaded_by_user_id as user_id, status, kind, count(*)::int as files,
        coalesce(sum(size_bytes) filter (where status <> 'failed'), 0)::bigint as bytes
      from attachments where tenant_id = ${admin.caller.tenantId} and deleted_at is null group by 1, 2, 3 order by 1, 2, 3`);
    const rolled = await db.execute(sql`
      select user_id, status, kind, files::int, bytes from attachment_usage
      where tenant_id = ${admin.caller.tenantId} and files <> 0 order by 1, 2, 3`);
    expect(rowsOf(rolled).map(String)).toEqual(rowsOf(direct).map(String));
    const view = await overview(admin);
    expect(view.storage.files).toBe(3);
    expect(view.daily.at(-1)?.uploads).toBe(6);
    expect(view.failed_by_code).toEqual([{ error_code: 'indexing_failed', count: 1 }]);
  });
});

/** The rows of a raw query as comparable strings, whatever the driver's result shape. */
const rowsOf = (result: unknown) =>
  ((result as { rows?: unknown[] }).rows ?? (result as unknown[])).map((row) =>
    JSON.stringify(Object.values(row as object).map(String)),
  );

describe('admin routes: members 404, no caller 401, another tenant’s admin sees only their own', () => {
  const routes = [
    { name: 'GET settings', call: (auth: Auth) => callRoute(getSettingsRoute, auth) },
    {
      name: 'PATCH settings',
      call: (auth: Auth) =>
        callRoute(patchSettingsRoute, { ...auth, method: 'PATCH', body: { uploads_enabled: false } }),
    },
    { name: 'GET overview', call: (auth: Auth) => callRoute(overviewRoute, auth) },
    {
      name: 'POST retention dry run',
      call: (auth: Auth) => callRoute(dryRunRoute, { ...auth, method: 'POST', body: { retention_days: 30 } }),
    },
    {
      name: 'POST jobs retry',
      call: (auth: Auth) => callRoute(retryRoute, { ...auth, method: 'POST' }),
    },
  ];

  for (const route of routes) {
    it(route.name, async () => {
      const asMember = await route.call({ token: member.token });
      expect(asMember.status).toBe(404);
      expect(asMember.body).toMatchObject({ code: 'not_found' });
      // Without valid credentials (a session-less request needs Next's request scope: e2e covers it).
      const anonymous = await route.call({ auth: 'Bearer mct_garbage' });
      expect(anonymous.status).toBe(401);
      expect((await route.call({ token: admin.token })).status).toBe(200);
    });
  }

  it('an admin of another tenant changes and reads only their own', async () => {
    await callRoute(patchSettingsRoute, {
      token: outsider.token,
      method: 'PATCH',
      body: { uploads_enabled: false, max_document_mb: 1 },
    });
    const mine = (await callRoute(getSettingsRoute, { token: admin.token })).body as Record<
      string,
      { value: unknown }
    >;
    expect(mine.uploads_enabled?.value).toBe(true);
    expect(mine.max_document_mb?.value).toBeNull();
    const tooBig = await callRoute(patchSettingsRoute, {
      token: admin.token,
      method: 'PATCH',
      body: { max_image_mb: 6 },
    });
    expect(tooBig.status).toBe(400);
    expect(tooBig.body).toMatchObject({ code: 'validation_error', errors: [{ field: 'max_image_mb' }] });
  });
});
