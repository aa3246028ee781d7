import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { getSettings, type SettingsDeps, updateSettings } from '@/lib/admin/settings';
import { getUploadLimits } from '@/lib/attachments/limits';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { createChat } from '@/lib/chats/service';
import type { Db } from '@/lib/db';
import { type Database, openDatabase } from '@/lib/db/client';
import { auditLog } from '@/lib/db/schema';
import { createModelCatalog } from '@/lib/models/catalog';
import { getDb } from '@/lib/runtime';
import { listModels } from '@/lib/tenants/models';
import { sendMessage } from '@/lib/turns/service';
import { fakeOpenAIForFile, fileInput, makeChat, makeDeps, type TestDeps } from '@/tests/support/attachments';
import type { FakeOpenAI } from '@/tests/support/fake-openai';
import { failure, makeUser, type TestUser } from '@/tests/support/fixtures';
import { makeTurnDeps, TURN_MODELS } from '@/tests/support/turns';

const MiB = 1024 * 1024;
const catalog = createModelCatalog({ MODEL_CATALOG: JSON.stringify(TURN_MODELS) });
const modelIds = TURN_MODELS.map((m) => m.id);

/*
 * On PostgreSQL the uploads run on a second database handle (a pool of their own), as another
 * process would: what the admin changes through one is seen by the next request through the
 * other, so nothing is cached per process. PGlite has one handle per process.
 */
let second: Database | undefined;
beforeAll(async () => {
  const driver = inject('testDriver');
  if (driver === 'pglite') return;
  second = await openDatabase({
    driver,
    url: process.env.DATABASE_URL as string,
    neonWsProxy: process.env.NEON_WS_PROXY,
  });
});
afterAll(() => second?.close());

let admin: TestUser;
let member: TestUser;
let outsider: TestUser;
let settings: SettingsDeps;
let uploads: TestDeps;
let db: Db;
let fake: FakeOpenAI;

const server = fakeOpenAIForFile();
beforeEach(async () => {
  fake = server();
  admin = await makeUser({ role: 'admin' });
  member = await makeUser({ tenant: admin.tenant });
  outsider = await makeUser({ role: 'admin' });
  db = await getDb();
  uploads = await makeDeps(fake);
  if (second) uploads.db = second.db;
  settings = { db, config: uploads.config, models: catalog };
});

const patch = (body: unknown, who = admin) => updateSettings(settings, who.caller, body, 'req-test');
const upload = (chatId: string, ...args: Parameters<typeof fileInput>) =>
  uploadFile(uploads, member.caller, chatId, fileInput(...args));
const auditOf = (tenantId: string) =>
  db
    .select()
    .from(auditLog)
    .where(and(eq(auditLog.tenantId, tenantId), eq(auditLog.action, 'settings.update')));

describe('tenant settings within the deployment ceilings', () => {
  it('shows each field with its value and the ceiling beside it', async () => {
    const view = await getSettings(settings, admin.caller);
    expect(view.max_document_mb).toEqual({ value: null, effective: 25, ceiling: 25 });
    expect(view.max_image_mb).toEqual({ value: null, effective: 5, ceiling: 5 });
    expect(view.chat_max_documents).toEqual({ value: null, effective: 50, ceiling: 50 });
    expect(view.quota_user_mb.ceiling).toBe(1024);
    expect(view.tenant_quota_mb).toEqual({ value: 10240, ceiling: 10240, read_only: true });
    expect(view.allowed_types.value).toBeNull();
    expect(view.allowed_types.ceiling).toContain('application/pdf');
    expect(view.uploads_enabled).toEqual({ value: true });
    expect(view.enabled_models.ceiling.map((m) => m.id)).toEqual(modelIds);
    expect(view.retention_days).toEqual({ value: null, ceiling: 3650 });
  });

  it('refuses a value above its ceiling with validation_error naming the field, and changes nothing', async () => {
    const err = await failure(patch({ max_document_mb: 26, chat_max_documents: 10 }));
    expect(err).toMatchObject({ code: 'validation_error' });
    expect(err.extensions.errors).toEqual([
      { field: 'max_document_mb', message: expect.stringContaining('at most 25') },
    ]);
    const quota = await failure(patch({ tenant_quota_mb: 1 }));
    expect(quota.extensions.errors).toEqual([{ field: 'tenant_quota_mb', message: expect.any(String) }]);
    const types = await failure(patch({ allowed_types: ['application/x-msdownload'] }));
    expect(types.extensions.errors).toEqual([{ field: 'allowed_types', message: expect.any(String) }]);
    const models = await failure(patch({ enabled_models: ['gpt-5-imaginary'] }));
    expect(models.extensions.errors).toEqual([{ field: 'enabled_models', message: expect.any(String) }]);
    for (const hostile of [
      { max_document_mb: -1 },
      { max_document_mb: 1.5 },
      { nonsense: 1 },
      { uploads_enabled: 'no' },
    ])
      expect((await failure(patch(hostile))).code).toBe('validation_error');
    expect((await getSettings(settings, admin.caller)).chat_max_documents.value).toBeNull();
    expect(await auditOf(admin.caller.tenantId)).toEqual([]);
  });

  it('audits each change with the values before and after, and only the fields that changed', async () => {
    await patch({ max_document_mb: 10, uploads_enabled: true });
    await patch({ max_document_mb: 2, max_image_mb: 1 });
    const entries = (await auditOf(admin.caller.tenantId)).sort(
      (a, b) => a.createdAt.getTime() - b.createdAt.getTime(),
    );
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatchObject({
      actorId: admin.caller.userId,
      requestId: 'req-test',
      targetType: 'tenant_settings',
      before: { max_document_mb: null },
      after: { max_document_mb: 10 },
    });
    expect(entries[1]).toMatchObject({
      before: { max_document_mb: 10, max_image_mb: null },
      after: { max_document_mb: 2, max_image_mb: 1 },
    });
    expect(await auditOf(outsider.caller.tenantId)).toEqual([]);
  });

  it('a tightened size limit refuses the next upload with the new limit in the sentence', async () => {
    const chatId = await makeChat(member);
    const twoMb = Buffer.alloc(2 * MiB, 'a');
    await patch({ max_document_mb: 1 });
    const limits = await getUploadLimits(uploads, member.caller, chatId);
    expect(limits.max_bytes.document).toBe(MiB);
    const err = await failure(upload(chatId, twoMb));
    expect(err).toMatchObject({ code: 'file_too_large', extensions: { max_bytes: MiB } });
    expect(err.message).toContain('1 MB limit');
    // Without a declared length, the bytes themselves are held to it.
    expect((await failure(upload(chatId, twoMb, { hint: null }))).code).toBe('file_too_large');
    await patch({ max_document_mb: null });
    expect((await upload(chatId, twoMb)).attachment.size_bytes).toBe(2 * MiB);
    // Another tenant's members keep the deployment's limits.
    const other = await makeChat(outsider);
    expect((await getUploadLimits(uploads, outsider.caller, other)).max_bytes.document).toBe(25 * MiB);
  });

  it('holds the documents per chat, bytes per chat and per-user quota an admin set', async () => {
    const chatId = await makeChat(member);
    await patch({ chat_max_documents: 1 });
    await upload(chatId, 'first');
    const err = await failure(upload(chatId, 'second'));
    expect(err.code).toBe('document_limit_exceeded');
    expect(err.message).toContain('1 documents');
    const other = await makeChat(member);
    await patch({ chat_max_documents: null, chat_max_upload_mb: 1 });
    const chatBytes = await failure(upload(other, Buffer.alloc(MiB + 1, 'a')));
    expect(chatBytes.code).toBe('storage_limit_exceeded');
    await patch({ chat_max_upload_mb: null, quota_user_mb: 1 });
    expect((await failure(upload(other, Buffer.alloc(MiB + 1, 'a'), { hint: null }))).code).toBe(
      'storage_quota_exceeded',
    );
    const limits = await getUploadLimits(uploads, member.caller, other);
    expect(limits.quotas.user.limit).toBe(MiB);
  });

  it('accepts only the allowed types, and upload-limits lists only those', async () => {
    const chatId = await makeChat(member);
    await patch({ allowed_types: ['application/pdf', 'text/csv'] });
    const limits = await getUploadLimits(uploads, member.caller, chatId);
    expect(limits.accepted_types.map((t) => t.mime).sort()).toEqual(['application/pdf', 'text/csv']);
    const err = await failure(upload(chatId, 'plain words'));
    expect(err.code).toBe('unsupported_file_type');
    expect(err.message).toContain('text/plain');
    // CSV is stored as text, but it is the CSV entry that counts.
    expect(
      (await upload(chatId, 'a,b\n1,2\n', { filename: 'd.csv', type: 'text/csv' })).attachment.status,
    ).toBe('uploaded');
  });

  it('flips the uploads switch for the next request, and back', async () => {
    const chatId = await makeChat(member);
    await patch({ uploads_enabled: false });
    expect((await failure(upload(chatId, 'x'))).code).toBe('uploads_disabled');
    expect((await getUploadLimits(uploads, member.caller, chatId)).uploads_enabled).toBe(false);
    await patch({ uploads_enabled: true });
    expect((await upload(chatId, 'x')).attachment.filename).toBe('notes.txt');
  });

  it('keeps the models an admin did not enable out of the picker, new chats and sends', async () => {
    const [first, second] = modelIds as [string, string];
    const chatDeps = { db, models: catalog, rateLimits: { chats: { limit: 100, per: 'minute' as const } } };
    const chat = await createChat(chatDeps, member.caller, { model: second });
    await patch({ enabled_models: [first] });
    const listed = await listModels(db, catalog, member.caller);
    expect(listed.items.map((m) => m.id)).toEqual([first]);
    expect(listed.default_model).toBe(first);
    expect((await failure(createChat(chatDeps, member.caller, { model: second }))).code).toBe(
      'invalid_model',
    );
    expect((await createChat(chatDeps, member.caller, {})).model).toBe(first);
    const turns = { ...makeTurnDeps(uploads, fake), models: { find: catalog.findModel } };
    expect((await failure(sendMessage(turns, member.caller, chat.id, { content: 'hi' }))).code).toBe(
      'model_unavailable',
    );
    // Other tenants are untouched.
    expect((await listModels(db, catalog, outsider.caller)).items).toHaveLength(modelIds.length);
  });

  it('answers 404 to a member and only touches the admin’s own tenant', async () => {
    expect((await failure(getSettings(settings, member.caller))).code).toBe('not_found');
    expect((await failure(patch({ uploads_enabled: false }, member))).code).toBe('not_found');
    expect((await failure(getSettings(settings, null))).code).toBe('unauthorized');
    await patch({ uploads_enabled: false }, outsider);
    const chatId = await makeChat(member);
    expect((await getUploadLimits(uploads, member.caller, chatId)).uploads_enabled).toBe(true);
  });
});
