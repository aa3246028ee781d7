import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { resolveUploadContext } from '@/lib/attachments/context';
import { storedFilename } from '@/lib/attachments/mime';
import { getAttachment } from '@/lib/attachments/service';
import { admitUpload, resolveFileStore, resolveType } from '@/lib/attachments/upload/admit';
import { finishUpload } from '@/lib/attachments/upload/finish';
import { insertPending, settleUpload } from '@/lib/attachments/upload/pending';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { deleteChat } from '@/lib/chats/service';
import { attachments } from '@/lib/db/schema';
import { authorize } from '@/lib/policy';
import { getDb } from '@/lib/runtime';
import { fakeOpenAIForFile, fileInput, makeChat, makeDeps, type TestDeps } from '@/tests/support/attachments';
import type { FakeOpenAI } from '@/tests/support/fake-openai';
import { failure, makeUser, type TestUser } from '@/tests/support/fixtures';
import { png } from '@/tests/support/sample-files';

// The upload stages driven the way an upload spread over several requests would: a session that
// declares its file and size, bytes the caller stores itself, then settling and finishing.

let fake: FakeOpenAI;
let deps: TestDeps;
let user: TestUser;

const server = fakeOpenAIForFile();
beforeEach(async () => {
  fake = server();
  deps = await makeDeps(fake);
  user = await makeUser();
});

const rowOf = async (id: string) =>
  (await (await getDb()).select().from(attachments).where(eq(attachments.id, id)))[0];

/** What a session start does: the declared file admitted and its pending row written. */
async function startSession(
  chatId: string,
  declared: { filename: string; contentType: string; size: number },
) {
  const scope = authorize(user.caller, 'attachment.upload');
  const ctx = await resolveUploadContext(deps, scope, chatId);
  admitUpload(ctx, declared.size);
  const file = resolveType(deps, ctx, declared, declared.size);
  const fileStore = resolveFileStore(deps, ctx.provider);
  const row = await insertPending(
    deps,
    { tenantId: scope.tenantId, chatId: ctx.chat.id, userId: scope.userId },
    { file, fileStore, estimate: declared.size },
  );
  return { file, fileStore, row };
}

/** The caller storing the whole file itself, under the row's structured name. */
async function storeItself(session: Awaited<ReturnType<typeof startSession>>, bytes: Buffer) {
  const { providerFileId } = await session.fileStore.files.upload({
    filename: storedFilename(session.row.chatId, session.row.id, session.file.rule),
    contentType: session.file.rule.mime,
    body: (async function* () {
      yield bytes;
    })(),
  });
  return { providerFileId, size: bytes.length };
}

describe('the upload stages from a second entry point', () => {
  it('reserves the declared size, then settles the exact one and hands the document to indexing', async () => {
    const chatId = await makeChat(user);
    const text = Buffer.from('Chunked uploads end here.\n'.repeat(40));
    const session = await startSession(chatId, {
      filename: 'notes.txt',
      contentType: 'text/plain',
      size: text.length + 10,
    });
    expect(await rowOf(session.row.id)).toMatchObject({ status: 'pending', sizeBytes: text.length + 10 });

    const stored = await storeItself(session, text);
    const uploaded = await settleUpload(deps, session.fileStore, session.row, stored);
    expect(uploaded).toMatchObject({ status: 'uploaded', sizeBytes: text.length });
    const { attachment, indexing } = await finishUpload(deps, session.fileStore, uploaded, null);
    expect(attachment).toMatchObject({ id: session.row.id, status: 'uploaded', size_bytes: text.length });
    await indexing?.();
    expect((await getAttachment(deps, user.caller, chatId, session.row.id)).status).toBe('ready');
    expect(fake.state().vectorStores[0]?.files).toEqual([
      { id: stored.providerFileId, status: 'completed', attributes: { attachment_id: session.row.id } },
    ]);
  });

  it('makes an image ready with a thumbnail from the bytes the caller hands over', async () => {
    const chatId = await makeChat(user);
    const image = await png(64, 48);
    const session = await startSession(chatId, {
      filename: 'dot.png',
      contentType: 'image/png',
      size: image.length,
    });
    const stored = await storeItself(session, image);
    const uploaded = await settleUpload(deps, session.fileStore, session.row, stored);
    const { attachment, indexing } = await finishUpload(deps, session.fileStore, uploaded, image);
    expect(indexing).toBeUndefined();
    expect(attachment).toMatchObject({ status: 'ready', kind: 'image' });
    expect(attachment.img_thumbnail).toMatchObject({ content_type: 'image/webp', width: 64, height: 48 });
  });

  it('refuses at settling a file larger than declared that breaks the chat total, deleting it', async () => {
    deps = await makeDeps(fake, { maxTotalBytesPerChat: 1024 * 1024 });
    const chatId = await makeChat(user);
    const session = await startSession(chatId, {
      filename: 'big.txt',
      contentType: 'text/plain',
      size: 1024,
    });
    // Another upload lands while this one's bytes are on their way.
    await uploadFile(deps, user.caller, chatId, fileInput(Buffer.alloc(900 * 1024, 'a')));
    const stored = await storeItself(session, Buffer.alloc(200 * 1024, 'b'));
    const err = await failure(settleUpload(deps, session.fileStore, session.row, stored));
    expect(err).toMatchObject({ code: 'storage_limit_exceeded', status: 400 });
    expect(await rowOf(session.row.id)).toMatchObject({
      status: 'failed',
      errorCode: 'storage_limit_exceeded',
      sizeBytes: 200 * 1024,
    });
    expect(fake.state().files.map((f) => f.id)).not.toContain(stored.providerFileId);
    expect(deps.metrics.count('document', 'storage_limit_exceeded')).toBe(1);
  });

  it('refuses at settling when the chat went meanwhile, deleting the stored file', async () => {
    const chatId = await makeChat(user);
    const session = await startSession(chatId, { filename: 'a.txt', contentType: 'text/plain', size: 5 });
    const stored = await storeItself(session, Buffer.from('hello'));
    await deleteChat(await getDb(), user.caller, chatId);
    const err = await failure(settleUpload(deps, session.fileStore, session.row, stored));
    expect(err.code).toBe('not_found');
    expect(fake.state().files).toHaveLength(0);
    expect(deps.metrics.count('document', 'deleted')).toBe(1);
  });
});
