import { readdir } from 'node:fs/promises';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { attachments, chatTurns, messages, outbox } from '@/lib/db/schema';
import { openUpload, readTurn, serverTestBed } from '@/tests/support/next-app';

/**
 * SIGTERM, as a platform sends it before it stops a process, on `next start` over PostgreSQL:
 * within the grace period the server refuses new work with 503, ends the answer it is streaming
 * as cancelled with its partial text, marks the upload still writing interrupted, gives back the
 * outbox lease it holds, closes its pool and exits.
 */
const PORT = 3301;
const GRACE_SECONDS = 6;

const t = serverTestBed(PORT);

describe('SIGTERM', () => {
  it('drains within the grace period: 503 for new work, the answer cancelled with its text, the upload interrupted, the lease given back', async () => {
    const app = await t.start({ SHUTDOWN_GRACE_SECONDS: String(GRACE_SECONDS) });
    const { env, fake, user, api, newChat, until } = t;
    const db = env.database.db;

    // A chat delete whose cleanup job hangs at the provider: the worker holds its lease.
    const deleted = await newChat('gpt-4.1-mini');
    const form = new FormData();
    form.set('file', new Blob(['a document to delete'], { type: 'text/plain' }), 'doc.txt');
    const uploaded = await fetch(`${app.origin}/api/chats/${deleted}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);
    fake.delay('files.delete', 120_000);
    expect((await api(`/api/chats/${deleted}`, { method: 'DELETE' })).status).toBe(204);
    const job = await until(async () => {
      const [row] = await db.select().from(outbox).where(eq(outbox.kind, 'chat_deleted'));
      return row?.leaseToken ? row : undefined;
    }, 'the cleanup job to be leased');

    // An upload still sending its body.
    const chatId = await newChat();
    const upload = openUpload(app, chatId, user.token);
    upload.send(1300 * 1024);
    const pending = await until(async () => {
      const [row] = await db.select().from(attachments).where(eq(attachments.chatId, chatId));
      return row?.status === 'pending' ? row : undefined;
    }, 'the pending row');

    // An answer streaming slowly.
    const words = Array.from({ length: 80 }, (_, i) => `word${i} `);
    fake.queueReply({ chunks: words, delayMs: 200 });
    const answering = await newChat();
    const turn = await api(`/api/chats/${answering}/messages`, {
      method: 'POST',
      body: JSON.stringify({ content: 'Tell me a long story.' }),
    });
    expect(turn.status).toBe(200);
    let received = '';
    let deltas = 0;
    let firstDeltas: () => void = () => {};
    const someText = new Promise<void>((resolve) => {
      firstDeltas = resolve;
    });
    const streamed = readTurn(turn, (text) => {
      received += text;
      if (++deltas === 3) firstDeltas();
    });
    await someText;

    const signalled = Date.now();
    app.child.kill('SIGTERM');

    // New uploads and answers are refused while the process drains.
    const refused = await until(async () => {
      const response = await api(`/api/chats/${chatId}/messages`, {
        method: 'POST',
        body: JSON.stringify({ content: 'another question' }),
      });
      return response.status === 503 ? response : undefined;
    }, 'a 503 for a new answer');
    expect(refused.headers.get('retry-after')).toBe('5');
    expect(await refused.json()).toMatchObject({ code: 'service_draining', status: 503 });
    const refusedUpload = await fetch(`${app.origin}/api/chats/${chatId}/attachments`, {
      method: 'POST',
      headers: { authorization: `Bearer ${user.token}` },
      body: form,
    });
    expect(refusedUpload.status).toBe(503);
    expect(refusedUpload.headers.get('retry-after')).toBe('5');
    const refusedParts = await api(`/api/chats/${chatId}/uploads`, {
      method: 'POST',
      body: JSON.stringify({ filename: 'big.txt', size_bytes: 5 * 1024 * 1024, content_type: 'text/plain' }),
    });
    expect(refusedParts.status).toBe(503);
    expect(await refusedParts.json()).toMatchObject({ code: 'service_draining' });

    // The answer ends at once, cancelled, with exactly the text the client saw.
    const events = await streamed;
    expect(events.at(-1)).toBe('error');
    const [ended] = await db.select().from(chatTurns).where(eq(chatTurns.chatId, answering));
    expect(ended?.state).toBe('cancelled');
    const [answer] = await db
      .select()
      .from(messages)
      .where(eq(messages.id, ended?.assistantMessageId ?? ''));
    expect(received.length).toBeGreaterThan(0);
    expect(answer?.content).toBe(received);

    // The process is gone within the grace period, having closed its pool.
    const exit = await app.exited;
    const tookMs = Date.now() - signalled;
    expect(exit).toEqual({ code: 0, signal: null });
    expect(tookMs).toBeLessThan(GRACE_SECONDS * 1000);
    expect(app.output()).toContain('shutdown complete');

    // The upload that never finished is interrupted now, not fifteen minutes from now, and its
    // temp file is gone.
    const [interrupted] = await db.select().from(attachments).where(eq(attachments.id, pending.id));
    expect(interrupted).toMatchObject({ status: 'failed', errorCode: 'upload_interrupted' });
    expect((await readdir(env.storageDir)).filter((name) => name.startsWith('.upload-'))).toEqual([]);
    // Its client is told to send it again shortly.
    const cutShort = await upload.response;
    expect(cutShort.status).toBe(503);
    expect(JSON.parse(cutShort.body)).toMatchObject({ code: 'service_draining', attachment_id: pending.id });

    // The cleanup job is due again for the next worker, its delivery counted.
    const [released] = await db.select().from(outbox).where(eq(outbox.id, job.id));
    expect(released).toMatchObject({ leaseToken: null, leaseUntil: null, completedAt: null, attempts: 1 });
  });
});
