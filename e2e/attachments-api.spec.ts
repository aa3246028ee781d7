import { expect, test } from '@playwright/test';
import { strToU8, zipSync } from 'fflate';
import sharp from 'sharp';
import { E2E_METRICS_TOKEN } from '@/playwright.config';
import {
  type ApiUser,
  api,
  chunkedUpload,
  createApiUser,
  createChat,
  expectNoProviderLeak,
  expectProblem,
  fake,
  leakChecks,
  multipart,
  newBoundary,
  partHead,
  rawRequestWithoutBody,
  statusOf,
  uploadFile,
  waitUntilReady,
} from './api-helpers';
import { APP_ORIGIN } from './helpers';

/**
 * The attachment routes over plain HTTP against the production build: bearer tokens, hand-made
 * multipart bodies, raw sockets for the size limits, and the fake OpenAI server for the provider.
 */

const MiB = 1024 * 1024;
const MAX_DOCUMENT_BYTES = 25 * MiB;
const MAX_IMAGE_BYTES = 5 * MiB;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const NOTES = 'Mini-chat attachment notes.\nThe quarterly budget is 42 units.\n';
const notesFile = (filename = 'notes.txt') => ({ filename, contentType: 'text/plain', data: NOTES });

const png = (width = 640, height = 480) =>
  sharp({ create: { width, height, channels: 3, background: { r: 30, g: 120, b: 200 } } })
    .png()
    .toBuffer();

/** A minimal workbook package ([Content_Types].xml first, as Office writes it). */
const xlsx = () =>
  Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(
        '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
          '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>',
      ),
      'xl/workbook.xml': strToU8('<workbook/>'),
    }),
  );

const attachmentsPath = (chatId: string) => `/api/chats/${chatId}/attachments`;
const attachmentPath = (chatId: string, id: string) => `/api/chats/${chatId}/attachments/${id}`;

async function listAttachments(token: string, chatId: string) {
  const response = await api('GET', attachmentsPath(chatId), { token });
  expect(response.status, response.text).toBe(200);
  return response.json.items as {
    id: string;
    filename: string;
    status: string;
    kind: string;
    error_code?: string;
    created_at: string;
  }[];
}

async function providerCalls(endpoint: string) {
  return (await fake.requests()).filter((request) => request.endpoint === endpoint);
}

let alice: ApiUser;
let bob: ApiUser;

test.beforeAll(async ({ browser }) => {
  test.setTimeout(60_000);
  // Sign-up always creates a new organisation: two users, two tenants.
  alice = await createApiUser(browser);
  bob = await createApiUser(browser);
});

test.beforeEach(async () => {
  await fake.reset();
});

test.describe('uploads that succeed', () => {
  test('a document in an OpenAI chat is uploaded, then ready in one vector store under its attachment id', async () => {
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    const response = await uploadFile(alice.token, chatId, notesFile());

    expect(response.status, response.text).toBe(201);
    const attachment = response.json;
    expect(attachment).toEqual({
      id: expect.stringMatching(UUID),
      filename: 'notes.txt',
      content_type: 'text/plain',
      size_bytes: Buffer.byteLength(NOTES),
      status: 'uploaded',
      kind: 'document',
      locked: false,
      // OpenAI keeps the file: it cannot be downloaded.
      can_open: false,
      created_at: expect.any(String),
    });
    expect(response.headers.get('location')).toBe(attachmentPath(chatId, attachment.id));
    expect(response.headers.get('cache-control')).toBe('no-store');

    await waitUntilReady(alice.token, chatId, attachment.id);

    const state = await fake.state();
    expect(state.files).toEqual([
      expect.objectContaining({
        filename: `${chatId}_${attachment.id}.txt`,
        purpose: 'assistants',
        bytes: Buffer.byteLength(NOTES),
      }),
    ]);
    expect(state.vectorStores).toHaveLength(1);
    expect(state.vectorStores[0]?.files).toEqual([
      { id: state.files[0]?.id, status: 'completed', attributes: { attachment_id: attachment.id } },
    ]);
    expect(await providerCalls('files.create')).toHaveLength(1);
  });

  test('an image is ready at once with a WebP thumbnail that is served privately', async () => {
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    const image = await png();
    const response = await uploadFile(alice.token, chatId, {
      filename: 'diagram.png',
      contentType: 'image/png',
      data: image,
    });

    expect(response.status, response.text).toBe(201);
    const attachment = response.json;
    expect(attachment).toMatchObject({
      filename: 'diagram.png',
      content_type: 'image/png',
      size_bytes: image.length,
      status: 'ready',
      kind: 'image',
      img_thumbnail: {
        content_type: 'image/webp',
        width: expect.any(Number),
        height: expect.any(Number),
        data_base64: expect.any(String),
      },
    });
    expect(attachment.error_code).toBeUndefined();

    const thumbnail = await api('GET', `${attachmentPath(chatId, attachment.id)}/thumbnail`, {
      token: alice.token,
    });
    expect(thumbnail.status).toBe(200);
    expect(thumbnail.headers.get('content-type')).toBe('image/webp');
    expect(thumbnail.headers.get('cache-control')).toContain('private');
    expect(thumbnail.bytes.equals(Buffer.from(attachment.img_thumbnail.data_base64, 'base64'))).toBe(true);
    const meta = await sharp(thumbnail.bytes).metadata();
    expect(meta.format).toBe('webp');
    expect([meta.width, meta.height]).toEqual([
      attachment.img_thumbnail.width,
      attachment.img_thumbnail.height,
    ]);
    // Scaled down, aspect ratio kept.
    expect(meta.width).toBeLessThan(640);
    expect(Math.abs((meta.width ?? 0) / (meta.height ?? 1) - 640 / 480)).toBeLessThan(0.05);

    // Images are model input, not search material: a provider file, no vector store.
    const state = await fake.state();
    expect(state.files).toEqual([
      expect.objectContaining({ filename: `${chatId}_${attachment.id}.png`, bytes: image.length }),
    ]);
    expect(state.vectorStores).toEqual([]);
  });

  test('a spreadsheet in an OpenAI chat is ready at once, for the code interpreter only', async () => {
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    const workbook = xlsx();
    const response = await uploadFile(alice.token, chatId, {
      filename: 'budget.xlsx',
      contentType: XLSX_TYPE,
      data: workbook,
    });
    expect(response.status, response.text).toBe(201);
    expect(response.json).toMatchObject({ status: 'ready', kind: 'document', size_bytes: workbook.length });
    const state = await fake.state();
    expect(state.files).toHaveLength(1);
    expect(state.vectorStores).toEqual([]);
  });

  test('a document in an offline chat is indexed locally and the fake provider hears nothing', async () => {
    const chatId = await createChat(alice.token, 'offline');
    const response = await uploadFile(alice.token, chatId, notesFile());
    expect(response.status, response.text).toBe(201);
    expect(response.json).toMatchObject({ filename: 'notes.txt', status: 'uploaded', kind: 'document' });

    await waitUntilReady(alice.token, chatId, response.json.id);
    expect(await fake.requests()).toEqual([]);
    expect(await fake.state()).toEqual({ files: [], uploads: [], vectorStores: [] });
  });

  test('the list is oldest first; delete answers 204, twice, and the attachment is gone', async () => {
    const chatId = await createChat(alice.token, 'offline');
    // Only the last path segment of a client-side path is kept, non-ASCII intact.
    const first = await uploadFile(alice.token, chatId, notesFile('../../home/me/first-résumé.txt'));
    const second = await uploadFile(alice.token, chatId, {
      filename: 'second.md',
      contentType: 'text/markdown',
      data: '# Second\n\nMore notes.\n',
    });
    expect([first.status, second.status]).toEqual([201, 201]);
    const [a, b] = [first.json.id as string, second.json.id as string];

    const items = await listAttachments(alice.token, chatId);
    expect(items.map((item) => [item.id, item.filename])).toEqual([
      [a, 'first-résumé.txt'],
      [b, 'second.md'],
    ]);
    expect(Date.parse(items[0]?.created_at ?? '')).toBeLessThanOrEqual(
      Date.parse(items[1]?.created_at ?? ''),
    );

    // A document has no thumbnail.
    expectProblem(
      await api('GET', `${attachmentPath(chatId, b)}/thumbnail`, { token: alice.token }),
      404,
      'not_found',
    );

    await waitUntilReady(alice.token, chatId, a);
    const deleted = await api('DELETE', attachmentPath(chatId, a), { token: alice.token });
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe('');
    expectProblem(await api('GET', attachmentPath(chatId, a), { token: alice.token }), 404, 'not_found');
    expect((await api('DELETE', attachmentPath(chatId, a), { token: alice.token })).status).toBe(204);
    expect((await listAttachments(alice.token, chatId)).map((item) => item.id)).toEqual([b]);
  });
});

test.describe('size limits', () => {
  test('a Content-Length over the limit is refused with 413 before any of the body is sent', async () => {
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    const response = await rawRequestWithoutBody(
      [
        `POST ${attachmentsPath(chatId)} HTTP/1.1`,
        'Host: localhost:3100',
        `Authorization: Bearer ${alice.token}`,
        `Content-Type: multipart/form-data; boundary=${newBoundary()}`,
        'Content-Length: 40000000',
        '',
        '',
      ].join('\r\n'),
    );
    expectNoProviderLeak(response.text, 'POST 40 MB without a body');
    const problem = expectProblem(response, 413, 'file_too_large');
    expect(problem.max_bytes).toBe(MAX_DOCUMENT_BYTES);

    expect(await listAttachments(alice.token, chatId)).toEqual([]);
    expect(await providerCalls('files.create')).toEqual([]);
  });

  test('a chunked upload past the limit is cut off with 413 midway and its attachment marked failed', async () => {
    test.setTimeout(90_000);
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    const line = Buffer.from(`${'All work and no play makes a big document. '.repeat(3)}\n`);
    const chunk = Buffer.concat(Array.from({ length: Math.ceil((256 * 1024) / line.length) }, () => line));
    const response = await chunkedUpload(alice.token, attachmentsPath(chatId), {
      filename: 'big.txt',
      contentType: 'text/plain',
      fileBytes: 30 * MiB,
      chunk,
    });

    expectNoProviderLeak(response.text, 'chunked POST of 30 MiB');
    const problem = expectProblem(response, 413, 'file_too_large');
    expect(problem.max_bytes).toBe(MAX_DOCUMENT_BYTES);
    // The answer came while the body was still open: the server did not wait for its end.
    expect(response.ended).toBe(false);
    expect(response.fileBytesWritten).toBeGreaterThan(MAX_DOCUMENT_BYTES);

    // The service had already written the pending row (a chunked body has no size up front): it is failed.
    const items = await listAttachments(alice.token, chatId);
    expect(items).toEqual([
      expect.objectContaining({
        filename: 'big.txt',
        status: 'failed',
        kind: 'document',
        error_code: 'file_too_large',
      }),
    ]);
    // The provider saw the start of the stream, but stores nothing.
    expect((await fake.state()).files).toEqual([]);
    const creates = await providerCalls('files.create');
    expect(creates).toHaveLength(1);
    expect(creates[0]?.status).not.toBe(200);
    // A failed upload does not count against the chat's bytes.
    const limits = await api('GET', `/api/chats/${chatId}/upload-limits`, { token: alice.token });
    expect(limits.json.chat.bytes.used).toBe(0);
  });
});

test.describe('file types', () => {
  test('types outside the allowlist are refused with 415 unsupported_file_type', async () => {
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(510, 0x90)]);
    expectProblem(
      await uploadFile(alice.token, chatId, {
        filename: 'setup.exe',
        contentType: 'application/x-msdownload',
        data: exe,
      }),
      415,
      'unsupported_file_type',
    );
    // octet-stream falls back to the extension, which names nothing allowed here.
    expectProblem(
      await uploadFile(alice.token, chatId, {
        filename: 'setup.exe',
        contentType: 'application/octet-stream',
        data: exe,
      }),
      415,
      'unsupported_file_type',
    );
    expect(await listAttachments(alice.token, chatId)).toEqual([]);
    expect(await providerCalls('files.create')).toEqual([]);
  });

  test('content that contradicts its declared type is refused with 415 content_type_mismatch', async () => {
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    const exe = Buffer.concat([Buffer.from('MZ'), Buffer.alloc(2046, 0x90)]);
    expectProblem(
      await uploadFile(alice.token, chatId, { filename: 'cat.png', contentType: 'image/png', data: exe }),
      415,
      'content_type_mismatch',
    );
    const zip = Buffer.from(zipSync({ 'readme.txt': strToU8('not a pdf at all') }));
    expectProblem(
      await uploadFile(alice.token, chatId, {
        filename: 'report.pdf',
        contentType: 'application/pdf',
        data: zip,
      }),
      415,
      'content_type_mismatch',
    );
    // Binary bytes declared as text.
    expectProblem(
      await uploadFile(alice.token, chatId, {
        filename: 'notes.txt',
        contentType: 'text/plain',
        data: await png(8, 8),
      }),
      415,
      'content_type_mismatch',
    );
    // Refused on the content head: no row, nothing sent to the provider.
    expect(await listAttachments(alice.token, chatId)).toEqual([]);
    expect(await providerCalls('files.create')).toEqual([]);
  });

  test('an empty file is refused with 400 empty_file before anything is written or sent', async () => {
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    for (const [filename, contentType] of [
      ['empty.txt', 'text/plain'],
      ['empty.pdf', 'application/pdf'],
      ['empty.png', 'image/png'],
    ] as const) {
      expectProblem(
        await uploadFile(alice.token, chatId, { filename, contentType, data: '' }),
        400,
        'empty_file',
      );
    }
    expect(await listAttachments(alice.token, chatId)).toEqual([]);
    expect(await providerCalls('files.create')).toEqual([]);
  });

  test('invisible characters are stripped from the stored filename', async () => {
    const chatId = await createChat(alice.token, 'offline');
    const response = await uploadFile(alice.token, chatId, {
      ...notesFile('no\u200btes\u2060\ufeff\u00ad\u2028\u{e0041}\u202e.txt'),
    });
    expect(response.status, response.text).toBe(201);
    expect(response.json.filename).toBe('notes.txt');
    expect((await listAttachments(alice.token, chatId)).map((a) => a.filename)).toEqual(['notes.txt']);
  });

  test('the offline chat takes images, though its model cannot see them, and refuses spreadsheets (422)', async () => {
    const chatId = await createChat(alice.token, 'offline');
    const image = await uploadFile(alice.token, chatId, {
      filename: 'cat.png',
      contentType: 'image/png',
      data: await png(),
    });
    expect(image.status, image.text).toBe(201);
    expect(image.json).toMatchObject({ status: 'ready', kind: 'image' });
    expect(image.json.img_thumbnail).toMatchObject({ content_type: 'image/webp' });
    expectProblem(
      await uploadFile(alice.token, chatId, {
        filename: 'budget.xlsx',
        contentType: XLSX_TYPE,
        data: xlsx(),
      }),
      422,
      'code_interpreter_unavailable',
    );
    expect((await listAttachments(alice.token, chatId)).map((a) => a.filename)).toEqual(['cat.png']);
  });
});

test.describe('malformed multipart bodies', () => {
  const post = (chatId: string, contentType: string, body: Uint8Array | string) =>
    api('POST', attachmentsPath(chatId), {
      token: alice.token,
      headers: { 'content-type': contentType },
      body,
    });

  test('a missing boundary, a JSON body, a missing file part and a part without a type are 400s', async () => {
    const chatId = await createChat(alice.token, 'offline');
    const valid = multipart([{ name: 'file', ...notesFile() }]);

    expectProblem(await post(chatId, 'multipart/form-data', valid.body), 400, 'missing_boundary');
    expectProblem(await post(chatId, 'application/json', '{"file":"notes.txt"}'), 400, 'missing_boundary');

    const noFile = multipart([{ name: 'note', data: 'a field, but no file' }]);
    expectProblem(await post(chatId, noFile.contentType, noFile.body), 400, 'missing_file');

    const untyped = multipart([
      { name: 'note', data: 'first a field' },
      { name: 'file', filename: 'notes.txt', contentType: null, data: NOTES },
    ]);
    expectProblem(await post(chatId, untyped.contentType, untyped.body), 400, 'missing_content_type');

    expect(await listAttachments(alice.token, chatId)).toEqual([]);
  });

  test('a file name too long for the part headers is a 400 filename_too_long, not a missing type', async () => {
    const chatId = await createChat(alice.token, 'offline');
    const long = multipart([{ name: 'file', ...notesFile(`${'a'.repeat(200 * 1024)}.txt`) }]);
    const problem = expectProblem(await post(chatId, long.contentType, long.body), 400, 'filename_too_long');
    expect(problem.detail).toMatch(/file name/);
    expect(await listAttachments(alice.token, chatId)).toEqual([]);
  });

  test('a body that ends early or never starts is a 400 multipart_error, never a 500', async () => {
    const chatId = await createChat(alice.token, 'offline');
    const boundary = newBoundary();
    const contentType = `multipart/form-data; boundary=${boundary}`;
    const head = partHead(boundary, { name: 'file', filename: 'notes.txt', contentType: 'text/plain' });

    // Cut inside the part's headers.
    expectProblem(
      await post(chatId, contentType, head.subarray(0, head.length - 10)),
      400,
      'multipart_error',
    );
    // No body at all, and a body without a single boundary.
    expectProblem(await post(chatId, contentType, ''), 400, 'multipart_error');
    expectProblem(await post(chatId, contentType, 'no boundary anywhere in here'), 400, 'multipart_error');
    expect(await listAttachments(alice.token, chatId)).toEqual([]);

    // Cut inside a file larger than the content-check head, while it streams to the provider: the
    // pending row it had by then is failed as cancelled.
    expectProblem(
      await post(chatId, contentType, Buffer.concat([head, Buffer.from(NOTES.repeat(4000))])),
      400,
      'multipart_error',
    );
    expect(await listAttachments(alice.token, chatId)).toEqual([
      expect.objectContaining({ filename: 'notes.txt', status: 'failed', error_code: 'upload_cancelled' }),
    ]);
  });

  test('a small file cut off before its closing boundary is a 400 multipart_error', async () => {
    const chatId = await createChat(alice.token, 'offline');
    const boundary = newBoundary();
    const head = partHead(boundary, { name: 'file', filename: 'notes.txt', contentType: 'text/plain' });
    const response = await post(
      chatId,
      `multipart/form-data; boundary=${boundary}`,
      Buffer.concat([head, Buffer.from(NOTES)]),
    );
    expectProblem(response, 400, 'multipart_error');
    expect(await listAttachments(alice.token, chatId)).toEqual([]);
  });
});

test.describe('authentication and tenancy', () => {
  async function aliceChatWithImage() {
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    const response = await uploadFile(alice.token, chatId, {
      filename: 'diagram.png',
      contentType: 'image/png',
      data: await png(64, 48),
    });
    expect(response.status, response.text).toBe(201);
    return { chatId, attachmentId: response.json.id as string };
  }

  async function everyRoute(chatId: string, attachmentId: string, token: string | null) {
    const upload = multipart([
      { name: 'file', filename: 'notes.txt', contentType: 'text/plain', data: NOTES },
    ]);
    const calls: [string, string, Parameters<typeof api>[2]][] = [
      [
        'POST',
        attachmentsPath(chatId),
        { headers: { 'content-type': upload.contentType }, body: upload.body },
      ],
      ['GET', attachmentsPath(chatId), {}],
      ['GET', attachmentPath(chatId, attachmentId), {}],
      ['DELETE', attachmentPath(chatId, attachmentId), {}],
      ['GET', `${attachmentPath(chatId, attachmentId)}/thumbnail`, {}],
      ['GET', `${attachmentPath(chatId, attachmentId)}/content`, {}],
      ['GET', `/api/chats/${chatId}/upload-limits`, {}],
    ];
    const results: { route: string; response: Awaited<ReturnType<typeof api>> }[] = [];
    for (const [method, path, options] of calls) {
      results.push({ route: `${method} ${path}`, response: await api(method, path, { ...options, token }) });
    }
    return results;
  }

  test('every attachment route answers 401 without credentials or with a bad token', async () => {
    const { chatId, attachmentId } = await aliceChatWithImage();
    for (const credentials of [
      { token: null, headers: {} },
      { token: 'garbage', headers: {} },
      { token: `mct_${'A'.repeat(43)}`, headers: {} },
    ]) {
      for (const { route, response } of await everyRoute(chatId, attachmentId, credentials.token)) {
        await test.step(`${route} with ${credentials.token ?? 'no token'}`, () =>
          expectProblem(response, 401, 'unauthorized'));
      }
    }
    // None of that touched the attachment.
    expect(await statusOf(alice.token, chatId, attachmentId)).toBe('ready');
    expect(await listAttachments(alice.token, chatId)).toHaveLength(1);
  });

  test("another tenant's user gets 404 on every route for the chat and the attachment", async () => {
    const { chatId, attachmentId } = await aliceChatWithImage();
    for (const { route, response } of await everyRoute(chatId, attachmentId, bob.token)) {
      await test.step(route, () => expectProblem(response, 404, 'not_found'));
    }
    // Bob's own chat does not reach Alice's attachment either.
    const bobChat = await createChat(bob.token, 'gpt-4.1-mini');
    for (const path of [
      attachmentPath(bobChat, attachmentId),
      `${attachmentPath(bobChat, attachmentId)}/thumbnail`,
    ]) {
      expectProblem(await api('GET', path, { token: bob.token }), 404, 'not_found');
    }
    expectProblem(
      await api('DELETE', attachmentPath(bobChat, attachmentId), { token: bob.token }),
      404,
      'not_found',
    );
    // Alice's attachment is untouched, and Bob's POST created nothing.
    expect(await statusOf(alice.token, chatId, attachmentId)).toBe('ready');
    expect(await listAttachments(alice.token, chatId)).toHaveLength(1);
    expect(await listAttachments(bob.token, bobChat)).toEqual([]);
  });

  test('malformed chat and attachment ids are 404s', async () => {
    const { chatId, attachmentId } = await aliceChatWithImage();
    for (const { route, response } of await everyRoute('not-a-uuid', attachmentId, alice.token)) {
      await test.step(route, () => expectProblem(response, 404, 'not_found'));
    }
    for (const badId of ['nope', `${attachmentId}x`, '00000000-0000-0000-0000-000000000000']) {
      for (const [method, path] of [
        ['GET', attachmentPath(chatId, badId)],
        ['DELETE', attachmentPath(chatId, badId)],
        ['GET', `${attachmentPath(chatId, badId)}/thumbnail`],
        ['GET', `${attachmentPath(chatId, badId)}/content`],
      ] as const) {
        await test.step(`${method} ${path}`, async () =>
          expectProblem(await api(method, path, { token: alice.token }), 404, 'not_found'));
      }
    }
  });
});

test.describe('provider failures', () => {
  test('a provider 500 on upload is a 502, the attachment is failed, and a retry succeeds', async () => {
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    await fake.fault({ endpoint: 'files.create', status: 500, times: 1 });

    const failed = await uploadFile(alice.token, chatId, notesFile());
    expectProblem(failed, 502, 'provider_unavailable');
    expect(await listAttachments(alice.token, chatId)).toEqual([
      expect.objectContaining({ filename: 'notes.txt', status: 'failed', error_code: 'upload_failed' }),
    ]);

    const retry = await uploadFile(alice.token, chatId, notesFile());
    expect(retry.status, retry.text).toBe(201);
    await waitUntilReady(alice.token, chatId, retry.json.id);
    const items = await listAttachments(alice.token, chatId);
    expect(items.map((item) => item.status)).toEqual(['failed', 'ready']);
    expect(items[1]?.id).toBe(retry.json.id);
    const state = await fake.state();
    expect(state.files.map((file) => file.filename)).toEqual([`${chatId}_${retry.json.id}.txt`]);
  });

  test('past the concurrent-upload cap, an upload is answered 503 with Retry-After', async ({ browser }) => {
    test.setTimeout(60_000);
    // Hold every provider upload long enough to fill the gate (UPLOAD_MAX_CONCURRENT defaults to 10),
    // spread over four users, since each may have only 3 in flight (UPLOAD_MAX_CONCURRENT_PER_USER).
    const [carol, dave] = [await createApiUser(browser), await createApiUser(browser)];
    const holders = [alice, alice, alice, bob, bob, bob, carol, carol, carol, dave];
    const chats = new Map<ApiUser, string>();
    for (const user of new Set(holders)) chats.set(user, await createChat(user.token, 'gpt-4.1-mini'));
    await fake.fault({ endpoint: 'files.create', delayMs: 4_000 });
    // Images: ready as soon as the provider has them, no indexing to wait for.
    const image = await png(16, 16);
    const inFlight = holders.map((user, i) =>
      uploadFile(user.token, chats.get(user) as string, {
        filename: `held-${i}.png`,
        contentType: 'image/png',
        data: image,
      }),
    );
    await expect.poll(async () => (await providerCalls('files.create')).length).toBe(10);

    // Dave has one upload in flight, two short of his own share: it is the server that is full.
    const refused = await uploadFile(dave.token, chats.get(dave) as string, {
      filename: 'one-too-many.png',
      contentType: 'image/png',
      data: image,
    });
    expect(expectProblem(refused, 503, 'upload_concurrency_limit').limit_scope).toBe('server');
    expect(refused.headers.get('retry-after')).toBe('5');

    const settled = await Promise.all(inFlight);
    expect(settled.map((response) => response.status)).toEqual(Array(10).fill(201));
    const names = (await listAttachments(dave.token, chats.get(dave) as string)).map((item) => item.filename);
    expect(names).toEqual(['held-9.png']);
  });
});

test.describe('metrics of the production server', () => {
  const counter = (text: string, labels: string) =>
    Number(new RegExp(`^mini_chat_attachment_upload_total\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
  const scrape = async () => {
    const response = await fetch(`${APP_ORIGIN}/api/metrics`, {
      headers: { authorization: `Bearer ${E2E_METRICS_TOKEN}` },
    });
    expect(response.status).toBe(200);
    return response.text();
  };

  test('count uploads and provider failures, and need the token', async () => {
    expect((await fetch(`${APP_ORIGIN}/api/metrics`)).status).toBe(401);
    const ok = 'kind="document",result="ok"';
    const providerError = 'kind="document",result="provider_error"';
    const before = await scrape();

    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    expect((await uploadFile(alice.token, chatId, notesFile())).status).toBe(201);
    await fake.fault({ endpoint: 'files.create', status: 500, times: 1 });
    expectProblem(await uploadFile(alice.token, chatId, notesFile()), 502, 'provider_unavailable');

    const after = await scrape();
    expect(counter(after, ok) - counter(before, ok)).toBe(1);
    expect(counter(after, providerError) - counter(before, providerError)).toBe(1);
    expect(after).toMatch(/^mini_chat_attachments_pending 0$/m);
  });
});

test.describe('upload limits', () => {
  test('every chat accepts images, saying whether its model sees them; meters follow an upload', async () => {
    const offline = await createChat(alice.token, 'offline');
    const offlineLimits = await api('GET', `/api/chats/${offline}/upload-limits`, { token: alice.token });
    expect(offlineLimits.status, offlineLimits.text).toBe(200);
    const mimes = (offlineLimits.json.accepted_types as { mime: string }[]).map((type) => type.mime);
    expect(mimes).toEqual(
      expect.arrayContaining(['text/plain', 'application/pdf', 'image/png', 'image/jpeg']),
    );
    expect(offlineLimits.json).toMatchObject({
      uploads_enabled: true,
      images_enabled: true,
      model_sees_images: false,
      code_interpreter: 'denied',
      file_search: 'allowed',
      max_bytes: { document: MAX_DOCUMENT_BYTES, image: MAX_IMAGE_BYTES },
      chat: {
        documents: { used: 0, limit: 50, remaining: 50 },
        bytes: { used: 0, limit: 100 * MiB, remaining: 100 * MiB },
      },
    });

    const gpt = await createChat(alice.token, 'gpt-4.1-mini');
    const before = await api('GET', `/api/chats/${gpt}/upload-limits`, { token: alice.token });
    expect(before.status).toBe(200);
    expect(before.json.accepted_types).toContainEqual({
      mime: 'image/png',
      kind: 'image',
      extensions: ['png'],
    });
    expect(before.json).toMatchObject({
      images_enabled: true,
      model_sees_images: true,
      code_interpreter: 'allowed',
    });
    for (const meter of [before.json.quotas.user, before.json.quotas.tenant]) {
      expect(meter.remaining).toBe(meter.limit - meter.used);
    }
    expect(before.json.quotas.user.limit).toBe(1024 * MiB);
    expect(before.json.quotas.tenant.limit).toBe(10 * 1024 * MiB);

    const upload = await uploadFile(alice.token, gpt, notesFile());
    expect(upload.status).toBe(201);
    const after = await api('GET', `/api/chats/${gpt}/upload-limits`, { token: alice.token });
    const size = Buffer.byteLength(NOTES);
    expect(after.json.chat).toEqual({
      documents: { used: 1, limit: 50, remaining: 49 },
      bytes: { used: size, limit: 100 * MiB, remaining: 100 * MiB - size },
    });
    expect(after.json.quotas.user.used).toBe(before.json.quotas.user.used + size);
    expect(after.json.quotas.tenant.used).toBe(before.json.quotas.tenant.used + size);
    await waitUntilReady(alice.token, gpt, upload.json.id);
  });
});

test.describe('no provider internals in responses', () => {
  test('no body names a provider file, a vector store, the fake server or an internal id', async () => {
    // Every response in this file goes through expectNoProviderLeak; this test walks the routes once more
    // on an OpenAI chat, where the provider ids exist, including its error paths.
    const checked = leakChecks.count;
    const chatId = await createChat(alice.token, 'gpt-4.1-mini');
    const doc = await uploadFile(alice.token, chatId, notesFile());
    expect(doc.status).toBe(201);
    await waitUntilReady(alice.token, chatId, doc.json.id);
    const image = await uploadFile(alice.token, chatId, {
      filename: 'diagram.png',
      contentType: 'image/png',
      data: await png(32, 32),
    });
    expect(image.status).toBe(201);
    await api('GET', attachmentsPath(chatId), { token: alice.token });
    await api('GET', attachmentPath(chatId, doc.json.id), { token: alice.token });
    await api('GET', `/api/chats/${chatId}/upload-limits`, { token: alice.token });
    await fake.fault({ endpoint: 'files.create', status: 500, times: 1, message: 'boom file-abc vs_abc' });
    expectProblem(await uploadFile(alice.token, chatId, notesFile()), 502, 'provider_unavailable');
    await fake.fault({
      endpoint: 'vector_stores.files.create',
      status: 400,
      times: 1,
      message: 'bad file-x',
    });
    // Joining the store happens after the answer: the upload is accepted, then ends failed.
    const indexFailure = await uploadFile(alice.token, chatId, notesFile('again.txt'));
    expect(indexFailure.status).toBe(201);
    await expect
      .poll(() => statusOf(alice.token, chatId, indexFailure.json.id), { timeout: 20_000 })
      .toBe('failed');
    const failed = await api('GET', attachmentPath(chatId, indexFailure.json.id), { token: alice.token });
    expect(failed.json.error_code).toBe('indexing_failed');
    await api('GET', attachmentsPath(chatId), { token: alice.token });
    expect(leakChecks.count - checked).toBeGreaterThanOrEqual(10);

    // The fake does hold those ids, so the check above had something to find.
    const state = await fake.state();
    expect(state.files.map((file) => file.id).every((id) => id.startsWith('file-'))).toBe(true);
    expect(state.vectorStores.map((store) => store.id).every((id) => id.startsWith('vs_'))).toBe(true);
    expect(state.files.length).toBeGreaterThanOrEqual(2);
  });
});
