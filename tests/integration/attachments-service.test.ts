import { and, eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { getUploadLimits } from '@/lib/attachments/limits';
import { deleteAttachment, getAttachment, getThumbnail, listAttachments } from '@/lib/attachments/service';
import type { UploadOutcome } from '@/lib/attachments/upload/finish';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { attachments, chats, chatVectorStores, outbox, tenantSettings } from '@/lib/db/schema';
import { getDb } from '@/lib/runtime';
import { fakeOpenAIForFile, fileInput, makeChat, makeDeps, type TestDeps } from '@/tests/support/attachments';
import type { FakeOpenAI } from '@/tests/support/fake-openai';
import { failure, makeUser, type TestUser } from '@/tests/support/fixtures';
import { pdf, png, XLSX_TYPE, xlsx } from '@/tests/support/sample-files';

let fake: FakeOpenAI;
let deps: TestDeps;
let user: TestUser;

const server = fakeOpenAIForFile();
beforeEach(async () => {
  fake = server();
  deps = await makeDeps(fake);
  user = await makeUser();
});

const row = async (id: string) =>
  (await (await getDb()).select().from(attachments).where(eq(attachments.id, id)))[0];
const rowsOf = async (chatId: string) =>
  (await getDb()).select().from(attachments).where(eq(attachments.chatId, chatId));

async function upload(chatId: string, ...args: Parameters<typeof fileInput>): Promise<UploadOutcome> {
  return uploadFile(deps, user.caller, chatId, fileInput(...args));
}

/** An upload whose indexing, if any, has finished. */
async function uploadReady(chatId: string, ...args: Parameters<typeof fileInput>) {
  const outcome = await upload(chatId, ...args);
  await outcome.indexing?.();
  return getAttachment(deps, user.caller, chatId, outcome.attachment.id);
}

/** An upload held in flight at the provider (its head read, its row pending) until released. */
function uploadInFlight(chatId: string) {
  let release: () => void = () => {};
  const pause = new Promise<void>((resolve) => {
    release = resolve;
  });
  const done = upload(chatId, Buffer.alloc(200 * 1024, 'a'), { chunkSize: 100 * 1024, pause });
  done.catch(() => {});
  return { done, release };
}

async function waitForRow(chatId: string) {
  for (let i = 0; i < 500; i++) {
    const [found] = await rowsOf(chatId);
    if (found) return found;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('the upload never wrote its row');
}

describe('uploading a document (B1, E1, B3, E5)', () => {
  it('stores it, indexes it with its attachment id, and is ready only once searchable', async () => {
    const chatId = await makeChat(user);
    fake.setIndexing({ delayMs: 150 });
    const text = 'The refund policy allows returns within 30 days.\n'.repeat(50);
    const { attachment, indexing } = await upload(chatId, text, { filename: 'policy.txt' });

    expect(attachment).toMatchObject({
      filename: 'policy.txt',
      content_type: 'text/plain',
      size_bytes: Buffer.byteLength(text),
      status: 'uploaded',
      kind: 'document',
    });
    expect(Object.keys(attachment).sort()).toEqual(
      [
        'can_open',
        'content_type',
        'created_at',
        'filename',
        'id',
        'kind',
        'locked',
        'size_bytes',
        'status',
      ].sort(),
    );
    expect((await getAttachment(deps, user.caller, chatId, attachment.id)).status).toBe('uploaded');

    const [file] = fake.state().files;
    expect(file).toMatchObject({
      filename: `${chatId}_${attachment.id}.txt`,
      purpose: 'assistants',
      bytes: Buffer.byteLength(text),
    });
    expect(fake.fileContent(file?.id as string)?.toString()).toBe(text);
    // The store exists before the answer; the document joins it after the response.
    expect(fake.state().vectorStores.map((v) => v.files)).toEqual([[]]);

    const indexed = indexing?.();
    await expect
      .poll(() => fake.state().vectorStores[0]?.files)
      .toEqual([{ id: file?.id, status: 'in_progress', attributes: { attachment_id: attachment.id } }]);
    expect((await getAttachment(deps, user.caller, chatId, attachment.id)).status).toBe('uploaded');
    await indexed;
    const [store] = fake.state().vectorStores;
    expect(store?.files).toEqual([
      { id: file?.id, status: 'completed', attributes: { attachment_id: attachment.id } },
    ]);
    expect((await getAttachment(deps, user.caller, chatId, attachment.id)).status).toBe('ready');
    const stored = await row(attachment.id);
    expect(stored).toMatchObject({
      storageBackend: 'openai',
      provider: 'openai',
      forFileSearch: true,
      forCodeInterpreter: false,
    });
    const [vs] = await (await getDb())
      .select()
      .from(chatVectorStores)
      .where(eq(chatVectorStores.chatId, chatId));
    expect(vs?.vectorStoreId).toBe(store?.id);
  });

  it('reuses the chat vector store for the second document', async () => {
    const chatId = await makeChat(user);
    await uploadReady(chatId, 'first document', { filename: 'a.md', type: 'text/markdown' });
    await uploadReady(chatId, pdf('second document'), { filename: 'b.pdf', type: 'application/pdf' });
    const { vectorStores, files } = fake.state();
    expect(vectorStores).toHaveLength(1);
    expect(vectorStores[0]?.files.map((f) => f.id).sort()).toEqual(files.map((f) => f.id).sort());
    expect(fake.requests.filter((r) => r.endpoint === 'vector_stores.create')).toHaveLength(1);
  });

  it('strips the charset parameter and remaps CSV to text (C6)', async () => {
    const chatId = await makeChat(user);
    const a = await uploadReady(chatId, 'a,b\n1,2\n', {
      filename: 'data.csv',
      type: 'text/csv; charset=utf-8',
    });
    expect(a).toMatchObject({ content_type: 'text/plain', filename: 'data.csv', status: 'ready' });
    expect(fake.state().files[0]?.filename).toMatch(/\.txt$/);
    const b = await uploadReady(chatId, '{"a":1}', {
      filename: 'x.json',
      type: 'Application/JSON; charset=UTF-8',
    });
    expect(b.content_type).toBe('application/json');
  });

  it('infers the type of an octet-stream from the extension', async () => {
    const chatId = await makeChat(user);
    const a = await uploadReady(chatId, 'fn main() {}', {
      filename: 'main.rs',
      type: 'application/octet-stream',
    });
    expect(a.content_type).toBe('text/x-rust');
  });

  it('keeps a safe version of the filename', async () => {
    const chatId = await makeChat(user);
    const a = await uploadReady(chatId, 'x', { filename: '../../etc/invoice\u202Efdp.txt' });
    expect(a.filename).toBe('invoicefdp.txt');
  });
});

describe('uploading images and spreadsheets (B2)', () => {
  it('makes an image ready at once with a thumbnail and no vector store', async () => {
    const chatId = await makeChat(user);
    const image = await png(256, 128);
    const { attachment, indexing } = await upload(chatId, image, {
      filename: 'chart.png',
      type: 'image/png',
    });
    expect(indexing).toBeUndefined();
    expect(attachment).toMatchObject({ status: 'ready', kind: 'image', size_bytes: image.length });
    expect(attachment.img_thumbnail).toMatchObject({ content_type: 'image/webp', width: 128, height: 64 });
    const thumb = await getThumbnail(deps, user.caller, chatId, attachment.id);
    expect(thumb.subarray(8, 12).toString()).toBe('WEBP');
    expect(Buffer.from(attachment.img_thumbnail?.data_base64 as string, 'base64').equals(thumb)).toBe(true);
    expect(fake.state().vectorStores).toHaveLength(0);
    expect(deps.metrics.count('image', 'ok')).toBe(1);
    expect(deps.metrics.bytes.get('image')).toEqual([image.length]);
    expect(deps.metrics.pendingGauge).toBe(0);
  });

  it('sends a spreadsheet to the code interpreter only, ready without indexing', async () => {
    const chatId = await makeChat(user);
    const { attachment, indexing } = await upload(chatId, xlsx(), { filename: 'q3.xlsx', type: XLSX_TYPE });
    expect(indexing).toBeUndefined();
    expect(attachment.status).toBe('ready');
    expect(await row(attachment.id)).toMatchObject({ forCodeInterpreter: true, forFileSearch: false });
    expect(fake.state().vectorStores).toHaveLength(0);
  });
});

describe('refusing uploads (C1–C5)', () => {
  it('refuses unsupported types without writing anything', async () => {
    const chatId = await makeChat(user);
    const err = await failure(
      upload(chatId, 'MZ...', { filename: 'setup.exe', type: 'application/x-msdownload' }),
    );
    expect(err).toMatchObject({ code: 'unsupported_file_type', status: 415 });
    expect(await rowsOf(chatId)).toHaveLength(0);
    expect(fake.requests).toHaveLength(0);
  });

  it('refuses content that contradicts its type: an executable named cat.png', async () => {
    const chatId = await makeChat(user);
    const exe = Buffer.concat([Buffer.from('MZ\x90\x00'), Buffer.alloc(4000, 1)]);
    const err = await failure(upload(chatId, exe, { filename: 'cat.png', type: 'image/png' }));
    expect(err).toMatchObject({ code: 'content_type_mismatch', status: 415 });
    expect(await rowsOf(chatId)).toHaveLength(0);
    expect(fake.state().files).toHaveLength(0);
  });

  it('refuses an empty file of any type with 400 empty_file, writing nothing', async () => {
    const chatId = await makeChat(user);
    for (const [filename, type] of [
      ['empty.txt', 'text/plain'],
      ['empty.pdf', 'application/pdf'],
      ['empty.png', 'image/png'],
    ] as const) {
      for (const hint of [200, null]) {
        const err = await failure(upload(chatId, Buffer.alloc(0), { filename, type, hint }));
        expect(err, `${type}, hint ${hint}`).toMatchObject({ code: 'empty_file', status: 400 });
      }
    }
    expect(await rowsOf(chatId)).toHaveLength(0);
    expect(fake.state().files).toHaveLength(0);
    expect(fake.requests.length).toBe(0);
  });

  it('fails a text file whose invalid bytes come after the head, and removes nothing it kept', async () => {
    const chatId = await makeChat(user);
    const bytes = Buffer.concat([
      Buffer.alloc(100_000, 'a'),
      Buffer.from([0xff, 0xfe]),
      Buffer.alloc(10, 'b'),
    ]);
    const err = await failure(upload(chatId, bytes, { filename: 'log.txt' }));
    expect(err.code).toBe('content_type_mismatch');
    const [failed] = await rowsOf(chatId);
    expect(failed).toMatchObject({ status: 'failed', errorCode: 'content_type_mismatch' });
    expect(fake.state().files).toHaveLength(0);
    expect(deps.metrics.pendingGauge).toBe(0);
  });

  it('answers 404 for a chat that is not the caller’s (C2)', async () => {
    const other = await makeUser();
    const chatId = await makeChat(other);
    expect((await failure(upload(chatId, 'x'))).code).toBe('not_found');
    expect((await failure(upload('not-a-uuid', 'x'))).code).toBe('not_found');
  });

  it('counts every document that is not deleted against the chat limit (C3)', async () => {
    deps = await makeDeps(fake, { maxDocumentsPerChat: 2 });
    const chatId = await makeChat(user);
    await uploadReady(chatId, 'one');
    fake.fail('files.create', { status: 400, times: 1 });
    await failure(upload(chatId, 'two fails'));
    const err = await failure(upload(chatId, 'three'));
    expect(err).toMatchObject({ code: 'document_limit_exceeded', status: 400 });
    // Images do not count as documents.
    expect(
      (await upload(chatId, await png(), { filename: 'p.png', type: 'image/png' })).attachment.status,
    ).toBe('ready');
  });

  it('refuses before uploading when the size hint breaks the chat total (C4)', async () => {
    deps = await makeDeps(fake, { maxTotalBytesPerChat: 1024 * 1024 });
    const chatId = await makeChat(user);
    await uploadReady(chatId, Buffer.alloc(900 * 1024, 'a'));
    const before = fake.state().files.length;
    const err = await failure(upload(chatId, Buffer.alloc(200 * 1024, 'b')));
    expect(err).toMatchObject({ code: 'storage_limit_exceeded', status: 400 });
    expect(fake.state().files).toHaveLength(before);
  });

  it('refuses after uploading a chunked request that breaks the total, removing the file (C5)', async () => {
    deps = await makeDeps(fake, { maxTotalBytesPerChat: 1024 * 1024 });
    const chatId = await makeChat(user);
    await uploadReady(chatId, Buffer.alloc(900 * 1024, 'a'));
    const err = await failure(upload(chatId, Buffer.alloc(200 * 1024, 'b'), { hint: null }));
    expect(err.code).toBe('storage_limit_exceeded');
    const failed = (await rowsOf(chatId)).find((r) => r.status === 'failed');
    expect(failed).toMatchObject({ errorCode: 'storage_limit_exceeded', sizeBytes: 200 * 1024 });
    expect(fake.state().files).toHaveLength(1);
    expect(deps.metrics.count('document', 'storage_limit_exceeded')).toBe(1);
  });

  it('frees room when attachments are deleted (M1)', async () => {
    deps = await makeDeps(fake, { maxTotalBytesPerChat: 1024 * 1024 });
    const chatId = await makeChat(user);
    const big = await uploadReady(chatId, Buffer.alloc(900 * 1024, 'a'));
    await deleteAttachment(deps, user.caller, chatId, big.id);
    expect((await uploadReady(chatId, Buffer.alloc(900 * 1024, 'c'))).status).toBe('ready');
  });
});

describe('size limits', () => {
  it('answers 413 from the Content-Length alone, reading nothing', async () => {
    const chatId = await makeChat(user);
    let opened = false;
    const err = await failure(
      uploadFile(deps, user.caller, chatId, {
        sizeHint: 30 * 1024 * 1024,
        openFile: async () => {
          opened = true;
          throw new Error('must not read');
        },
      }),
    );
    expect(err).toMatchObject({ code: 'file_too_large', status: 413 });
    expect(opened).toBe(false);
  });

  it('answers 413 for an image over the image limit, by its hint', async () => {
    const chatId = await makeChat(user);
    const err = await failure(
      upload(chatId, Buffer.alloc(10), { filename: 'a.png', type: 'image/png', hint: 7 * 1024 * 1024 }),
    );
    expect(err.code).toBe('file_too_large');
    expect(await rowsOf(chatId)).toHaveLength(0);
  });

  it('stops a stream that crosses the limit midway and marks it failed', async () => {
    deps = await makeDeps(fake, { maxDocumentBytes: 256 * 1024 });
    const chatId = await makeChat(user);
    const err = await failure(upload(chatId, Buffer.alloc(400 * 1024, 'x'), { hint: null }));
    expect(err).toMatchObject({ code: 'file_too_large', status: 413 });
    expect((await rowsOf(chatId))[0]).toMatchObject({ status: 'failed', errorCode: 'file_too_large' });
    expect(fake.state().files).toHaveLength(0);
    expect(deps.metrics.count('document', 'file_too_large')).toBe(1);
    expect(deps.metrics.pendingGauge).toBe(0);
  });

  it('takes the tighter of the model cap and the configured limits', async () => {
    const small = await makeChat(user, 'gpt-small');
    const limits = await getUploadLimits(deps, user.caller, small);
    expect(limits.max_bytes).toEqual({ document: 10 * 1024 * 1024, image: 5 * 1024 * 1024 });
    deps = await makeDeps(fake, { maxDocumentBytes: 2 * 1024 * 1024 });
    expect((await getUploadLimits(deps, user.caller, small)).max_bytes.document).toBe(2 * 1024 * 1024);
  });
});

describe('quotas beyond upstream', () => {
  it('holds each user to their quota across chats', async () => {
    deps = await makeDeps(fake, { userQuotaBytes: 300 * 1024 });
    const a = await makeChat(user);
    const b = await makeChat(user);
    await uploadReady(a, Buffer.alloc(200 * 1024, 'a'));
    const err = await failure(upload(b, Buffer.alloc(200 * 1024, 'b')));
    expect(err).toMatchObject({
      code: 'storage_quota_exceeded',
      status: 400,
      extensions: { quota_scope: 'user' },
    });
    // Another user of the tenant has their own quota.
    const colleague = await makeUser({ tenant: user.tenant });
    const c = await makeChat(colleague);
    await uploadFile(deps, colleague.caller, c, fileInput(Buffer.alloc(200 * 1024, 'c')));
  });

  it('holds the tenant to its quota across users', async () => {
    deps = await makeDeps(fake, { tenantQuotaBytes: 300 * 1024 });
    await uploadReady(await makeChat(user), Buffer.alloc(200 * 1024, 'a'));
    const colleague = await makeUser({ tenant: user.tenant });
    const err = await failure(
      uploadFile(deps, colleague.caller, await makeChat(colleague), fileInput(Buffer.alloc(200 * 1024, 'b'))),
    );
    expect(err).toMatchObject({ code: 'storage_quota_exceeded', extensions: { quota_scope: 'tenant' } });
    const limits = await getUploadLimits(deps, colleague.caller, await makeChat(colleague));
    expect(limits.quotas.tenant).toEqual({ used: 200 * 1024, limit: 300 * 1024, remaining: 100 * 1024 });
  });
});

describe('kill switches and tools', () => {
  const setSwitches = async (values: Partial<typeof tenantSettings.$inferInsert>) =>
    (await getDb())
      .insert(tenantSettings)
      .values({ tenantId: user.caller.tenantId, ...values })
      .onConflictDoUpdate({ target: tenantSettings.tenantId, set: values });

  it('refuses all uploads when uploads are switched off', async () => {
    await setSwitches({ disableUploads: true });
    const chatId = await makeChat(user);
    expect((await failure(upload(chatId, 'x'))).code).toBe('uploads_disabled');
    expect((await getUploadLimits(deps, user.caller, chatId)).accepted_types).toEqual([]);
  });

  it('refuses images when images are switched off, and leaves them out of the accepted types', async () => {
    await setSwitches({ disableImages: true });
    const chatId = await makeChat(user);
    expect((await failure(upload(chatId, await png(), { filename: 'a.png', type: 'image/png' }))).code).toBe(
      'images_disabled',
    );
    const limits = await getUploadLimits(deps, user.caller, chatId);
    expect(limits).toMatchObject({ images_enabled: false, model_sees_images: true });
    expect(limits.accepted_types.some((t) => t.kind === 'image')).toBe(false);
  });

  it('gates spreadsheets on the code interpreter: denied → 422, unknown → 503', async () => {
    const noTools = await makeChat(user, 'gpt-no-tools');
    const denied = await failure(upload(noTools, xlsx(), { filename: 'a.xlsx', type: XLSX_TYPE }));
    expect(denied).toMatchObject({ code: 'code_interpreter_unavailable', status: 422 });

    await setSwitches({ disableCodeInterpreter: true });
    const chatId = await makeChat(user);
    expect((await failure(upload(chatId, xlsx(), { filename: 'a.xlsx', type: XLSX_TYPE }))).code).toBe(
      'code_interpreter_unavailable',
    );
    expect(
      (await getUploadLimits(deps, user.caller, chatId)).accepted_types.map((t) => t.mime),
    ).not.toContain(XLSX_TYPE);

    const gone = await makeChat(user, 'a-model-no-longer-in-the-catalog');
    const unknown = await failure(upload(gone, xlsx(), { filename: 'a.xlsx', type: XLSX_TYPE }));
    expect(unknown).toMatchObject({ code: 'service_unavailable', status: 503 });
    // Config limits apply to a chat whose model is unknown.
    expect((await getUploadLimits(deps, user.caller, gone)).max_bytes.document).toBe(
      deps.config.maxDocumentBytes,
    );
  });
});

describe('provider failures (D1, D2, REAL-2, REAL-3)', () => {
  it('marks the attachment failed when the provider refuses the upload', async () => {
    const chatId = await makeChat(user);
    fake.fail('files.create', { status: 500 });
    const unavailable = await failure(upload(chatId, 'x'));
    expect(unavailable).toMatchObject({ code: 'provider_unavailable', status: 502 });
    fake.fail('files.create', { status: 400, message: 'Invalid file file-abc123 for purpose' });
    const refused = await failure(upload(chatId, 'y'));
    expect(refused).toMatchObject({ code: 'upload_failed', status: 502 });
    expect(refused.message).not.toMatch(/file-|purpose/);
    // The failure names its row, so the client can retry or delete exactly that one.
    expect(refused.extensions.attachment_id).toEqual(expect.any(String));
    expect((await row(refused.extensions.attachment_id as string))?.errorCode).toBe('upload_failed');
    const rows = await rowsOf(chatId);
    expect(rows.map((r) => [r.status, r.errorCode])).toEqual([
      ['failed', 'upload_failed'],
      ['failed', 'upload_failed'],
    ]);
    expect(deps.metrics.count('document', 'provider_error')).toBe(2);
    expect(deps.metrics.pendingGauge).toBe(0);
  });

  it('answers uploaded, then fails the document and removes its file when it cannot join the vector store', async () => {
    const chatId = await makeChat(user);
    fake.fail('vector_stores.files.create', { status: 400 });
    const { attachment, indexing } = await upload(chatId, 'x');
    expect(attachment.status).toBe('uploaded');
    await indexing?.();
    expect((await rowsOf(chatId))[0]).toMatchObject({ status: 'failed', errorCode: 'indexing_failed' });
    expect(fake.state().files).toHaveLength(0);
  });

  it('fails the document when the provider cannot index it', async () => {
    const chatId = await makeChat(user);
    fake.setIndexing({ failWhen: () => true });
    const a = await uploadReady(chatId, 'x');
    expect(await getAttachment(deps, user.caller, chatId, a.id)).toMatchObject({
      status: 'failed',
      error_code: 'indexing_failed',
    });
    expect(fake.state().files).toHaveLength(0);
    expect(fake.state().vectorStores[0]?.files).toEqual([]);
  });

  it('fails the document at once when the provider no longer knows its store file', async () => {
    const chatId = await makeChat(user);
    fake.fail('vector_stores.files.retrieve', { status: 404, times: 1 });
    const a = await uploadReady(chatId, 'x');
    expect(a).toMatchObject({ status: 'failed', error_code: 'indexing_failed' });
    expect(fake.requests.filter((r) => r.endpoint === 'vector_stores.files.retrieve')).toHaveLength(1);
  });

  it('removes the placeholder when the vector store cannot be created, so a retry can', async () => {
    const chatId = await makeChat(user);
    fake.fail('vector_stores.create', { status: 500 });
    const err = await failure(upload(chatId, 'x'));
    expect(err).toMatchObject({ code: 'provider_unavailable', status: 502 });
    expect((await rowsOf(chatId))[0]).toMatchObject({ status: 'failed', errorCode: 'vector_store_failed' });
    expect(fake.state().files).toHaveLength(0);
    const db = await getDb();
    expect(await db.select().from(chatVectorStores).where(eq(chatVectorStores.chatId, chatId))).toEqual([]);
    expect((await uploadReady(chatId, 'again')).status).toBe('ready');
  });

  it('answers 409 when the chat’s store belongs to another provider', async () => {
    const chatId = await makeChat(user);
    await (await getDb())
      .insert(chatVectorStores)
      .values({ tenantId: user.caller.tenantId, chatId, provider: 'azure', vectorStoreId: 'vs_elsewhere' });
    const err = await failure(upload(chatId, 'x'));
    expect(err).toMatchObject({ code: 'provider_mismatch', status: 409 });
    expect(fake.state().files).toHaveLength(0);
  });

  it('waits for a store another upload is creating, then times out with Retry-After', async () => {
    const chatId = await makeChat(user);
    await (await getDb())
      .insert(chatVectorStores)
      .values({ tenantId: user.caller.tenantId, chatId, provider: 'openai' });
    const err = await failure(upload(chatId, 'x'));
    expect(err).toMatchObject({ code: 'vector_store_timeout', status: 503, headers: { 'retry-after': '3' } });
    expect(fake.requests.filter((r) => r.endpoint === 'vector_stores.create')).toHaveLength(0);
  });

  it('reports a race when the store row vanishes while waiting', async () => {
    const chatId = await makeChat(user);
    const db = await getDb();
    await db.insert(chatVectorStores).values({ tenantId: user.caller.tenantId, chatId, provider: 'openai' });
    deps.sleep = async () => {
      await db.delete(chatVectorStores).where(eq(chatVectorStores.chatId, chatId));
    };
    expect((await failure(upload(chatId, 'x'))).code).toBe('vector_store_race');
  });

  it('works the same on the Azure adapter, recording its backend', async () => {
    const chatId = await makeChat(user, 'azure-test');
    const a = await uploadReady(chatId, 'azure text');
    expect(a.status).toBe('ready');
    expect(await row(a.id)).toMatchObject({ provider: 'azure', storageBackend: 'azure' });
    expect(fake.requests.every((r) => r.path.startsWith('/openai/v1/'))).toBe(true);
  });
});

describe('the local provider (no keys)', () => {
  it('indexes a document in our own full-text index and makes it ready', async () => {
    const chatId = await makeChat(user, 'offline');
    const a = await uploadReady(chatId, pdf('Hello refund policy'), {
      filename: 'policy.pdf',
      type: 'application/pdf',
    });
    expect(a.status).toBe('ready');
    expect(await row(a.id)).toMatchObject({ provider: 'local', storageBackend: 'local' });
    expect(fake.requests).toHaveLength(0);
  });
});

describe('reading attachments (G1–G6)', () => {
  it('lists the chat’s attachments oldest first and hides deleted ones', async () => {
    const chatId = await makeChat(user);
    const a = await uploadReady(chatId, 'a');
    const b = await uploadReady(chatId, 'b');
    const c = await uploadReady(chatId, 'c');
    await deleteAttachment(deps, user.caller, chatId, b.id);
    expect((await listAttachments(deps, user.caller, chatId)).map((x) => x.id)).toEqual([a.id, c.id]);
  });

  it('answers 404 for a missing, deleted, other-chat or other-user attachment', async () => {
    const chatId = await makeChat(user);
    const otherChat = await makeChat(user);
    const a = await uploadReady(chatId, 'a');
    const notFound = async (p: Promise<unknown>) => expect((await failure(p)).code).toBe('not_found');
    await notFound(getAttachment(deps, user.caller, otherChat, a.id));
    await notFound(getAttachment(deps, user.caller, chatId, '01a21dac-f1b9-77ad-932d-3b382c2aab95'));
    await notFound(getAttachment(deps, user.caller, chatId, 'garbage'));
    const colleague = await makeUser({ tenant: user.tenant });
    await notFound(getAttachment(deps, colleague.caller, chatId, a.id));
    await notFound(listAttachments(deps, colleague.caller, chatId));
    await notFound(deleteAttachment(deps, colleague.caller, chatId, a.id));
    await deleteAttachment(deps, user.caller, chatId, a.id);
    await notFound(getAttachment(deps, user.caller, chatId, a.id));
  });
});

describe('deleting attachments (F1–F6)', () => {
  it('soft-deletes, marks cleanup pending and enqueues one outbox job; a second delete is a no-op', async () => {
    const chatId = await makeChat(user);
    const a = await uploadReady(chatId, 'a');
    await deleteAttachment(deps, user.caller, chatId, a.id);
    await deleteAttachment(deps, user.caller, chatId, a.id);
    expect(await row(a.id)).toMatchObject({ cleanupStatus: 'pending', deletedAt: expect.any(Date) });
    const jobs = (await (await getDb()).select().from(outbox)).filter(
      (j) => (j.payload as { attachment_id: string }).attachment_id === a.id,
    );
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({
      kind: 'attachment_deleted',
      payload: { chat_id: chatId, tenant_id: user.caller.tenantId },
    });
  });

  it('answers 403 to someone who did not upload it', async () => {
    const chatId = await makeChat(user);
    const a = await uploadReady(chatId, 'a');
    const colleague = await makeUser({ tenant: user.tenant });
    await (await getDb())
      .update(attachments)
      .set({ uploadedByUserId: colleague.caller.userId })
      .where(and(eq(attachments.id, a.id), eq(attachments.chatId, chatId)));
    expect((await failure(deleteAttachment(deps, user.caller, chatId, a.id))).code).toBe('forbidden');
  });

  it('makes an upload in flight answer 404 and removes its provider file (D3)', async () => {
    const chatId = await makeChat(user);
    const { done, release } = uploadInFlight(chatId);
    const { id } = await waitForRow(chatId);
    await deleteAttachment(deps, user.caller, chatId, id);
    release();
    const err = await failure(done);
    expect(err.code).toBe('not_found');
    expect(fake.state().files).toHaveLength(0);
    expect(deps.metrics.pendingGauge).toBe(0);
  });

  it('fails an upload whose chat is deleted meanwhile', async () => {
    const chatId = await makeChat(user);
    const { done, release } = uploadInFlight(chatId);
    await waitForRow(chatId);
    await (await getDb()).update(chats).set({ deletedAt: new Date() }).where(eq(chats.id, chatId));
    release();
    expect((await failure(done)).code).toBe('not_found');
    expect(fake.state().files).toHaveLength(0);
  });
});

describe('cancelled uploads', () => {
  it('fail and disappear when the client goes away mid-upload', async () => {
    const chatId = await makeChat(user);
    const controller = new AbortController();
    let release: () => void = () => {};
    const pause = new Promise<void>((resolve) => {
      release = resolve;
    });
    const pending = upload(chatId, Buffer.alloc(200 * 1024, 'a'), {
      chunkSize: 100 * 1024,
      pause,
      signal: controller.signal,
    });
    const { id } = await waitForRow(chatId);
    controller.abort();
    release();
    await failure(pending);
    expect(await row(id)).toMatchObject({
      status: 'failed',
      errorCode: 'upload_cancelled',
      deletedAt: expect.any(Date),
    });
    expect(await listAttachments(deps, user.caller, chatId)).toEqual([]);
    expect(fake.state().files).toHaveLength(0);
    expect(deps.metrics.pendingGauge).toBe(0);
  });
});

describe('upload concurrency', () => {
  it('answers 503 with Retry-After past the per-process limit', async () => {
    deps = await makeDeps(fake, { maxConcurrentUploads: 1 });
    const chatId = await makeChat(user);
    const { done: first, release } = uploadInFlight(chatId);
    await waitForRow(chatId);
    const err = await failure(upload(chatId, 'second'));
    expect(err).toMatchObject({
      code: 'upload_concurrency_limit',
      status: 503,
      headers: { 'retry-after': '5' },
    });
    release();
    await first;
    expect((await upload(chatId, 'third')).attachment.status).toBe('uploaded');
  });
});
