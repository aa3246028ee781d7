import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { type UploadInput, uploadFile } from '@/lib/attachments/upload/upload-file';
import { attachments } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { getDb } from '@/lib/runtime';
import { fakeOpenAIForFile, fileInput, makeChat, makeDeps } from '@/tests/support/attachments';
import type { FakeOpenAI } from '@/tests/support/fake-openai';
import { failure, makeUser, type TestUser } from '@/tests/support/fixtures';

// What a hostile script does to the upload route: promise a large body, send a little of it (or
// only the headers) and go quiet, on as many connections as it can open. None of that may keep
// honest uploads out for longer than the idle timeout.

let fake: FakeOpenAI;
let user: TestUser;

const server = fakeOpenAIForFile();
beforeEach(async () => {
  fake = server();
  user = await makeUser();
});

const rowsOf = async (chatId: string) =>
  (await getDb()).select().from(attachments).where(eq(attachments.chatId, chatId));

/**
 * A client that sends `sent` (maybe nothing) of a file it says is 20 MB and then goes quiet: its
 * body never yields again, until `hangUp` (the connection dropping). `waiting` resolves once the
 * server asks for the bytes after `sent`.
 */
function stalledClient(sent: string, options: { filename?: string; headers?: 'never' } = {}) {
  let hangUp: (err: Error) => void = () => {};
  const quiet = new Promise<never>((_, reject) => {
    hangUp = reject;
  });
  quiet.catch(() => {});
  let reached: () => void = () => {};
  const waiting = new Promise<void>((resolve) => {
    reached = resolve;
  });
  let stop: AbortSignal | undefined;
  async function* body(): AsyncGenerator<Uint8Array> {
    if (sent) yield Buffer.from(sent);
    reached();
    await quiet;
  }
  const input: UploadInput = {
    sizeHint: 20 * 1024 * 1024,
    openFile: async (signal) => {
      stop = signal;
      if (options.headers === 'never') {
        reached();
        return quiet;
      }
      return { filename: options.filename ?? 'stalled.txt', contentType: 'text/plain', body: body() };
    },
  };
  return {
    input,
    waiting,
    hangUp: () => hangUp(new AppError('multipart_error', 'The multipart body is malformed or ended early.')),
    /** Whether the upload told the request reader to stop reading. */
    stopped: () => stop?.aborted ?? false,
  };
}

/** A quick pace for the tests: half a second of silence is a stall. */
const pace = (idleMs: number, minBytesPerSecond = 0) => ({ bodyPace: { idleMs, minBytesPerSecond } });

/** 100 KiB: more than the content check's head, so the pending row is written before the stall. */
const pastTheHead = 'Stalled upload. '.repeat(6400);

describe('a client that stalls', () => {
  for (const model of ['gpt-test', 'offline']) {
    it(`mid-file is answered upload_timeout, its row failed, its place given back (${model})`, async () => {
      const deps = await makeDeps(fake, { maxConcurrentUploads: 1, ...pace(500) });
      const chatId = await makeChat(user, model);
      const client = stalledClient(pastTheHead);

      const err = await failure(uploadFile(deps, user.caller, chatId, client.input));
      expect(err).toMatchObject({ code: 'upload_timeout', status: 408 });
      expect(err.message).toMatch(/sent nothing for 0\.5 seconds/);
      expect(client.stopped()).toBe(true);
      const [row] = await rowsOf(chatId);
      expect(row).toMatchObject({ status: 'failed', errorCode: 'upload_timeout', deletedAt: null });
      expect(err.extensions.attachment_id).toBe(row?.id);
      expect(deps.gate.inFlight).toBe(0);
      expect(deps.metrics.pendingGauge).toBe(0);
      expect(deps.metrics.count('document', 'timeout')).toBe(1);
      expect(fake.state().files).toEqual([]);

      // The only place of the process is free again.
      const honest = await uploadFile(deps, user.caller, chatId, fileInput('an honest file'));
      expect(honest.attachment.status).toBe('uploaded');
    });
  }

  it('within the first bytes holds a place until the timeout, then gives it back with no row', async () => {
    const deps = await makeDeps(fake, { maxConcurrentUploadsPerUser: 1, ...pace(1_500) });
    const chatId = await makeChat(user);
    const client = stalledClient('%PDF-');
    const stalled = uploadFile(deps, user.caller, chatId, client.input);
    stalled.catch(() => {});
    await client.waiting;
    // Its first bytes are in: it has the user's one place.
    expect(deps.gate.inFlight).toBe(1);

    const err = await failure(stalled);
    expect(err).toMatchObject({ code: 'upload_timeout', status: 408 });
    expect(deps.gate.inFlight).toBe(0);
    expect(await rowsOf(chatId)).toEqual([]);
    expect((await uploadFile(deps, user.caller, chatId, fileInput('next'))).attachment.status).toBe(
      'uploaded',
    );
  });

  it('sending a byte now and then, below the least rate, is cut off once the grace is over', async () => {
    const deps = await makeDeps(fake, pace(800, 200_000));
    const chatId = await makeChat(user);
    let sent = 0;
    const input: UploadInput = {
      sizeHint: null,
      openFile: async () => ({
        filename: 'trickle.txt',
        contentType: 'text/plain',
        body: (async function* () {
          yield Buffer.from(pastTheHead);
          // Never quiet for long, never fast: 16 bytes every 50 ms.
          for (;;) {
            await new Promise((resolve) => setTimeout(resolve, 50));
            sent += 16;
            yield Buffer.from('x'.repeat(16));
          }
        })(),
      }),
    };
    const err = await failure(uploadFile(deps, user.caller, chatId, input));
    expect(err).toMatchObject({ code: 'upload_timeout', status: 408 });
    expect(err.message).toMatch(/slower than 200000 bytes a second/);
    // Never idle: it was its rate that ended it.
    expect(sent).toBeGreaterThan(0);
    const [row] = await rowsOf(chatId);
    expect(row).toMatchObject({ status: 'failed', errorCode: 'upload_timeout' });
    expect(deps.gate.inFlight).toBe(0);
  });
});

describe('a client that sends no file bytes', () => {
  it('holds no place while the file has not started', async () => {
    // One place for the whole process, a long idle timeout: the stalled request is still waiting.
    const deps = await makeDeps(fake, { maxConcurrentUploads: 1, ...pace(60_000) });
    const chatId = await makeChat(user);
    const client = stalledClient('');
    const stalled = uploadFile(deps, user.caller, chatId, client.input);
    stalled.catch(() => {});
    await client.waiting;
    expect(deps.gate.inFlight).toBe(0);

    const honest = await uploadFile(deps, user.caller, chatId, fileInput('an honest file'));
    expect(honest.attachment.status).toBe('uploaded');

    client.hangUp();
    expect((await failure(stalled)).code).toBe('multipart_error');
    expect((await rowsOf(chatId)).map((row) => row.id)).toEqual([honest.attachment.id]);
    expect(deps.gate.inFlight).toBe(0);
  });

  it('whose file part never comes is answered upload_timeout, and the request is no longer read', async () => {
    const deps = await makeDeps(fake, { maxConcurrentUploads: 1, ...pace(500) });
    const chatId = await makeChat(user);
    const client = stalledClient('', { headers: 'never' });
    const err = await failure(uploadFile(deps, user.caller, chatId, client.input));
    expect(err).toMatchObject({ code: 'upload_timeout', status: 408 });
    expect(err.message).toMatch(/did not start within 0\.5 seconds/);
    expect(client.stopped()).toBe(true);
    expect(deps.gate.inFlight).toBe(0);
    expect(await rowsOf(chatId)).toEqual([]);
  });
});

describe('places per user', () => {
  it("refuses a user's fourth upload at once while another user's goes through", async () => {
    const deps = await makeDeps(fake);
    expect(deps.config.maxConcurrentUploadsPerUser).toBe(3);
    // Three chats: the share is the user's, whatever chats the uploads go to.
    const chatIds = [await makeChat(user), await makeChat(user), await makeChat(user)];
    const chatId = chatIds[0] as string;
    let release: () => void = () => {};
    const pause = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = chatIds.map((id) =>
      uploadFile(
        deps,
        user.caller,
        id,
        fileInput(Buffer.alloc(200 * 1024, 'a'), { chunkSize: 100 * 1024, pause }),
      ),
    );
    for (const upload of held) upload.catch(() => {});
    // Each has its row, so each is past the gate and waits for its second chunk.
    await expect
      .poll(async () => (await Promise.all(chatIds.map(rowsOf))).flat().length, { timeout: 20_000 })
      .toBe(3);

    const refused = await failure(uploadFile(deps, user.caller, chatId, fileInput('a fourth')));
    expect(refused).toMatchObject({
      code: 'upload_concurrency_limit',
      status: 503,
      headers: { 'retry-after': '5' },
      extensions: { limit_scope: 'user' },
    });
    expect(refused.message).toMatch(/You have too many uploads in progress/);

    const other = await makeUser();
    const theirs = await uploadFile(deps, other.caller, await makeChat(other), fileInput('their file'));
    expect(theirs.attachment.status).toBe('uploaded');

    release();
    expect((await Promise.all(held)).map((outcome) => outcome.attachment.status)).toEqual(
      Array(3).fill('uploaded'),
    );
    expect(deps.gate.inFlight).toBe(0);
    expect((await uploadFile(deps, user.caller, chatId, fileInput('a fourth'))).attachment.status).toBe(
      'uploaded',
    );
  });
});
