import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, inject, it } from 'vitest';
import * as attachmentsCsvRoute from '@/app/api/admin/attachments/export.csv/route';
import * as forceDeleteRoute from '@/app/api/admin/attachments/force-delete/route';
import * as attachmentsRoute from '@/app/api/admin/attachments/route';
import * as auditCsvRoute from '@/app/api/admin/audit/export.csv/route';
import * as auditRoute from '@/app/api/admin/audit/route';
import * as invitationRoute from '@/app/api/admin/invitations/[id]/route';
import * as invitationsRoute from '@/app/api/admin/invitations/route';
import * as userRoute from '@/app/api/admin/users/[id]/route';
import * as usersRoute from '@/app/api/admin/users/route';
import { recordAudit } from '@/lib/admin/audit';
import { csvCell } from '@/lib/admin/csv';
import { createInvitation } from '@/lib/admin/invitations';
import { attachments, auditLog, users } from '@/lib/db/schema';
import { getDb } from '@/lib/runtime';
import { makeChat } from '@/tests/support/attachments';
import { callRoute, makeUser, type TestUser } from '@/tests/support/fixtures';

type Json = Record<string, unknown>;
type Handler = Parameters<typeof callRoute>[0];

const driver = inject('testDriver');

let admin: TestUser;
let member: TestUser;
let otherAdmin: TestUser;

beforeEach(async () => {
  admin = await makeUser({ role: 'admin' });
  member = await makeUser({ tenant: admin.tenant });
  otherAdmin = await makeUser({ role: 'admin' });
});

/** An attachment row of the member's, written directly: the inventory reads metadata only. */
async function seedAttachment(chatId: string, values: Partial<typeof attachments.$inferInsert> = {}) {
  const [row] = await (await getDb())
    .insert(attachments)
    .values({
      tenantId: member.caller.tenantId,
      chatId,
      uploadedByUserId: member.caller.userId,
      filename: 'report.pdf',
      contentType: 'application/pdf',
      sizeBytes: 1000,
      provider: 'local',
      storageBackend: 'local',
      status: 'ready',
      kind: 'document',
      ...values,
    })
    .returning();
  return row as typeof attachments.$inferSelect;
}

/** Every admin route, with what it needs to be called with a target of the admin's tenant. */
const routes: {
  name: string;
  handler: Handler;
  method: string;
  body?: () => unknown;
  params?: () => Promise<Record<string, string>> | Record<string, string>;
}[] = [
  { name: 'GET attachments', handler: attachmentsRoute.GET as Handler, method: 'GET' },
  { name: 'GET attachments CSV', handler: attachmentsCsvRoute.GET as Handler, method: 'GET' },
  {
    name: 'POST force-delete',
    handler: forceDeleteRoute.POST as Handler,
    method: 'POST',
    body: () => ({ user_id: member.caller.userId }),
  },
  { name: 'GET users', handler: usersRoute.GET as Handler, method: 'GET' },
  {
    name: 'PATCH user',
    handler: userRoute.PATCH as Handler,
    method: 'PATCH',
    body: () => ({ role: 'admin' }),
    params: () => ({ id: member.caller.userId }),
  },
  { name: 'GET invitations', handler: invitationsRoute.GET as Handler, method: 'GET' },
  { name: 'POST invitations', handler: invitationsRoute.POST as Handler, method: 'POST', body: () => ({}) },
  {
    name: 'DELETE invitation',
    handler: invitationRoute.DELETE as Handler,
    method: 'DELETE',
    params: async () => {
      const created = await createInvitation(
        await getDb(),
        admin.caller,
        {},
        { origin: 'http://localhost', requestId: null },
      );
      return { id: created.id };
    },
  },
  { name: 'GET audit', handler: auditRoute.GET as Handler, method: 'GET' },
  { name: 'GET audit CSV', handler: auditCsvRoute.GET as Handler, method: 'GET' },
];

describe(`admin routes on ${driver}`, () => {
  describe.each(routes)('$name', (route) => {
    const call = async (token: string | undefined) =>
      callRoute(route.handler, {
        method: route.method,
        ...(token ? { token } : { auth: 'Bearer mct_garbage' }),
        body: route.body?.(),
        params: await route.params?.(),
      });

    it('answers 401 without a caller', async () => {
      const res = await call(undefined);
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ code: 'unauthorized' });
      expect(res.headers.get('www-authenticate')).toBe('Bearer');
    });

    it('answers 200 to the admin of the tenant', async () => {
      const res = await call(admin.token);
      expect(res.status).toBeLessThan(300);
    });

    it('answers a member 404, as if it did not exist', async () => {
      const res = await call(member.token);
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ code: 'not_found' });
    });
  });

  it("never lets another tenant's admin see or touch this tenant", async () => {
    const chatId = await makeChat(member);
    const file = await seedAttachment(chatId, { filename: 'secret-plan.pdf' });
    await recordAudit(await getDb(), {
      tenantId: admin.caller.tenantId,
      actorId: admin.caller.userId,
      action: 'settings.update',
      targetType: 'tenant',
      targetId: admin.caller.tenantId,
      requestId: null,
    });
    const as = (handler: Handler, options: Parameters<typeof callRoute>[1] = {}) =>
      callRoute(handler, { token: otherAdmin.token, ...options });

    const lists = await Promise.all([
      as(attachmentsRoute.GET as Handler),
      as(usersRoute.GET as Handler),
      as(auditRoute.GET as Handler),
    ]);
    const text = JSON.stringify(lists.map((r) => r.body));
    expect(lists.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(text).not.toContain('secret-plan');
    expect(text).not.toContain(member.email);
    expect(text).not.toContain(admin.caller.userId);
    const csv = await (await as(attachmentsCsvRoute.GET as Handler)).body;
    expect(String(csv)).not.toContain('secret-plan');

    // Targets in another tenant are 404, like ones that do not exist.
    for (const body of [{ user_id: member.caller.userId }, { chat_id: chatId }]) {
      const res = await as(forceDeleteRoute.POST as Handler, { method: 'POST', body });
      expect(res).toMatchObject({ status: 404, body: { code: 'not_found' } });
    }
    const byIds = await as(forceDeleteRoute.POST as Handler, {
      method: 'POST',
      body: { attachment_ids: [file.id] },
    });
    expect(byIds).toMatchObject({ status: 200, body: { deleted: 0, bytes: 0 } });
    const patch = await as(userRoute.PATCH as Handler, {
      method: 'PATCH',
      params: { id: member.caller.userId },
      body: { disabled: true },
    });
    expect(patch).toMatchObject({ status: 404, body: { code: 'not_found' } });

    const created = await callRoute(invitationsRoute.POST as Handler, {
      method: 'POST',
      token: admin.token,
      body: {},
    });
    const revoke = await as(invitationRoute.DELETE as Handler, {
      method: 'DELETE',
      params: { id: (created.body as Json).id as string },
    });
    expect(revoke).toMatchObject({ status: 404, body: { code: 'not_found' } });

    const [still] = await (await getDb()).select().from(attachments).where(eq(attachments.id, file.id));
    expect(still?.deletedAt).toBeNull();
    const [user] = await (await getDb()).select().from(users).where(eq(users.id, member.caller.userId));
    expect(user?.disabledAt).toBeNull();
  });
});

describe('the attachments inventory', () => {
  const list = async (query: string, token = admin.token) => {
    const res = await callRoute(attachmentsRoute.GET as Handler, {
      token,
      path: `/api/admin/attachments?${query}`,
    });
    return res;
  };
  const ids = (res: { body: unknown }) => ((res.body as Json).items as Json[]).map((i) => i.id);

  it('filters on the server, shows metadata only, and pages by keyset in either sort', async () => {
    const chatId = await makeChat(member);
    const base = Date.parse('2026-03-01T00:00:00Z');
    const rows = [];
    for (let i = 0; i < 7; i++) {
      rows.push(
        await seedAttachment(chatId, {
          filename: i === 3 ? 'Q3_100%_final.pdf' : `file-${i}.pdf`,
          sizeBytes: 1000 + ((i * 7) % 5) * 100,
          createdAt: new Date(base + i * 86_400_000),
          status: i === 5 ? 'failed' : 'ready',
          errorCode: i === 5 ? 'indexing_failed' : null,
          kind: i === 6 ? 'image' : 'document',
          contentType: i === 6 ? 'image/png' : 'application/pdf',
          lockedAt: i === 2 ? new Date() : null,
        }),
      );
    }
    const adminChat = await makeChat(admin);
    await (await getDb()).insert(attachments).values({
      tenantId: admin.caller.tenantId,
      chatId: adminChat,
      uploadedByUserId: admin.caller.userId,
      filename: 'admin.txt',
      contentType: 'text/plain',
      sizeBytes: 5,
      provider: 'local',
      storageBackend: 'local',
      status: 'ready',
      kind: 'document',
      createdAt: new Date(base - 86_400_000),
    });

    const first = await list('limit=3');
    expect(first.status).toBe(200);
    expect(ids(first)).toEqual([rows[6]?.id, rows[5]?.id, rows[4]?.id]);
    const item = ((first.body as Json).items as Json[])[1];
    expect(item).toEqual({
      id: rows[5]?.id,
      filename: 'file-5.pdf',
      kind: 'document',
      content_type: 'application/pdf',
      size_bytes: rows[5]?.sizeBytes,
      status: 'failed',
      error_code: 'indexing_failed',
      uploader: { id: member.caller.userId, email: member.email },
      chat_id: chatId,
      created_at: rows[5]?.createdAt.toISOString(),
      last_sent_at: null,
      locked: false,
    });
    const next = await list(`limit=3&cursor=${(first.body as Json).next_cursor}`);
    expect(ids(next)).toEqual([rows[3]?.id, rows[2]?.id, rows[1]?.id]);

    // Every page of size-ascending together is every row once, in order.
    const seen: { id: unknown; size: number }[] = [];
    let cursor: string | null = null;
    do {
      const page = await list(`sort=size&order=asc&limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      seen.push(
        ...((page.body as Json).items as Json[]).map((i) => ({ id: i.id, size: i.size_bytes as number })),
      );
      cursor = (page.body as Json).next_cursor as string | null;
    } while (cursor);
    expect(seen).toHaveLength(8);
    expect(seen.map((s) => s.size)).toEqual([...seen.map((s) => s.size)].sort((a, b) => a - b));
    expect(new Set(seen.map((s) => s.id)).size).toBe(8);

    expect(ids(await list('status=failed'))).toEqual([rows[5]?.id]);
    expect(ids(await list('error_code=indexing_failed'))).toEqual([rows[5]?.id]);
    expect(ids(await list('kind=image'))).toEqual([rows[6]?.id]);
    expect(ids(await list('content_type=image%2Fpng'))).toEqual([rows[6]?.id]);
    expect(ids(await list('locked=true'))).toEqual([rows[2]?.id]);
    expect(ids(await list(`uploader=${admin.caller.userId}`))).toHaveLength(1);
    // LIKE's wildcards are literal: "100%" matches only the file that has it.
    expect(ids(await list('filename=100%25_f'))).toEqual([rows[3]?.id]);
    expect(ids(await list('filename=q3'))).toEqual([rows[3]?.id]);
    expect(ids(await list('from=2026-03-02&to=2026-03-03'))).toEqual([rows[2]?.id, rows[1]?.id]);
  });

  it('refuses what a hostile client sends with validation_error, never a 500', async () => {
    for (const query of [
      'status=deleted',
      'sort=filename',
      'order=sideways',
      'limit=0',
      'limit=201',
      'uploader=not-a-uuid',
      'from=yesterday',
      'to=2026-13-45',
      'cursor=garbage',
      `filename=${'x'.repeat(300)}`,
      'tenant_id=00000000-0000-4000-8000-000000000000',
      'filename=%00',
    ]) {
      const res = await list(query);
      expect.soft(res.status, query).toBe(400);
      expect.soft(res.body, query).toMatchObject({ code: 'validation_error' });
    }
    // A cursor of one sort is not valid for another.
    const chatId = await makeChat(member);
    await seedAttachment(chatId);
    await seedAttachment(chatId);
    const page = await list('limit=1');
    const res = await list(`sort=size&limit=1&cursor=${(page.body as Json).next_cursor}`);
    expect(res).toMatchObject({ status: 400, body: { code: 'validation_error' } });
  });

  it('exports the filtered set as CSV, streamed, with formula-looking cells made inert', async () => {
    const chatId = await makeChat(member);
    await seedAttachment(chatId, { filename: '=HYPERLINK("http://evil.test","click").pdf' });
    await seedAttachment(chatId, {
      filename: 'plain, with comma.pdf',
      kind: 'image',
      contentType: 'image/png',
    });
    const res = await fetchCsv('/api/admin/attachments/export.csv?kind=document');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="attachments.csv"');
    const lines = res.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,filename,kind,content_type,size_bytes,status,error_code,uploader_id,uploader_email,chat_id,created_at,last_sent_at,locked',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=HYPERLINK(""http://evil.test"",""click"").pdf"`);
  });

  it('exports more rows than one page holds, every one once', async () => {
    const chatId = await makeChat(member);
    const values = Array.from({ length: 2_500 }, (_, i) => ({
      tenantId: member.caller.tenantId,
      chatId,
      uploadedByUserId: member.caller.userId,
      filename: `bulk-${i}.txt`,
      contentType: 'text/plain',
      sizeBytes: i,
      provider: 'local',
      storageBackend: 'local',
      status: 'ready' as const,
      kind: 'document' as const,
    }));
    await (await getDb()).insert(attachments).values(values);
    const res = await fetchCsv('/api/admin/attachments/export.csv?sort=size');
    const lines = res.text.trim().split('\r\n').slice(1);
    expect(lines).toHaveLength(2_500);
    expect(new Set(lines.map((l) => l.split(',')[0])).size).toBe(2_500);
  });
});

async function fetchCsv(path: string, token = admin.token) {
  const handler = path.includes('/audit/') ? auditCsvRoute.GET : attachmentsCsvRoute.GET;
  const response = await handler(
    new Request(`http://localhost${path}`, { headers: { authorization: `Bearer ${token}` } }),
    { params: Promise.resolve({}) },
  );
  return { status: response.status, headers: response.headers, text: await response.text() };
}

describe('CSV cells', () => {
  it.each([
    ['=1+1', `"'=1+1"`],
    ['+cmd', `"'+cmd"`],
    ['-2', `"'-2"`],
    ['@SUM(A1)', `"'@SUM(A1)"`],
    ['\tx', `"'\tx"`],
    ['a"b', '"a""b"'],
    ['line\nbreak', '"line\nbreak"'],
    ['plain', 'plain'],
  ])('%j is written as %j', (value, cell) => {
    expect(csvCell(value)).toBe(cell);
  });
});

describe('the audit log', () => {
  it('filters by actor, action and date, newest first, and exports CSV; there is no route to change it', async () => {
    const db = await getDb();
    const entry = (action: string, actorId: string | null, at: string) =>
      db.insert(auditLog).values({
        tenantId: admin.caller.tenantId,
        actorId,
        action,
        targetType: 'user',
        targetId: member.caller.userId,
        requestId: 'req-1',
        createdAt: new Date(at),
      });
    await entry('user.update', admin.caller.userId, '2026-05-01T10:00:00Z');
    await entry('invitation.create', admin.caller.userId, '2026-05-02T10:00:00Z');
    await entry('retention.sweep', null, '2026-05-03T10:00:00Z');
    const get = async (query: string) => {
      const res = await callRoute(auditRoute.GET as Handler, {
        token: admin.token,
        path: `/api/admin/audit?${query}`,
      });
      expect(res.status).toBe(200);
      return ((res.body as Json).items as Json[]).map((i) => i.action);
    };
    expect(await get('')).toEqual(['retention.sweep', 'invitation.create', 'user.update']);
    expect(await get(`actor=${admin.caller.userId}`)).toEqual(['invitation.create', 'user.update']);
    expect(await get('action=user.update')).toEqual(['user.update']);
    expect(await get('from=2026-05-02&to=2026-05-02')).toEqual(['invitation.create']);
    const paged = await callRoute(auditRoute.GET as Handler, {
      token: admin.token,
      path: '/api/admin/audit?limit=2',
    });
    const rest = await get(`limit=2&cursor=${(paged.body as Json).next_cursor}`);
    expect(rest).toEqual(['user.update']);

    const csv = await fetchCsv('/api/admin/audit/export.csv?action=user.update');
    const lines = csv.text.trim().split('\r\n');
    expect(lines[0]).toBe(
      'id,created_at,actor_id,actor_email,action,target_type,target_id,request_id,before,after,details',
    );
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(admin.email);

    // Read-only: the routes export GET and nothing else.
    expect(Object.keys(auditRoute).filter((k) => k !== 'GET')).toEqual([]);
    expect(Object.keys(auditCsvRoute).filter((k) => k !== 'GET')).toEqual([]);
  });
});
