import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { and, eq, inArray, isNull, ne } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { attachments, chats, chatTurns, localVectorStoreFiles, messages, outbox } from '@/lib/db/schema';
import { type AppProcess, openUpload, readTurn, serverTestBed } from '@/tests/support/next-app';

/**
 * The server killed with SIGKILL at named steps (lib/crash-point.ts), and once at a random moment
 * under load, then started again with short reaper windows: once the reaper and the worker have
 * drained, nothing is left unfinished, leaked or miscounted. The kill points and invariants are
 * listed in docs/reliability.md.
 */
const PORT = 3302;

/** Short windows for the restart that drains: the reaper runs every second. */
const DRAINING = {
  REAPER_INTERVAL_SECONDS: '1',
  REAPER_PENDING_MINUTES: '0.05',
  REAPER_INDEXING_MINUTES: '0.05',
  REAPER_INDEXING_GIVE_UP_MINUTES: '0.25',
  REAPER_TURN_ORPHAN_SECONDS: '60',
  OUTBOX_LEASE_SECONDS: '2',
  WORKER_POLL_SECONDS: '1',
};

const t = serverTestBed(PORT);
// Leases lapse quickly, so a later run redelivers what a killed one held.
// Answers save their text every second.
const start = (extra: Record<string, string> = {}) =>
  t.start({ OUTBOX_LEASE_SECONDS: '2', TURN_SAVE_SECONDS: '1', ...extra });
const { api, newChat, until } = t;

function uploadText(chatId: string, text: string, filename = 'doc.txt') {
  const form = new FormData();
  form.set('file', new Blob([text], { type: 'text/plain' }), filename);
  return fetch(`${t.app?.origin}/api/chats/${chatId}/attachments`, {
    method: 'POST',
    headers: { authorization: `Bearer ${t.user.token}` },
    body: form,
  }).catch(() => new Response(null, { status: 599 }));
}

/** Runs `act` against a server armed to kill itself at `point`, and waits until it has. */
async function killedAt(point: string, act: (server: AppProcess) => Promise<unknown>): Promise<void> {
  const server = await start({ CRASH_AT: point });
  void act(server).catch(() => {});
  const exit = await Promise.race([
    server.exited,
    new Promise<undefined>((r) => setTimeout(r, 60_000, undefined)),
  ]);
  expect(exit, `the server never reached ${point}:\n${server.output().slice(-3000)}`).toEqual({
    code: null,
    signal: 'SIGKILL',
  });
}

/** A document that is `ready`, and the chat it is in. */
async function readyDocument(chatId: string, text: string): Promise<string> {
  const response = await uploadText(chatId, text);
  expect(response.status).toBe(201);
  const { id } = (await response.json()) as { id: string };
  await until(async () => {
    const [row] = await t.env.database.db.select().from(attachments).where(eq(attachments.id, id));
    return row?.status === 'ready' ? true : undefined;
  }, 'a ready document');
  return id;
}

const chatIds: string[] = [];

describe('SIGKILL at any point', () => {
  it('leaves nothing unfinished, leaked or miscounted once the server has restarted and drained', async () => {
    const db = t.env.database.db;

    // Chats and documents the crashes below will work on, from a server that is not armed.
    await start();
    const [survivor, uploads, answers, deletedOnce, deletedFanOut] = [
      await newChat(),
      await newChat(),
      await newChat(),
      await newChat(),
      await newChat(),
    ];
    chatIds.push(survivor, uploads, answers, deletedOnce, deletedFanOut);
    await readyDocument(survivor, 'a document that lives through every crash');
    await readyDocument(deletedOnce, 'a document of a chat deleted while its job holds the lease');
    await readyDocument(deletedFanOut, 'first of two documents of a chat deleted mid fan-out');
    await readyDocument(deletedFanOut, 'second of two documents of a chat deleted mid fan-out');
    t.app?.child.kill('SIGKILL');
    await t.app?.exited;

    await killedAt('upload.before_pending', () => uploadText(uploads, 'never got a row'));
    await killedAt('upload.writing', async (server) => {
      const upload = openUpload(server, uploads, t.user.token);
      upload.send(1300 * 1024);
      await upload.response;
    });
    await killedAt('upload.before_uploaded', () => uploadText(uploads, 'stored, never marked uploaded'));
    await killedAt('indexing', () => uploadText(uploads, 'stored, uploaded, indexing when the process died'));
    let streamedBeforeKill = '';
    await killedAt('turn.streaming', async () => {
      t.fake.queueReply({ chunks: Array.from({ length: 200 }, (_, i) => `word${i} `), delayMs: 50 });
      const turn = await api(`/api/chats/${answers}/messages`, {
        method: 'POST',
        body: JSON.stringify({ content: 'a long answer, please' }),
      });
      await readTurn(turn, (delta) => {
        streamedBeforeKill += delta;
      });
    });
    await killedAt('outbox.chat_deleted', () => api(`/api/chats/${deletedOnce}`, { method: 'DELETE' }));
    await killedAt('chat_delete.fanout', () => api(`/api/chats/${deletedFanOut}`, { method: 'DELETE' }));

    // A plain SIGKILL at a random moment under load: uploads, answers and a delete at once.
    const loaded = await start();
    const load = [
      ...Array.from({ length: 4 }, (_, i) =>
        uploadText(uploads, `load ${i} `.repeat(40_000), `load-${i}.txt`),
      ),
      ...Array.from({ length: 2 }, async () => {
        const chat = await newChat();
        chatIds.push(chat);
        t.fake.queueReply({ chunks: Array.from({ length: 40 }, (_, i) => `w${i} `), delayMs: 30 });
        await readTurn(
          await api(`/api/chats/${chat}/messages`, {
            method: 'POST',
            body: JSON.stringify({ content: 'hi' }),
          }),
          () => {},
        );
      }),
      newChat().then((chat) => {
        chatIds.push(chat);
        return uploadText(chat, 'deleted under load').then(() =>
          api(`/api/chats/${chat}`, { method: 'DELETE' }),
        );
      }),
    ];
    await new Promise((r) => setTimeout(r, 300 + Math.floor(Math.random() * 1200)));
    loaded.child.kill('SIGKILL');
    await Promise.allSettled(load);
    await loaded.exited;

    // Started again with short windows: the reaper and the worker bring everything to an end.
    await start(DRAINING);
    await until(
      async () => {
        const open = [
          ...(await db
            .select({ id: attachments.id })
            .from(attachments)
            .where(inArray(attachments.status, ['pending', 'uploaded']))),
          ...(await db.select({ id: chatTurns.id }).from(chatTurns).where(eq(chatTurns.state, 'running'))),
          ...(await db
            .select({ id: outbox.id })
            .from(outbox)
            .where(and(isNull(outbox.completedAt), isNull(outbox.deadAt)))),
        ];
        return open.length === 0 ? true : undefined;
      },
      'every row to reach an end',
      150_000,
    );

    // Every outbox job done, or dead with a reason.
    for (const job of await db.select().from(outbox)) {
      expect(job.completedAt !== null || (job.deadAt !== null && (job.lastError ?? '') !== '')).toBe(true);
    }
    // Every turn terminal, its answer stored with it.
    const turns = await db.select().from(chatTurns);
    expect(turns.length).toBeGreaterThanOrEqual(1);
    for (const turn of turns) {
      expect(['completed', 'failed', 'cancelled']).toContain(turn.state);
      const [answer] = await db.select().from(messages).where(eq(messages.id, turn.assistantMessageId));
      expect(answer?.state).toBe(turn.state);
      // A turn whose process died keeps the text its stream last saved.
      if (turn.errorCode === 'orphan_timeout') expect(answer?.content).toBe(turn.partialContent ?? '');
    }
    const [killedMidStream] = turns.filter((turn) => turn.chatId === answers);
    expect(killedMidStream).toMatchObject({ state: 'failed', errorCode: 'orphan_timeout' });
    expect(killedMidStream?.partialContent?.length).toBeGreaterThan(0);
    expect(streamedBeforeKill.startsWith(killedMidStream?.partialContent ?? 'none')).toBe(true);

    // Nothing at the store without a live row: files, temporaries, local index entries.
    const live = await db
      .select({ id: attachments.id, fileId: attachments.providerFileId, size: attachments.sizeBytes })
      .from(attachments)
      .innerJoin(chats, eq(chats.id, attachments.chatId))
      .where(and(isNull(attachments.deletedAt), isNull(chats.deletedAt), ne(attachments.status, 'failed')));
    const liveFiles = new Map(live.map((row) => [row.fileId, row.size]));
    const stored = (await readdir(t.env.storageDir)).filter((name) => name !== '.staging');
    expect(stored.filter((name) => name.startsWith('.'))).toEqual([]);
    expect(await readdir(path.join(t.env.storageDir, '.staging')).catch(() => [])).toEqual([]);
    expect(stored.sort()).toEqual([...liveFiles.keys()].sort());
    for (const name of stored) {
      expect((await stat(path.join(t.env.storageDir, name))).size).toBe(liveFiles.get(name));
    }
    const indexed = await db.select({ fileId: localVectorStoreFiles.fileId }).from(localVectorStoreFiles);
    for (const entry of indexed) expect(liveFiles.has(entry.fileId)).toBe(true);

    // Every usage and quota the service reports is the sum of the live rows.
    const liveChats = await db
      .select({ id: chats.id })
      .from(chats)
      .where(and(isNull(chats.deletedAt), inArray(chats.id, chatIds)));
    let userBytes = 0;
    for (const chat of liveChats) {
      const rows = await db
        .select({ size: attachments.sizeBytes, status: attachments.status })
        .from(attachments)
        .where(
          and(
            eq(attachments.chatId, chat.id),
            isNull(attachments.deletedAt),
            ne(attachments.status, 'failed'),
          ),
        );
      const bytes = rows.reduce((sum, row) => sum + row.size, 0);
      userBytes += bytes;
      const limits = (await (await api(`/api/chats/${chat.id}/upload-limits`)).json()) as {
        chat: { bytes: { used: number } };
        quotas: { user: { used: number } };
      };
      expect(limits.chat.bytes.used).toBe(bytes);
    }
    const anyChat = liveChats[0]?.id as string;
    const limits = (await (await api(`/api/chats/${anyChat}/upload-limits`)).json()) as {
      quotas: { user: { used: number }; tenant: { used: number } };
    };
    expect(limits.quotas.user.used).toBe(userBytes);
    expect(limits.quotas.tenant.used).toBe(userBytes);

    // The reaper's work shows in the metrics an operator watches.
    expect(t.app?.output()).toContain('temporaries of dead uploads removed');
  });
});
