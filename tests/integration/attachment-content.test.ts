import { randomUUID } from 'node:crypto';
import { readdir, readlink, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { type ContentRequest, deleteAttachment, getAttachment, openContent } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { attachments, messageAttachments, messages } from '@/lib/db/schema';
import { createLocalFileStore } from '@/lib/file-stores/local';
import { keepsOriginals } from '@/lib/file-stores/originals';
import type { FileStoreId } from '@/lib/file-stores/ports';
import type { FileContent } from '@/lib/http/file-response';
import { listMessages } from '@/lib/messages/service';
import { type ModelEntry, openaiModel } from '@/lib/models/catalog';
import { getDb } from '@/lib/runtime';
import {
  fakeOpenAIForFile,
  fileInput,
  makeChat,
  makeDeps,
  TEST_MODELS,
  type TestDeps,
} from '@/tests/support/attachments';
import { failure, makeUser, type TestUser } from '@/tests/support/fixtures';
import { pdf, png } from '@/tests/support/sample-files';

const server = fakeOpenAIForFile();
/** A model whose chats keep files in the local store and may hold images. */
const LOCAL_VISION: ModelEntry = {
  ...openaiModel('local-vision', 'Local vision', 128_000),
  provider: 'openai-compatible',
  codeInterpreter: false,
};

let deps: TestDeps;
let user: TestUser;

beforeEach(async () => {
  deps = await makeDeps(server(), {}, [...TEST_MODELS, LOCAL_VISION]);
  user = await makeUser();
});

const ASK: ContentRequest = { range: null, ifRange: null, disposition: null, headOnly: false };

/** A document in a chat whose files are kept locally, `ready` (searchable) unless told otherwise. */
async function stored(
  owner: TestUser,
  content: Buffer | string,
  options: { filename?: string; type?: string; model?: string; indexed?: boolean } = {},
) {
  const chatId = await makeChat(owner, options.model ?? 'offline');
  const outcome = await uploadFile(
    deps,
    owner.caller,
    chatId,
    fileInput(content, { filename: options.filename, type: options.type }),
  );
  if (options.indexed !== false) await outcome.indexing?.();
  return { chatId, attachment: await getAttachment(deps, owner.caller, chatId, outcome.attachment.id) };
}

const open = (owner: TestUser, chatId: string, id: string, request: Partial<ContentRequest> = {}) =>
  openContent(deps, owner.caller, chatId, id, { ...ASK, ...request });

const bytesOf = async (content: FileContent) => Buffer.from(await new Response(content.body).arrayBuffer());

describe('opening an original kept in the local store', () => {
  const text = Buffer.from('0123456789'.repeat(100));

  it('gives the owner the whole file, to be saved, with its name and type', async () => {
    const { chatId, attachment } = await stored(user, text, { filename: 'notes.txt' });
    expect(attachment.can_open).toBe(true);
    const content = await open(user, chatId, attachment.id);
    expect(content).toMatchObject({
      filename: 'notes.txt',
      contentType: 'text/plain',
      disposition: 'attachment',
      size: text.length,
      etag: `"${attachment.id}"`,
    });
    expect(content.range).toBeUndefined();
    expect((await bytesOf(content)).equals(text)).toBe(true);
  });

  it('serves a range, an open-ended range and a suffix range', async () => {
    const { chatId, attachment } = await stored(user, text);
    const part = async (range: string) => {
      const content = await open(user, chatId, attachment.id, { range });
      return { range: content.range, bytes: (await bytesOf(content)).toString() };
    };
    expect(await part('bytes=10-14')).toEqual({ range: { start: 10, end: 14 }, bytes: '01234' });
    expect(await part('bytes=995-')).toEqual({ range: { start: 995, end: 999 }, bytes: '56789' });
    expect(await part('bytes=-3')).toEqual({ range: { start: 997, end: 999 }, bytes: '789' });
    expect(await part('bytes=990-5000')).toEqual({ range: { start: 990, end: 999 }, bytes: '0123456789' });
  });

  it('answers 416 with the size for a range past the end', async () => {
    const { chatId, attachment } = await stored(user, text);
    const err = await failure(open(user, chatId, attachment.id, { range: 'bytes=1000-' }));
    expect(err).toMatchObject({ code: 'range_not_satisfiable', status: 416 });
    expect(err.headers).toEqual({ 'content-range': 'bytes */1000' });
  });

  it('sends the whole file for several ranges, or an If-Range that is not its validator', async () => {
    const { chatId, attachment } = await stored(user, text);
    const several = await open(user, chatId, attachment.id, { range: 'bytes=0-1,5-6' });
    expect(several.range).toBeUndefined();
    expect((await bytesOf(several)).length).toBe(1000);
    const stale = await open(user, chatId, attachment.id, { range: 'bytes=0-1', ifRange: '"another"' });
    expect(stale.range).toBeUndefined();
    await stale.body?.cancel();
    const fresh = await open(user, chatId, attachment.id, {
      range: 'bytes=0-1',
      ifRange: `"${attachment.id}"`,
    });
    expect((await bytesOf(fresh)).toString()).toBe('01');
  });

  it('opens a document still being indexed', async () => {
    const { chatId, attachment } = await stored(user, text, { indexed: false });
    expect(attachment.status).toBe('uploaded');
    expect((await bytesOf(await open(user, chatId, attachment.id))).equals(text)).toBe(true);
  });

  it('shows PDFs and images inline when asked, and sends everything else to be saved', async () => {
    const report = await stored(user, pdf('Quarterly figures'), {
      filename: 'report.pdf',
      type: 'application/pdf',
    });
    const inline = await open(user, report.chatId, report.attachment.id, { disposition: 'inline' });
    expect(inline.disposition).toBe('inline');
    await inline.body?.cancel();

    const photo = await stored(user, await png(40, 20), {
      filename: 'photo.png',
      type: 'image/png',
      model: 'local-vision',
    });
    expect(photo.attachment).toMatchObject({ kind: 'image', status: 'ready', can_open: true });
    const image = await open(user, photo.chatId, photo.attachment.id, { disposition: 'inline' });
    expect(image).toMatchObject({ disposition: 'inline', contentType: 'image/png' });
    await image.body?.cancel();

    const page = await stored(
      user,
      '<html><body><p>The quarterly figures are in.</p><script>alert(1)</script></body></html>',
      { filename: 'page.html', type: 'text/html' },
    );
    expect(page.attachment).toMatchObject({ status: 'ready', can_open: true });
    const html = await open(user, page.chatId, page.attachment.id, { disposition: 'inline' });
    expect(html).toMatchObject({ disposition: 'attachment', contentType: 'text/html' });
    await html.body?.cancel();

    const err = await failure(open(user, page.chatId, page.attachment.id, { disposition: 'render' }));
    expect(err).toMatchObject({ code: 'validation_error', status: 400 });
  });

  it('answers HEAD with the headers and no body', async () => {
    const { chatId, attachment } = await stored(user, text);
    const head = await open(user, chatId, attachment.id, { headOnly: true, range: 'bytes=0-9' });
    expect(head).toMatchObject({ body: null, size: 1000, range: { start: 0, end: 9 } });
  });
});

describe('who and what gets 404', () => {
  async function notFoundFor(caller: TestUser, chatId: string, id: string) {
    const err = await failure(open(caller, chatId, id));
    expect(err).toMatchObject({ code: 'not_found', status: 404 });
    return err.message;
  }

  it('answers another user, another tenant and a random id exactly like a missing file', async () => {
    const { chatId, attachment } = await stored(user, 'private notes');
    const colleague = await makeUser({ tenant: user.tenant });
    const stranger = await makeUser();
    const answers = [
      await notFoundFor(colleague, chatId, attachment.id),
      await notFoundFor(stranger, chatId, attachment.id),
      await notFoundFor(user, chatId, randomUUID()),
      await notFoundFor(user, randomUUID(), attachment.id),
      await notFoundFor(user, chatId, 'not-a-uuid'),
    ];
    // The chat of someone else and a missing one read alike; so do a missing file and a random id.
    expect(new Set(answers.slice(0, 2).concat(answers[3] as string)).size).toBe(1);
    expect(answers[2]).toBe(answers[4]);
  });

  it('answers 404 once the file is deleted, or while it is still uploading', async () => {
    const { chatId, attachment } = await stored(user, 'soon gone');
    await deleteAttachment(deps, user.caller, chatId, attachment.id);
    await notFoundFor(user, chatId, attachment.id);

    const [pending] = await (await getDb())
      .insert(attachments)
      .values({
        tenantId: user.caller.tenantId,
        chatId,
        uploadedByUserId: user.caller.userId,
        filename: 'half.txt',
        contentType: 'text/plain',
        sizeBytes: 10,
        provider: 'local',
        storageBackend: 'local',
        providerFileId: `${chatId}_${randomUUID()}.txt`,
        status: 'pending',
        kind: 'document',
      })
      .returning();
    await notFoundFor(user, chatId, pending?.id as string);
  });

  it('answers 404 when the stored file went away under the row', async () => {
    const { chatId, attachment } = await stored(user, 'vanishing');
    for (const name of await readdir(deps.storageDir)) {
      if (name.includes(attachment.id)) await rm(path.join(deps.storageDir, name));
    }
    await notFoundFor(user, chatId, attachment.id);
  });
});

describe('a file kept by the model provider', () => {
  it('says it cannot be downloaded, in the view beforehand and as content_unavailable', async () => {
    const { chatId, attachment } = await stored(user, 'kept at OpenAI', { model: 'gpt-test' });
    expect(attachment).toMatchObject({ status: 'ready', can_open: false });
    const err = await failure(open(user, chatId, attachment.id));
    expect(err).toMatchObject({ code: 'content_unavailable', status: 409 });
    expect(err.message).toBe('The original is kept by the model provider and cannot be downloaded.');
    // Still 404 for anyone else: the answer tells nothing about where another user's file is kept.
    const stranger = await makeUser();
    expect(await failure(open(stranger, chatId, attachment.id))).toMatchObject({ code: 'not_found' });
  });

  it('is what keepsOriginals says of each store', () => {
    for (const id of ['local', 'openai', 'azure'] as FileStoreId[]) {
      expect(typeof deps.fileStores(id).files.read === 'function', id).toBe(keepsOriginals(id));
    }
    expect(keepsOriginals('s3')).toBe(false);
  });
});

describe('message attachments', () => {
  it('say whether their original can be opened', async () => {
    const local = await stored(user, 'kept here');
    const remote = await stored(user, 'kept there', { model: 'gpt-test' });
    const db = await getDb();
    for (const { chatId, attachment } of [local, remote]) {
      const [message] = await db
        .insert(messages)
        .values({
          tenantId: user.caller.tenantId,
          chatId,
          role: 'user',
          content: 'see the file',
          requestId: randomUUID(),
        })
        .returning();
      await db.insert(messageAttachments).values({
        tenantId: user.caller.tenantId,
        chatId,
        messageId: message?.id as string,
        attachmentId: attachment.id,
      });
      const page = await listMessages(db, user.caller, chatId, {});
      expect(page.items[0]?.attachments).toEqual([
        expect.objectContaining({ attachment_id: attachment.id, can_open: attachment.can_open }),
      ]);
    }
    expect([local.attachment.can_open, remote.attachment.can_open]).toEqual([true, false]);
  });
});

describe("the local store's read", () => {
  const store = () => createLocalFileStore({ db: getDb, storageDir: deps.storageDir });
  const read = (id: string, range?: { start: number; end: number }) => {
    const files = store().files;
    if (!files.read) throw new Error('the local store reads files back');
    return files.read(id, range);
  };

  async function put(content: Buffer) {
    const id = `${randomUUID()}_${randomUUID()}.bin`;
    await writeFile(path.join(deps.storageDir, id), content);
    return id;
  }

  /** The open descriptors of this process that point at `file` (Linux). */
  async function descriptorsOn(file: string) {
    let count = 0;
    for (const fd of await readdir('/proc/self/fd')) {
      if ((await readlink(`/proc/self/fd/${fd}`).catch(() => '')) === file) count++;
    }
    return count;
  }

  it('streams a large file in small pieces, never holding it whole', async () => {
    const big = Buffer.alloc(3 * 1024 * 1024, 7);
    const id = await put(big);
    const { size, body } = await read(id);
    expect(size).toBe(big.length);
    const reader = body.getReader();
    const pieces: number[] = [];
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      pieces.push(chunk.value.byteLength);
    }
    expect(pieces.reduce((a, b) => a + b, 0)).toBe(big.length);
    expect(Math.max(...pieces)).toBeLessThanOrEqual(64 * 1024);
  });

  it('reads the bytes of a range, and refuses one outside the file', async () => {
    const id = await put(Buffer.from('abcdefghij'));
    const { size, body } = await read(id, { start: 2, end: 5 });
    expect(size).toBe(10);
    expect(await new Response(body).text()).toBe('cdef');
    await expect(read(id, { start: 5, end: 10 })).rejects.toMatchObject({ status: 416 });
  });

  it('answers 404 for a missing file or a name that could leave the folder', async () => {
    await expect(read(`${randomUUID()}.txt`)).rejects.toMatchObject({ status: 404 });
    await expect(read('../secret.txt')).rejects.toMatchObject({ status: 404 });
  });

  it('finishes sending a file deleted after it was opened', async () => {
    const id = await put(Buffer.from('still here'));
    const { body } = await read(id);
    await rm(path.join(deps.storageDir, id));
    expect(await new Response(body).text()).toBe('still here');
  });

  it.runIf(process.platform === 'linux')('closes the file when the reader stops early', async () => {
    const id = await put(Buffer.alloc(1024 * 1024, 1));
    const file = path.join(deps.storageDir, id);
    const { body } = await read(id);
    const reader = body.getReader();
    await reader.read();
    expect(await descriptorsOn(file)).toBe(1);
    await reader.cancel();
    await expect.poll(() => descriptorsOn(file)).toBe(0);
  });
});
