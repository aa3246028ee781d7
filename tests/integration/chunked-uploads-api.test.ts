import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import * as createRoute from '@/app/api/chats/[id]/uploads/route';
import * as completeRoute from '@/app/api/uploads/[uploadId]/complete/route';
import * as partRoute from '@/app/api/uploads/[uploadId]/parts/[partNumber]/route';
import * as uploadRoute from '@/app/api/uploads/[uploadId]/route';
import { PART_SIZE } from '@/lib/attachments/chunked/protocol';
import { makeChat } from '@/tests/support/attachments';
import { digestOf, partsOf, stagedOnDisk, textOfSize } from '@/tests/support/chunked';
import { callRoute, makeUser, type TestUser } from '@/tests/support/fixtures';
import { pdf } from '@/tests/support/sample-files';

// The routes run on the process's own dependencies: the keyless `offline` model and the local
// store, in a folder of this file's own (each test file runs in a process of its own).
const storageDir = mkdtempSync(path.join(tmpdir(), 'minichat-chunked-api-'));
process.env.FILE_STORAGE_DIR = storageDir;

// Next's after() needs a request scope that a handler called directly has not: the work it is
// handed (a document's indexing) is collected here instead, to be awaited by the test.
const afterWork = vi.hoisted(() => [] as Promise<unknown>[]);
vi.mock('next/server', async (original) => ({
  ...(await original<typeof import('next/server')>()),
  after: (task: () => Promise<unknown>) => afterWork.push(task()),
}));

type Json = Record<string, unknown>;
type Problem = { status: number; body: unknown; headers: Headers };

function expectProblem(res: Problem, status: number, code: string): Json {
  expect({ status: res.status, code: (res.body as Json).code }).toEqual({ status, code });
  expect(res.headers.get('content-type')).toBe('application/problem+json');
  expect(JSON.stringify(res.body)).not.toMatch(
    /stack|select |postgres|\bupload_[A-Za-z0-9]{22}\b|\bfile-[A-Za-z0-9]{22}\b/,
  );
  return res.body as Json;
}

const create = (user: TestUser, chatId: string, body: unknown) =>
  callRoute(createRoute.POST, { method: 'POST', token: user.token, params: { id: chatId }, body });

/** A raw part as a browser sends it: octet-stream, with or without a Content-Digest. */
async function put(
  user: TestUser,
  uploadId: string,
  partNumber: string,
  bytes: Uint8Array,
  digest: string | null = digestOf(bytes),
) {
  const headers = new Headers({
    authorization: `Bearer ${user.token}`,
    'content-type': 'application/octet-stream',
  });
  if (digest !== null) headers.set('content-digest', digest);
  const request = new Request(`http://localhost/api/uploads/${uploadId}/parts/${partNumber}`, {
    method: 'PUT',
    headers,
    body: new Blob([Buffer.from(bytes)]),
  });
  const response = await partRoute.PUT(request, { params: Promise.resolve({ uploadId, partNumber }) });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : text };
}

const status = (user: TestUser, uploadId: string) =>
  callRoute(uploadRoute.GET, { token: user.token, params: { uploadId } });
const complete = (user: TestUser, uploadId: string) =>
  callRoute(completeRoute.POST, { method: 'POST', token: user.token, params: { uploadId } });
const cancel = (user: TestUser, uploadId: string) =>
  callRoute(uploadRoute.DELETE, { method: 'DELETE', token: user.token, params: { uploadId } });

let user: TestUser;
let chatId: string;
beforeEach(async () => {
  user = await makeUser();
  chatId = await makeChat(user, 'offline');
});

async function started(size: number, filename = 'notes.txt', contentType = 'text/plain') {
  const res = await create(user, chatId, { filename, size_bytes: size, content_type: contentType });
  expect(res.status).toBe(201);
  return res.body as Json & { upload_id: string; part_count: number; attachment: Json & { id: string } };
}

describe('chunked upload routes', () => {
  it('create → parts → status → complete, with the shapes the client relies on', async () => {
    const bytes = textOfSize(PART_SIZE + 100);
    const res = await create(user, chatId, {
      filename: 'notes.txt',
      size_bytes: bytes.length,
      content_type: 'text/plain',
    });
    expect(res.status).toBe(201);
    const body = res.body as Json & { upload_id: string };
    expect(res.headers.get('location')).toBe(`/api/uploads/${body.upload_id}`);
    expect(Object.keys(body).sort()).toEqual(
      [
        'attachment',
        'expires_at',
        'part_count',
        'part_size',
        'received_parts',
        'size_bytes',
        'state',
        'upload_id',
      ].sort(),
    );
    expect(body).toMatchObject({ part_size: 4_194_304, part_count: 2, state: 'uploading' });
    const [p1, p2] = partsOf(bytes) as [Buffer, Buffer];
    const second = await put(user, body.upload_id, '2', p2);
    expect(second).toMatchObject({ status: 200 });
    // A part's answer is about that part; the parts received are the status's.
    expect(second.body).toEqual({
      upload_id: body.upload_id,
      part_number: 2,
      size_bytes: p2.length,
      state: 'uploading',
      expires_at: body.expires_at,
    });
    expect((await status(user, body.upload_id)).body).toMatchObject({ received_parts: [2] });
    expectProblem(await complete(user, body.upload_id), 409, 'upload_incomplete');
    expect((await put(user, body.upload_id, '1', p1)).body).toMatchObject({
      part_number: 1,
      state: 'uploading',
    });
    expect((await status(user, body.upload_id)).body).toMatchObject({ received_parts: [1, 2] });
    const done = await complete(user, body.upload_id);
    expect(done).toMatchObject({
      status: 200,
      body: { state: 'completed', attachment: { size_bytes: bytes.length } },
    });
    expect(await stagedOnDisk(storageDir)).toEqual([]);
  });

  it('refuses hostile declarations at create', async () => {
    const hostile: [unknown, number, string][] = [
      [{ filename: 'a.txt', size_bytes: -1, content_type: 'text/plain' }, 400, 'validation_error'],
      [{ filename: 'a.txt', size_bytes: 1e15, content_type: 'text/plain' }, 400, 'validation_error'],
      [{ filename: 'a.txt', size_bytes: 1.5, content_type: 'text/plain' }, 400, 'validation_error'],
      [{ filename: 'a.txt', size_bytes: '5000000', content_type: 'text/plain' }, 400, 'validation_error'],
      [{ filename: 'a.txt', content_type: 'text/plain' }, 400, 'validation_error'],
      [{ filename: 'a.txt', size_bytes: 0, content_type: 'text/plain' }, 400, 'empty_file'],
      [
        { filename: 'a.txt', size_bytes: 26 * 1024 * 1024, content_type: 'text/plain' },
        413,
        'file_too_large',
      ],
      [{ filename: 'a.png', size_bytes: 6 * 1024 * 1024, content_type: 'image/png' }, 413, 'file_too_large'],
      [
        { filename: 'a.exe', size_bytes: 5_000_000, content_type: 'application/x-msdownload' },
        415,
        'unsupported_file_type',
      ],
    ];
    for (const [body, code, name] of hostile) expectProblem(await create(user, chatId, body), code, name);
    expectProblem(
      await create(user, '00000000-0000-4000-8000-000000000000', {
        filename: 'a.txt',
        size_bytes: 9,
        content_type: 'text/plain',
      }),
      404,
      'not_found',
    );
  });

  it('refuses hostile parts: index, size, digest', async () => {
    const bytes = textOfSize(PART_SIZE + 100);
    const [p1, p2] = partsOf(bytes) as [Buffer, Buffer];
    const { upload_id: id } = await started(bytes.length);
    for (const n of ['abc', '0', '-1', '1.5', '1e0', '01', '3', '99999999999', ' 1']) {
      expectProblem(await put(user, id, n, p1), 400, 'validation_error');
    }
    expectProblem(await put(user, id, '1', Buffer.concat([p1, Buffer.from('x')])), 413, 'payload_too_large');
    expectProblem(await put(user, id, '2', Buffer.concat([p2, Buffer.from('x')])), 413, 'payload_too_large');
    const short = expectProblem(await put(user, id, '1', p1.subarray(1)), 400, 'part_size_mismatch');
    expect(short.expected_bytes).toBe(PART_SIZE);
    expectProblem(await put(user, id, '1', p1, null), 400, 'validation_error');
    expectProblem(await put(user, id, '1', p1, 'sha-256=:bm90IGEgZGlnZXN0:'), 400, 'validation_error');
    expectProblem(await put(user, id, '1', p1, digestOf(p2)), 422, 'digest_mismatch');
    expect((await status(user, id)).body).toMatchObject({ state: 'uploading', received_parts: [] });
    // Another algorithm alongside is fine; the sha-256 member is the one checked.
    const both = `sha-512=:${Buffer.alloc(64).toString('base64')}:, ${digestOf(p1)}`;
    expect((await put(user, id, '1', p1, both)).status).toBe(200);
  });

  it("someone else's upload is 404 on every route, and no caller is 401", async () => {
    const { upload_id: id } = await started(PART_SIZE + 1);
    const part = textOfSize(PART_SIZE);
    const neighbour = await makeUser({ tenant: user.tenant });
    const stranger = await makeUser();
    for (const other of [neighbour, stranger]) {
      expectProblem(await put(other, id, '1', part), 404, 'not_found');
      expectProblem(await status(other, id), 404, 'not_found');
      expectProblem(await complete(other, id), 404, 'not_found');
      expectProblem(await cancel(other, id), 404, 'not_found');
    }
    expectProblem(await status(user, 'not-a-uuid'), 404, 'not_found');
    expectProblem(
      await callRoute(uploadRoute.GET, { auth: 'Bearer mct_garbage', params: { uploadId: id } }),
      401,
      'unauthorized',
    );
    expect((await status(user, id)).body).toMatchObject({ state: 'uploading', received_parts: [] });
  });

  it('a first part that is not what the type says is refused at once, and the upload cancelled', async () => {
    const fake = textOfSize(PART_SIZE + 10);
    const { upload_id: id, attachment } = await started(fake.length, 'report.pdf', 'application/pdf');
    expectProblem(await put(user, id, '1', fake.subarray(0, PART_SIZE)), 415, 'content_type_mismatch');
    expect((await status(user, id)).body).toMatchObject({ state: 'cancelled' });
    expectProblem(await put(user, id, '2', fake.subarray(PART_SIZE)), 409, 'upload_cancelled');
    expect(await stagedOnDisk(storageDir)).not.toContain(attachment.id);

    // A real PDF's first part passes; a text part that is not UTF-8 does not.
    const real = await started(PART_SIZE + 10, 'real.pdf', 'application/pdf');
    const head = Buffer.concat([pdf('hello'), Buffer.alloc(PART_SIZE)]).subarray(0, PART_SIZE);
    expect((await put(user, real.upload_id, '1', head)).status).toBe(200);
    const text = await started(PART_SIZE + 10);
    const latin1 = Buffer.concat([textOfSize(PART_SIZE - 1), Buffer.from([0xe9])]);
    // Part 1 alone may end in the first byte of a character; with part 2 it is not one.
    expect((await put(user, text.upload_id, '1', latin1)).status).toBe(200);
    expect((await put(user, text.upload_id, '2', Buffer.from('0123456789'))).status).toBe(200);
    expectProblem(await complete(user, text.upload_id), 415, 'content_type_mismatch');
    expect((await status(user, text.upload_id)).body).toMatchObject({
      state: 'cancelled',
      attachment: { status: 'failed', error_code: 'content_type_mismatch' },
    });
    // A character split across the parts is fine.
    const euro = Buffer.from('€');
    const split = Buffer.concat([textOfSize(PART_SIZE - 1), euro, Buffer.from('abcdefgh')]);
    const ok = await started(split.length);
    for (const [n, part] of partsOf(split).entries()) await put(user, ok.upload_id, String(n + 1), part);
    expect((await complete(user, ok.upload_id)).body).toMatchObject({ state: 'completed' });
  });

  it('a NUL byte deep in a later part of a text file is refused, and the upload cancelled', async () => {
    const bytes = textOfSize(PART_SIZE + 70_000);
    bytes[PART_SIZE + 69_000] = 0;
    const { upload_id: id, attachment } = await started(bytes.length);
    expect((await put(user, id, '1', bytes.subarray(0, PART_SIZE))).status).toBe(200);
    const refused = await put(user, id, '2', bytes.subarray(PART_SIZE));
    expectProblem(refused, 415, 'content_type_mismatch');
    expect(refused.body).toMatchObject({ detail: expect.stringContaining('NUL') });
    expect((await status(user, id)).body).toMatchObject({ state: 'cancelled' });
    expect(await stagedOnDisk(storageDir)).not.toContain(attachment.id);
  });

  it('cancel is 204, idempotent, and a cancelled upload cannot complete', async () => {
    const bytes = textOfSize(PART_SIZE + 1);
    const { upload_id: id, attachment } = await started(bytes.length);
    await put(user, id, '1', bytes.subarray(0, PART_SIZE));
    expect((await cancel(user, id)).status).toBe(204);
    expect((await cancel(user, id)).status).toBe(204);
    expectProblem(await complete(user, id), 409, 'upload_cancelled');
    expect(await stagedOnDisk(storageDir)).not.toContain(attachment.id);
  });
});
