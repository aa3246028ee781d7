import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import OpenAI, {
  APIConnectionError,
  AuthenticationError,
  AzureOpenAI,
  BadRequestError,
  InternalServerError,
  NotFoundError,
  RateLimitError,
  toFile,
  toStreamingFile,
} from 'openai';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { type FakeOpenAI, startFakeOpenAI } from '@/tests/support/fake-openai';
import { fakeWithClientForFile } from '@/tests/support/fake-openai/with-client';

const setup = fakeWithClientForFile();
let fake: FakeOpenAI;
let client: OpenAI;
beforeEach(() => {
  ({ fake, client } = setup);
});

const streamed = (chunks: (string | Buffer)[], name = 'x.txt') =>
  toStreamingFile(Readable.from(chunks.map((chunk) => Buffer.from(chunk))), name, { type: 'text/plain' });

const upload = async (name: string, text: string, purpose: 'assistants' | 'user_data' = 'assistants') =>
  client.files.create({ file: await toFile(Buffer.from(text), name, { type: 'text/plain' }), purpose });

const lastRequest = (endpoint: string) => fake.requests.findLast((request) => request.endpoint === endpoint);

describe('files', () => {
  it('accepts a chunked streaming upload with the SDK boundary and keeps its bytes', async () => {
    const file = await client.files.create({
      file: streamed(['hello ', 'streaming ', 'world']),
      purpose: 'assistants',
    });

    expect(file).toMatchObject({ object: 'file', filename: 'x.txt', purpose: 'assistants', bytes: 21 });
    expect(file.id).toMatch(/^file-\w+$/);
    expect(fake.fileContent(file.id)?.toString()).toBe('hello streaming world');
    const { headers } = lastRequest('files.create') ?? {};
    expect(headers?.['transfer-encoding']).toBe('chunked');
    expect(headers?.['content-length']).toBeUndefined();
    expect(headers?.['content-type']).toMatch(/^multipart\/form-data; boundary=openai-/);
    expect(lastRequest('files.create')?.body).toBeUndefined();
  });

  it('accepts a buffered FormData upload and lists with purpose filter and `after` pagination', async () => {
    const uploaded = [await upload('a.txt', 'a'), await upload('b.txt', 'b'), await upload('c.txt', 'c')];
    const other = await upload('d.txt', 'd', 'user_data');
    expect(lastRequest('files.create')?.headers['content-type']).toMatch(/boundary=-+formdata-undici-/);

    const first = await client.files.list({ purpose: 'assistants', limit: 2 });
    expect(first.data.map((file) => file.filename)).toEqual(['c.txt', 'b.txt']);
    expect(first.has_more).toBe(true);
    const second = await first.getNextPage();
    expect(second.data.map((file) => file.id)).toEqual([uploaded[0]?.id]);
    expect(second.has_more).toBe(false);
    expect(lastRequest('files.list')?.path).toBe('/v1/files');

    const all = [];
    for await (const file of client.files.list({ order: 'asc', limit: 1 })) all.push(file.id);
    expect(all).toEqual([...uploaded, other].map((file) => file.id));
    expect(await client.files.retrieve(other.id)).toEqual(other);
  });

  it('keeps paging when the cursor item was deleted meanwhile', async () => {
    for (const name of ['a', 'b', 'c']) await upload(`${name}.txt`, name);
    const deleted = [];
    for await (const file of client.files.list({ limit: 1 })) {
      await client.files.delete(file.id);
      deleted.push(file.filename);
    }
    expect(deleted).toEqual(['c.txt', 'b.txt', 'a.txt']);
  });

  it('preserves a 3 MiB binary upload byte for byte', async () => {
    const data = randomBytes(3 * 1024 * 1024);
    const chunks = Array.from({ length: 48 }, (_, i) => data.subarray(i * 65536, (i + 1) * 65536));
    const file = await client.files.create({ file: streamed(chunks, 'blob.bin'), purpose: 'assistants' });

    expect(file.bytes).toBe(data.length);
    const content = await client.files.content(file.id);
    expect(Buffer.from(await content.arrayBuffer()).equals(data)).toBe(true);
    expect(fake.fileContent(file.id)?.equals(data)).toBe(true);
  });

  it('deletes a file, then answers 404 with the OpenAI envelope', async () => {
    const file = await upload('gone.txt', 'bye');
    expect(await client.files.delete(file.id)).toEqual({ id: file.id, object: 'file', deleted: true });

    const err = await client.files.retrieve(file.id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NotFoundError);
    expect((err as NotFoundError).error).toMatchObject({
      message: `No such File object: ${file.id}`,
      param: 'id',
    });
    await expect(client.files.delete(file.id)).rejects.toBeInstanceOf(NotFoundError);
    expect(fake.state().files).toEqual([]);
  });

  it('answers 400 to a multipart body that ends mid-file and keeps serving', async () => {
    const res = await fetch(`${fake.url}/files`, {
      method: 'POST',
      headers: { 'content-type': 'multipart/form-data; boundary=b' },
      body: '--b\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\nhalf a fi',
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toMatch(/Malformed multipart/);
    expect((await fetch(`${fake.url}/files`)).status).toBe(200);
    expect(fake.state().files).toEqual([]);
  });

  it('rejects an upload without a valid purpose', async () => {
    const file = await toFile(Buffer.from('x'), 'x.txt');
    await expect(client.files.create({ file, purpose: 'nonsense' as 'assistants' })).rejects.toBeInstanceOf(
      BadRequestError,
    );
  });
});

describe('vector stores', () => {
  const attach = async (storeId: string, name: string, text: string, attachmentId: string) => {
    const file = await upload(name, text);
    return client.vectorStores.files.create(storeId, {
      file_id: file.id,
      attributes: { attachment_id: attachmentId },
    });
  };

  it('indexes an attached file after the configured delay and keeps file_counts consistent', async () => {
    fake.setIndexing({ delayMs: 300 });
    const store = await client.vectorStores.create({ name: 'chat-1', metadata: { chat: 'c1' } });
    expect(store).toMatchObject({ object: 'vector_store', name: 'chat-1', metadata: { chat: 'c1' } });
    expect(store.id).toMatch(/^vs_/);

    const attached = await attach(store.id, 'notes.txt', 'some notes', 'a1');
    expect(attached).toMatchObject({
      object: 'vector_store.file',
      status: 'in_progress',
      vector_store_id: store.id,
    });
    const byFileId = await client.vectorStores.files.retrieve(attached.id, { vector_store_id: store.id });
    expect(fake.state().files.map((file) => file.id)).toEqual([attached.id]);
    expect(byFileId.status).toBe('in_progress');
    expect((await client.vectorStores.retrieve(store.id)).file_counts).toMatchObject({
      in_progress: 1,
      total: 1,
    });

    await new Promise((resolve) => setTimeout(resolve, 350));
    const indexed = await client.vectorStores.files
      .retrieve(attached.id, { vector_store_id: store.id })
      .withResponse();
    expect(indexed.data).toMatchObject({
      status: 'completed',
      last_error: null,
      attributes: { attachment_id: 'a1' },
    });
    expect(indexed.response.headers.get('openai-poll-after-ms')).toBe('1');
    const after = await client.vectorStores.retrieve(store.id);
    expect(after).toMatchObject({ status: 'completed', usage_bytes: 10 });
    expect(after.file_counts).toEqual({ in_progress: 0, completed: 1, failed: 0, cancelled: 0, total: 1 });
    expect(fake.state().vectorStores).toEqual([
      {
        id: store.id,
        name: 'chat-1',
        files: [{ id: attached.id, status: 'completed', attributes: { attachment_id: 'a1' } }],
      },
    ]);
  });

  it('lets createAndPoll finish quickly thanks to openai-poll-after-ms', async () => {
    fake.setIndexing({ delayMs: 50 });
    const store = await client.vectorStores.create({ name: 'poll' });
    const file = await upload('p.txt', 'poll me');
    const started = Date.now();

    const done = await client.vectorStores.files.createAndPoll(store.id, { file_id: file.id });

    expect(done.status).toBe('completed');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(fake.requests.filter((r) => r.endpoint === 'vector_stores.files.retrieve').length).toBeGreaterThan(
      1,
    );
  });

  it('fails files matching the failure predicate with last_error', async () => {
    fake.setIndexing({ failWhen: (file) => file.filename.endsWith('.exe'), failCode: 'server_error' });
    const store = await client.vectorStores.create({ name: 'mixed' });
    const bad = await upload('tool.exe', 'MZ');
    const good = await upload('ok.txt', 'fine');

    const failed = await client.vectorStores.files.createAndPoll(store.id, { file_id: bad.id });
    await client.vectorStores.files.createAndPoll(store.id, { file_id: good.id });

    expect(failed).toMatchObject({ status: 'failed', last_error: { code: 'server_error' } });
    const onlyFailed = await client.vectorStores.files.list(store.id, { filter: 'failed' });
    expect(onlyFailed.data.map((file) => file.id)).toEqual([bad.id]);
    expect((await client.vectorStores.retrieve(store.id)).file_counts).toMatchObject({
      failed: 1,
      completed: 1,
    });
  });

  it('updates, lists and deletes stores; removing a store file keeps the File', async () => {
    const store = await client.vectorStores.create({ name: 'tmp' });
    const renamed = await client.vectorStores.update(store.id, { name: 'renamed', metadata: { k: 'v' } });
    expect(renamed).toMatchObject({ name: 'renamed', metadata: { k: 'v' } });
    expect((await client.vectorStores.list()).data.map((s) => s.id)).toEqual([store.id]);
    const attached = await attach(store.id, 'keep.txt', 'keep', 'a1');

    const removed = await client.vectorStores.files.delete(attached.id, { vector_store_id: store.id });
    expect(removed).toEqual({ id: attached.id, object: 'vector_store.file.deleted', deleted: true });
    await expect(
      client.vectorStores.files.retrieve(attached.id, { vector_store_id: store.id }),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect((await client.files.retrieve(attached.id)).id).toBe(attached.id);

    expect(await client.vectorStores.delete(store.id)).toMatchObject({ id: store.id, deleted: true });
    await expect(client.vectorStores.retrieve(store.id)).rejects.toBeInstanceOf(NotFoundError);
    await expect(client.vectorStores.files.create(store.id, { file_id: attached.id })).rejects.toBeInstanceOf(
      NotFoundError,
    );
  });

  it('detaches a deleted File from every store', async () => {
    const file = await upload('shared.txt', 'shared');
    const stores = [await client.vectorStores.create({}), await client.vectorStores.create({})];
    for (const store of stores) await client.vectorStores.files.create(store.id, { file_id: file.id });

    await client.files.delete(file.id);

    for (const store of stores) {
      await expect(
        client.vectorStores.files.retrieve(file.id, { vector_store_id: store.id }),
      ).rejects.toBeInstanceOf(NotFoundError);
      expect((await client.vectorStores.retrieve(store.id)).file_counts.total).toBe(0);
    }
    expect(fake.state().vectorStores.flatMap((store) => store.files)).toEqual([]);
  });

  it('searches stored text, honouring attribute filters and max_num_results', async () => {
    const store = await client.vectorStores.create({ name: 'search' });
    const a = await attach(store.id, 'a.txt', 'Intro.\n\nThe refund policy lasts 30 days.', 'a1');
    const b = await attach(store.id, 'b.txt', 'Refund requests need a receipt.', 'a2');
    await attach(store.id, 'c.txt', 'Nothing relevant here.', 'a3');

    const filtered = await client.vectorStores.search(store.id, {
      query: 'refund policy',
      filters: { type: 'eq', key: 'attachment_id', value: 'a2' },
    });
    expect(filtered.data).toEqual([
      {
        file_id: b.id,
        filename: 'b.txt',
        score: 0.5,
        attributes: { attachment_id: 'a2' },
        content: [{ type: 'text', text: 'Refund requests need a receipt.' }],
      },
    ]);

    const all = await client.vectorStores.search(store.id, { query: 'refund policy' });
    expect(all.data.map((hit) => [hit.file_id, hit.score])).toEqual([
      [a.id, 1],
      [b.id, 0.5],
    ]);
    const top = await client.vectorStores.search(store.id, {
      query: 'refund',
      max_num_results: 1,
      filters: { type: 'or', filters: [{ type: 'in', key: 'attachment_id', value: ['a2', 'a3'] }] },
    });
    expect(top.data.map((hit) => hit.file_id)).toEqual([b.id]);
    await expect(
      client.vectorStores.search(store.id, {
        query: 'x',
        filters: { type: 'like', key: 'k', value: 1 } as never,
      }),
    ).rejects.toBeInstanceOf(BadRequestError);
  });

  it('validates and replaces attributes', async () => {
    const store = await client.vectorStores.create({});
    const file = await upload('attrs.txt', 'x');
    const tooMany = Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, i]));
    for (const attributes of [tooMany, { nested: { a: 1 } }, { long: 'x'.repeat(513) }]) {
      await expect(
        client.vectorStores.files.create(store.id, { file_id: file.id, attributes: attributes as never }),
      ).rejects.toBeInstanceOf(BadRequestError);
    }

    await client.vectorStores.files.create(store.id, {
      file_id: file.id,
      attributes: { a: 'x', n: 1, b: true },
    });
    const updated = await client.vectorStores.files.update(file.id, {
      vector_store_id: store.id,
      attributes: { page_count: 3 },
    });
    expect(updated.attributes).toEqual({ page_count: 3 });
    expect(lastRequest('vector_stores.files.update')?.body).toEqual({ attributes: { page_count: 3 } });
  });
});

describe('uploads', () => {
  const part = async (uploadId: string, text: string) =>
    client.uploads.parts.create(uploadId, { data: await toFile(Buffer.from(text), 'part') });
  const newUpload = (bytes: number, filename = 'x.txt') =>
    client.uploads.create({ bytes, filename, mime_type: 'text/plain', purpose: 'assistants' });

  it('joins parts sent out of order in the order completion names them, into a File', async () => {
    const created = await newUpload(11, 'joined.txt');
    expect(created).toMatchObject({ object: 'upload', status: 'pending', bytes: 11, file: null });
    expect(created.expires_at - created.created_at).toBe(3600);
    const second = await part(created.id, 'world');
    const first = await part(created.id, 'hello ');
    expect(fake.state().uploads).toEqual([expect.objectContaining({ id: created.id, parts: 2 })]);

    const md5 = createHash('md5').update('hello world').digest('hex');
    const done = await client.uploads.complete(created.id, { part_ids: [first.id, second.id], md5 });
    expect(done.status).toBe('completed');
    expect(done.file).toMatchObject({ object: 'file', bytes: 11, filename: 'joined.txt' });
    expect(fake.fileContent(done.file?.id ?? '')?.toString()).toBe('hello world');
    expect(fake.state().uploads[0]?.parts).toBe(0);
    await expect(part(created.id, 'late')).rejects.toBeInstanceOf(BadRequestError);
  });

  it('refuses a completion whose parts do not add up, or whose md5 is wrong', async () => {
    const created = await newUpload(10);
    const only = await part(created.id, 'short');
    await expect(client.uploads.complete(created.id, { part_ids: [only.id] })).rejects.toMatchObject({
      status: 400,
      param: 'part_ids',
    });
    const rest = await part(created.id, 'ened');
    const extra = await part(created.id, '!');
    const ids = [only.id, rest.id, extra.id];
    await expect(
      client.uploads.complete(created.id, { part_ids: ids, md5: 'f'.repeat(32) }),
    ).rejects.toMatchObject({
      status: 400,
      param: 'md5',
    });
    expect((await client.uploads.complete(created.id, { part_ids: ids })).status).toBe('completed');
  });

  it('cancels (parts gone, no more taken) and expires a pending upload after its hour', async () => {
    const make = () => newUpload(4);
    const cancelled = await make();
    await part(cancelled.id, 'ab');
    expect((await client.uploads.cancel(cancelled.id)).status).toBe('cancelled');
    await expect(part(cancelled.id, 'cd')).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.uploads.cancel(cancelled.id)).rejects.toBeInstanceOf(BadRequestError);

    const expiring = await make();
    await part(expiring.id, 'ab');
    fake.expireUploads();
    expect(fake.state().uploads.find((u) => u.id === expiring.id)).toMatchObject({
      status: 'expired',
      parts: 0,
    });
    await expect(part(expiring.id, 'cd')).rejects.toBeInstanceOf(BadRequestError);
    await expect(client.uploads.cancel('upload_missing')).rejects.toBeInstanceOf(NotFoundError);
  });
});

describe('fault injection', () => {
  it('fails the next N calls of an endpoint without inviting SDK retries', async () => {
    const file = await upload('f.txt', 'f');
    fake.fail('files.delete', { times: 2, status: 500 });
    const retrying = new OpenAI({ apiKey: 'test', baseURL: fake.url, maxRetries: 2 });

    for (let i = 0; i < 2; i++) {
      const err = await retrying.files.delete(file.id).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(InternalServerError);
      expect((err as InternalServerError).headers?.get('x-should-retry')).toBe('false');
    }
    expect((await client.files.delete(file.id)).deleted).toBe(true);
    expect(fake.requests.filter((r) => r.endpoint === 'files.delete').map((r) => r.status)).toEqual([
      500, 500, 200,
    ]);
  });

  it('answers an injected failure in the middle of a streamed upload', async () => {
    fake.fail('files.create', {
      status: 429,
      code: 'rate_limit_exceeded',
      type: 'requests',
      message: 'Slow down',
    });
    const big = Array.from({ length: 32 }, () => randomBytes(64 * 1024));

    const err = await client.files
      .create({ file: streamed(big), purpose: 'assistants' })
      .catch((e: unknown) => e);

    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toMatchObject({ status: 429, code: 'rate_limit_exceeded', type: 'requests' });
    expect(fake.state().files).toEqual([]);
    expect((await client.files.create({ file: streamed(big), purpose: 'assistants' })).bytes).toBe(
      2 * 1024 * 1024,
    );
  });

  it('drops the connection mid-upload', async () => {
    fake.dropConnection('files.create');
    const big = Array.from({ length: 32 }, () => randomBytes(64 * 1024));

    await expect(client.files.create({ file: streamed(big), purpose: 'assistants' })).rejects.toBeInstanceOf(
      APIConnectionError,
    );
    expect(fake.state().files).toEqual([]);
    await expect(upload('after.txt', 'ok')).resolves.toMatchObject({ filename: 'after.txt' });
  });

  it('delays an endpoint', async () => {
    fake.delay('files.list', 150);
    const started = Date.now();
    await client.files.list();
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('is controllable over HTTP', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${fake.origin}/__fake/${path}`, { method: 'POST', body: JSON.stringify(body) });

    expect((await post('faults', { endpoint: 'vector_stores.create', status: 503 })).status).toBe(200);
    await expect(client.vectorStores.create({})).rejects.toMatchObject({ status: 503 });
    expect((await post('faults', { endpoint: 'vector_stores.creat', status: 503 })).status).toBe(400);

    await post('indexing', { failWhenFilenameMatches: '\\.bin$' });
    const store = await client.vectorStores.create({ name: 'http' });
    const file = await upload('data.bin', 'x');
    const polled = await client.vectorStores.files.createAndPoll(store.id, { file_id: file.id });
    expect(polled.last_error?.code).toBe('unsupported_file');

    const recorded = await (await fetch(`${fake.origin}/__fake/requests`)).json();
    expect(recorded.at(-1)).toMatchObject({
      method: 'GET',
      endpoint: 'vector_stores.files.retrieve',
      status: 200,
    });
    const state = await (await fetch(`${fake.origin}/__fake/state`)).json();
    expect(state.vectorStores).toEqual([
      { id: store.id, name: 'http', files: [expect.objectContaining({ status: 'failed' })] },
    ]);
    expect((await post('reset', {})).status).toBe(200);
    expect(fake.state()).toEqual({ files: [], uploads: [], vectorStores: [] });
    expect(fake.requests).toEqual([]);
  });
});

describe('Azure mounts and authentication', () => {
  let keyed: FakeOpenAI;
  beforeAll(async () => {
    keyed = await startFakeOpenAI({ apiKey: 'secret' });
  });
  afterEach(() => keyed.reset());
  afterAll(() => keyed.close());

  it('serves the dated AzureOpenAI client with its api-key header', async () => {
    const azure = new AzureOpenAI({
      endpoint: keyed.origin,
      apiKey: 'secret',
      apiVersion: '2025-03-01-preview',
      maxRetries: 0,
    });
    const file = await azure.files.create({
      file: await toFile(Buffer.from('az'), 'az.txt'),
      purpose: 'assistants',
    });
    const store = await azure.vectorStores.create({ name: 'az', file_ids: [file.id] });

    expect(file.id).toMatch(/^assistant-/);
    expect(store.file_counts.total).toBe(1);
    expect(keyed.requests.map((r) => [r.path, r.headers['api-key']])).toEqual([
      ['/openai/files', 'secret'],
      ['/openai/vector_stores', 'secret'],
    ]);
  });

  it('serves the v1 style base URL', async () => {
    const v1 = new OpenAI({ baseURL: `${keyed.origin}/openai/v1`, apiKey: 'secret', maxRetries: 0 });
    const file = await v1.files.create({ file: streamed(['v1']), purpose: 'assistants' });
    await v1.vectorStores.files.create((await v1.vectorStores.create({})).id, { file_id: file.id });
    expect(keyed.state().vectorStores[0]?.files.map((f) => f.id)).toEqual([file.id]);
  });

  it('rejects a wrong or missing key with invalid_api_key', async () => {
    const wrong = new OpenAI({ baseURL: keyed.url, apiKey: 'nope', maxRetries: 0 });
    await expect(wrong.files.list()).rejects.toSatisfy(
      (err) => err instanceof AuthenticationError && err.code === 'invalid_api_key',
    );
    expect((await fetch(`${keyed.url}/files`)).status).toBe(401);
  });
});

describe('lifecycle', () => {
  it('closes while a client is mid-request', async () => {
    const own = await startFakeOpenAI();
    own.delay('files.list', 30_000);
    const pending = new OpenAI({ apiKey: 'test', baseURL: own.url, maxRetries: 0 }).files.list();
    await vi.waitFor(() => expect(own.requests).toHaveLength(1));

    const started = Date.now();
    await own.close();

    expect(Date.now() - started).toBeLessThan(1000);
    await expect(pending).rejects.toBeInstanceOf(APIConnectionError);
  });

  it('runs standalone from main.ts until SIGTERM', async () => {
    const child = spawn(process.execPath, [
      '--import',
      'tsx',
      'tests/support/fake-openai/main.ts',
      '--port',
      '0',
    ]);
    const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
    const url = line.match(/^fake-openai listening on (http:\/\/127\.0\.0\.1:\d+\/v1)$/)?.[1];
    expect(url).toBeDefined();

    const list = await new OpenAI({ apiKey: 'test', baseURL: url, maxRetries: 0 }).files.list();
    expect(list.data).toEqual([]);
    child.kill('SIGTERM');
    expect(await once(child, 'exit')).toEqual([0, null]);
  });
});
