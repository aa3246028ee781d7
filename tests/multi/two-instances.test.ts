import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenForUser } from '@/lib/auth/tokens';
import { createUser } from '@/lib/auth/users';
import { type Database, openDatabase } from '@/lib/db/client';
import type { S3Config } from '@/lib/file-stores/s3';
import { type FakeOpenAI, startFakeOpenAI } from '@/tests/support/fake-openai';
import { hasBuild, type Instance, startInstance } from '@/tests/support/instances';
import { createDatabase, dropDatabase } from '@/tests/support/postgres';
import { type S3TestServer, startS3Server } from '@/tests/support/s3-server';
import { readSse } from '@/tests/support/sse';

/**
 * Two `next start` processes of the production build, nothing shared but one PostgreSQL database
 * and one S3 bucket: what one instance does, the other sees and finishes. Instance A runs no
 * worker (WORKER_IN_PROCESS=false), so every cleanup seen here is B's worker's.
 * Needs the build (.next, made by the e2e step of scripts/test.sh) and TEST_DATABASE_URL.
 */
const PORTS = [3201, 3202] as const;
const MODEL = 'llama-multi';
const missing = !process.env.TEST_DATABASE_URL
  ? 'TEST_DATABASE_URL is not set'
  : !hasBuild()
    ? 'there is no production build in .next (run `npx next build`)'
    : undefined;
if (missing) console.warn(`two instances: skipped, ${missing}.`);

let s3: S3TestServer;
let bucket: S3Config;
let fake: FakeOpenAI;
let database: { name: string; url: string };
let db: Database;
let a: Instance;
let b: Instance;
let token: string;
const storageDirs = [0, 1].map(() => mkdtempSync(path.join(os.tmpdir(), 'mini-chat-instance-')));

beforeAll(async () => {
  if (missing) return;
  s3 = await startS3Server();
  bucket = await s3.bucket({ keyPrefix: 'multi/' });
  fake = await startFakeOpenAI();
  database = await createDatabase('minichat_multi');
  db = await openDatabase({ driver: 'pg', url: database.url });
  await db.migrate();
  const { user } = await createUser(db.db, {
    email: `multi-${randomUUID()}@example.test`,
    password: 'correct horse battery',
    tenant: `multi-${randomUUID()}`,
    role: 'member',
  });
  ({ token } = await createTokenForUser(db.db, user.id, 'multi'));
  const env = (i: 0 | 1): Record<string, string> => ({
    DATABASE_URL: database.url,
    AUTH_SECRET: 'two-instances-only-secret-000000000000',
    DEFAULT_MODEL: 'offline',
    OPENAI_COMPATIBLE_MODEL: MODEL,
    OPENAI_COMPATIBLE_BASE_URL: fake.url,
    // Its own folder each: were any file kept on disk, the other instance could not serve it.
    FILE_STORAGE_DIR: storageDirs[i] as string,
    WORKER_POLL_SECONDS: '1',
    QUOTA_USER_MB: '12',
    ...(i === 0 ? { WORKER_IN_PROCESS: 'false' } : {}),
    ...s3.env(bucket),
  });
  [a, b] = await Promise.all([startInstance(PORTS[0], env(0)), startInstance(PORTS[1], env(1))]);
}, 240_000);

afterAll(async () => {
  await Promise.all([a?.stop(), b?.stop()]);
  await db?.close();
  if (database) await dropDatabase(database.name);
  await fake?.close();
  await s3?.close();
});

const api = (instance: Instance, route: string, init: RequestInit = {}) =>
  fetch(`${instance.origin}${route}`, {
    ...init,
    headers: {
      authorization: `Bearer ${token}`,
      ...(init.body instanceof FormData ? {} : { 'content-type': 'application/json' }),
      ...init.headers,
    },
  });

async function newChat(instance: Instance, model = 'offline'): Promise<string> {
  const res = await api(instance, '/api/chats', { method: 'POST', body: JSON.stringify({ model }) });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

function upload(instance: Instance, chatId: string, name: string, content: string | Buffer) {
  const form = new FormData();
  form.append(
    'file',
    new Blob([typeof content === 'string' ? content : new Uint8Array(content)], { type: 'text/plain' }),
    name,
  );
  return api(instance, `/api/chats/${chatId}/attachments`, { method: 'POST', body: form });
}

async function attachment(instance: Instance, chatId: string, id: string) {
  const res = await api(instance, `/api/chats/${chatId}/attachments/${id}`);
  return {
    status: res.status,
    body: res.status === 200 ? ((await res.json()) as { status: string }) : undefined,
  };
}

const keys = () => s3.keys(bucket.bucket);
const poll = { timeout: 30_000, interval: 200 };

describe.skipIf(missing !== undefined)('two instances, one database, one bucket', () => {
  it("an upload through A is ready and cited through B; deleted through A, cleaned up by B's worker", async () => {
    const chatId = await newChat(a);
    const res = await upload(
      a,
      chatId,
      'refunds.txt',
      'Refunds are paid within fourteen days of the return.',
    );
    expect(res.status, await res.clone().text()).toBe(201);
    const { id } = (await res.json()) as { id: string };
    await expect.poll(async () => (await attachment(b, chatId, id)).body?.status, poll).toBe('ready');
    expect(await keys()).toEqual([`multi/${chatId}_${id}.txt`]);
    for (const dir of storageDirs) expect(await readdir(dir)).toEqual([]);

    const content = await api(b, `/api/chats/${chatId}/attachments/${id}/content`, {
      headers: { range: 'bytes=0-6' },
    });
    expect(content.status).toBe(206);
    expect(await content.text()).toBe('Refunds');

    const answer = await api(b, `/api/chats/${chatId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ content: 'When are refunds paid?' }),
    });
    expect(answer.status).toBe(200);
    const { events } = await readSse(answer.body as ReadableStream<Uint8Array>);
    expect(events.find((e) => e.event === 'citations')?.data.items).toEqual([
      expect.objectContaining({ attachment_id: id, filename: 'refunds.txt' }),
    ]);

    // A second document, never sent in a message, so it can be deleted.
    const second = (await (await upload(b, chatId, 'shipping.txt', 'Shipping takes five days.')).json()) as {
      id: string;
    };
    await expect.poll(async () => (await attachment(a, chatId, second.id)).body?.status, poll).toBe('ready');
    expect((await api(a, `/api/chats/${chatId}/attachments/${second.id}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    await expect
      .poll(async () => (await keys()).includes(`multi/${chatId}_${second.id}.txt`), poll)
      .toBe(false);
    expect((await attachment(a, chatId, second.id)).status).toBe(404);

    // The chat goes through A; B's worker deletes the rest of its objects.
    expect((await api(a, `/api/chats/${chatId}`, { method: 'DELETE' })).status).toBe(204);
    await expect.poll(keys, poll).toEqual([]);
  });

  it('a chunked upload takes its parts through either instance (staged in the bucket) and completes through the other', async () => {
    const chatId = await newChat(a);
    const content = Buffer.from('Chunked words about invoices and receipts. '.repeat(230_000));
    const created = await api(a, `/api/chats/${chatId}/uploads`, {
      method: 'POST',
      body: JSON.stringify({
        filename: 'ledger.txt',
        size_bytes: content.length,
        content_type: 'text/plain',
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const upload = (await created.json()) as { upload_id: string; part_size: number; part_count: number };
    expect(upload.part_count).toBe(3);
    for (let n = 1; n <= upload.part_count; n++) {
      const part = content.subarray((n - 1) * upload.part_size, n * upload.part_size);
      const digest = createHash('sha256').update(part).digest('base64');
      const sent = await api(n % 2 === 1 ? b : a, `/api/uploads/${upload.upload_id}/parts/${n}`, {
        method: 'PUT',
        body: new Uint8Array(part),
        headers: { 'content-type': 'application/octet-stream', 'content-digest': `sha-256=:${digest}:` },
      });
      expect(sent.status, await sent.clone().text()).toBe(200);
    }
    expect((await keys()).filter((key) => key.startsWith('multi/.staging/'))).toHaveLength(3);
    const completed = await api(b, `/api/uploads/${upload.upload_id}/complete`, { method: 'POST' });
    expect(completed.status, await completed.clone().text()).toBe(200);
    const stored = ((await completed.json()) as { attachment: { id: string } }).attachment;
    await expect.poll(async () => (await attachment(a, chatId, stored.id)).body?.status, poll).toBe('ready');
    expect(await keys()).toEqual([`multi/${chatId}_${stored.id}.txt`]);
    const whole = await api(a, `/api/chats/${chatId}/attachments/${stored.id}/content`);
    expect(Buffer.compare(Buffer.from(await whole.arrayBuffer()), content)).toBe(0);
    expect((await api(b, `/api/chats/${chatId}`, { method: 'DELETE' })).status).toBe(204);
    await expect.poll(keys, poll).toEqual([]);
  });

  it('a turn streaming on A is stopped through B; a second turn in the chat through B meanwhile is refused', async () => {
    const chatId = await newChat(a, MODEL);
    // Long enough (60 s) that only the stop can end it.
    fake.queueReply({ chunks: Array.from({ length: 300 }, (_, i) => `word${i} `), delayMs: 200 });
    const requestId = randomUUID();
    const sent = await api(a, `/api/chats/${chatId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ content: 'Tell me a long story.', request_id: requestId }),
    });
    expect(sent.status).toBe(200);
    const streaming = readSse(sent.body as ReadableStream<Uint8Array>);
    await expect
      .poll(
        async () =>
          ((await (await api(b, `/api/chats/${chatId}/turns/${requestId}`)).json()) as { state: string })
            .state,
        poll,
      )
      .toBe('running');

    const other = await api(b, `/api/chats/${chatId}/messages`, {
      method: 'POST',
      body: JSON.stringify({ content: 'And another?' }),
    });
    expect(other.status).toBe(409);
    expect(((await other.json()) as { code: string }).code).toBe('generation_in_progress');

    const cancel = await api(b, `/api/chats/${chatId}/turns/${requestId}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    const { events } = await streaming;
    expect(events.at(-1)).toMatchObject({ event: 'error', data: { code: 'cancelled' } });
    const turn = (await (await api(a, `/api/chats/${chatId}/turns/${requestId}`)).json()) as {
      state: string;
    };
    expect(turn.state).toBe('cancelled');
  });

  it('the storage quota holds across both: of two uploads that together exceed it, one per instance, one is refused', async () => {
    const chatId = await newChat(a);
    // 7 MiB each against a 12 MiB quota (the earlier tests' files are deleted by now).
    const big = Buffer.alloc(7 * 1024 * 1024, 'quota words ');
    const answers = await Promise.all([upload(a, chatId, 'one.txt', big), upload(b, chatId, 'two.txt', big)]);
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, 400]);
    const refused = answers.find((r) => r.status === 400);
    expect(((await (refused as Response).json()) as { code: string }).code).toBe('storage_quota_exceeded');
    // The refused upload left no object behind.
    await expect.poll(async () => (await keys()).filter((k) => k.includes(chatId)).length, poll).toBe(1);
  });
});
