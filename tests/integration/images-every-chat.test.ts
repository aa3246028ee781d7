import { eq } from 'drizzle-orm';
import { beforeEach, describe, expect, it } from 'vitest';
import { getUploadLimits } from '@/lib/attachments/limits';
import { getAttachment } from '@/lib/attachments/service';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { attachments, messages, tenantSettings } from '@/lib/db/schema';
import type { ModelInput } from '@/lib/llm/ports';
import { listMessages } from '@/lib/messages/service';
import { getDb } from '@/lib/runtime';
import { sendMessage } from '@/lib/turns/service';
import { fakeOpenAIForFile, fileInput, makeChat, type TestDeps } from '@/tests/support/attachments';
import type { FakeOpenAI } from '@/tests/support/fake-openai';
import { failure, type TestUser } from '@/tests/support/fixtures';
import { blackPng } from '@/tests/support/hostile-files';
import { jpeg, pdf, png } from '@/tests/support/sample-files';
import { answerOf, GRAMMAR, names, readEvents, type TestTurnDeps, turnBed } from '@/tests/support/turns';

/*
 * Images are accepted in every chat, whatever its model. A model without vision gets the message's
 * text only; the images stay attached to the message and the answer records that its model did
 * not see them. Every check on an image's bytes holds on such a model exactly as on one with vision.
 */

let fake: FakeOpenAI;
let files: TestDeps;
let deps: TestTurnDeps;
let user: TestUser;
/** What each turn handed its model, whichever the model. */
let inputs: ModelInput[];

const server = fakeOpenAIForFile();
beforeEach(async () => {
  ({ fake, files, deps, user } = await turnBed(server()));
  inputs = [];
  const build = deps.chatModel;
  deps.chatModel = (model) => {
    const inner = build(model);
    return {
      stream: (input, signal) => {
        inputs.push(input);
        return inner.stream(input, signal);
      },
    };
  };
});

const upload = (chatId: string, ...args: Parameters<typeof fileInput>) =>
  uploadFile(files, user.caller, chatId, fileInput(...args));

async function uploadReady(chatId: string, ...args: Parameters<typeof fileInput>) {
  const outcome = await upload(chatId, ...args);
  await outcome.indexing?.();
  return getAttachment(files, user.caller, chatId, outcome.attachment.id);
}

const rowsOf = async (chatId: string) =>
  (await getDb()).select().from(attachments).where(eq(attachments.chatId, chatId));

async function send(chatId: string, body: Record<string, unknown>) {
  const turn = await sendMessage(deps, user.caller, chatId, body);
  const events = await readEvents(turn.body);
  await turn.finished;
  return events;
}

const responsesBody = () =>
  fake.requests.filter((r) => r.endpoint === 'responses.create').at(-1)?.body as {
    instructions: string;
    input: { role: string; content: unknown }[];
  };

describe('uploading images to the offline model, which has no vision', () => {
  it('accepts a PNG and a JPEG, ready at once with a thumbnail, and says the model will not see them', async () => {
    const chatId = await makeChat(user, 'offline');
    const limits = await getUploadLimits(files, user.caller, chatId);
    expect(limits).toMatchObject({ images_enabled: true, model_sees_images: false });
    expect(limits.accepted_types.filter((t) => t.kind === 'image').map((t) => t.mime)).toEqual([
      'image/png',
      'image/jpeg',
      'image/webp',
      'image/gif',
    ]);

    for (const [bytes, filename, type] of [
      [await png(256, 128), 'chart.png', 'image/png'],
      [await jpeg(200, 100), 'photo.jpg', 'image/jpeg'],
    ] as const) {
      const { attachment, indexing } = await upload(chatId, bytes, { filename, type });
      expect(indexing).toBeUndefined();
      expect(attachment).toMatchObject({ status: 'ready', kind: 'image', content_type: type });
      expect(attachment.img_thumbnail).toMatchObject({ content_type: 'image/webp', width: 128, height: 64 });
    }
    // Kept in the chat's own store, like its documents.
    expect((await rowsOf(chatId)).map((row) => row.provider)).toEqual(['local', 'local']);
  });

  it('refuses bytes that are not the PNG they claim to be: 415 content_type_mismatch, nothing kept', async () => {
    const chatId = await makeChat(user, 'offline');
    const notPng = Buffer.concat([Buffer.from('GIF89a'), Buffer.alloc(2000, 7)]);
    const err = await failure(upload(chatId, notPng, { filename: 'cat.png', type: 'image/png' }));
    expect(err).toMatchObject({ code: 'content_type_mismatch', status: 415 });
    expect(await rowsOf(chatId)).toEqual([]);
  });

  it('refuses an image over the image limit with 413 from its Content-Length, before reading its bytes', async () => {
    const chatId = await makeChat(user, 'offline');
    let pulled = false;
    const err = await failure(
      uploadFile(files, user.caller, chatId, {
        // Under the document limit, over the image one: the declared type decides.
        sizeHint: 6 * 1024 * 1024,
        openFile: async () => ({
          filename: 'huge.png',
          contentType: 'image/png',
          body: (async function* () {
            pulled = true;
            yield new Uint8Array(1);
          })(),
        }),
      }),
    );
    expect(err).toMatchObject({
      code: 'file_too_large',
      status: 413,
      extensions: { max_bytes: 5 * 1024 * 1024 },
    });
    expect(pulled).toBe(false);
    expect(await rowsOf(chatId)).toEqual([]);
  });

  it('refuses an SVG, by its type or by its name: 415 unsupported_file_type', async () => {
    const chatId = await makeChat(user, 'offline');
    const svg = '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>';
    for (const type of ['image/svg+xml', 'application/octet-stream']) {
      const err = await failure(upload(chatId, svg, { filename: 'logo.svg', type }));
      expect(err, type).toMatchObject({ code: 'unsupported_file_type', status: 415 });
    }
    expect(await rowsOf(chatId)).toEqual([]);
  });

  it('keeps a pixel bomb without decoding it: ready, with no thumbnail', async () => {
    const chatId = await makeChat(user, 'offline');
    const bomb = blackPng(20_000, 20_000);
    const { attachment } = await upload(chatId, bomb, { filename: 'bomb.png', type: 'image/png' });
    expect(attachment).toMatchObject({ status: 'ready', kind: 'image', size_bytes: bomb.length });
    expect(attachment.img_thumbnail).toBeUndefined();
  });

  it('refuses images the tenant turned off: 403 images_disabled', async () => {
    await (await getDb())
      .insert(tenantSettings)
      .values({ tenantId: user.caller.tenantId, disableImages: true });
    const chatId = await makeChat(user, 'offline');
    const err = await failure(upload(chatId, await png(), { filename: 'a.png', type: 'image/png' }));
    expect(err).toMatchObject({ code: 'images_disabled', status: 403 });
    expect((await getUploadLimits(files, user.caller, chatId)).images_enabled).toBe(false);
  });
});

describe('sending images to a model without vision', () => {
  it('the offline model answers the text from the documents, and the answer keeps a note of the unseen image', async () => {
    const chatId = await makeChat(user, 'offline');
    const doc = await uploadReady(chatId, pdf('The warranty lasts two years from delivery'), {
      filename: 'warranty.pdf',
      type: 'application/pdf',
    });
    const photo = await uploadReady(chatId, await jpeg(), {
      filename: 'broken-kettle.jpg',
      type: 'image/jpeg',
    });
    const requestId = crypto.randomUUID();
    const body = {
      content: 'How long is the warranty?',
      request_id: requestId,
      attachment_ids: [doc.id, photo.id],
    };

    const events = await send(chatId, body);
    expect(names(events).join(' ')).toMatch(GRAMMAR);
    expect(events[0]).toMatchObject({ event: 'stream_started', data: { unseen_images: 1 } });
    expect(events.at(-1)?.event).toBe('done');
    expect(inputs).toHaveLength(1);
    expect(inputs[0]?.user).toEqual({ text: 'How long is the warranty?', imageFileIds: [] });
    const answer = answerOf(events);
    expect(answer).toContain('The warranty lasts two years');
    // It quotes documents; it does not pretend to have looked at the photo.
    expect(answer).not.toContain('broken-kettle');
    expect(events.find((e) => e.event === 'citations')?.data.items).toEqual([
      expect.objectContaining({ attachment_id: doc.id }),
    ]);

    // Stored: a reload shows the image on the question and the note on the answer.
    const [question, reply] = (await listMessages(await getDb(), user.caller, chatId, {})).items;
    expect(
      question?.attachments.map((a) =>
        'filename' in a ? [a.filename, a.kind, Boolean(a.img_thumbnail)] : a,
      ),
    ).toEqual([
      ['warranty.pdf', 'document', false],
      ['broken-kettle.jpg', 'image', true],
    ]);
    expect(question?.unseen_images).toBeUndefined();
    expect(reply).toMatchObject({ role: 'assistant', state: 'completed', unseen_images: 1 });
    expect((await getAttachment(files, user.caller, chatId, photo.id)).locked).toBe(true);

    // The same request again is replayed from what was stored, note included.
    const replayed = await send(chatId, body);
    expect(replayed[0]).toMatchObject({
      event: 'stream_started',
      data: { is_new_turn: false, unseen_images: 1 },
    });
    expect(inputs).toHaveLength(1);
  });

  it('a model without vision gets the text and is told about the images; none goes in its input', async () => {
    const chatId = await makeChat(user, 'gpt-blind');
    const images = [
      await uploadReady(chatId, await png(), { filename: 'a.png', type: 'image/png' }),
      await uploadReady(chatId, await jpeg(), { filename: 'b.jpg', type: 'image/jpeg' }),
    ];
    const events = await send(chatId, {
      content: 'What is in these?',
      attachment_ids: images.map((i) => i.id),
    });
    expect(events[0]).toMatchObject({ event: 'stream_started', data: { unseen_images: 2 } });
    expect(events.at(-1)?.event).toBe('done');
    const request = responsesBody();
    expect(request.input.at(-1)).toEqual({
      role: 'user',
      content: [{ type: 'input_text', text: 'What is in these?' }],
    });
    expect(request.instructions).toMatch(/attached 2 images to their message; you cannot see images/);
    const [, reply] = (await listMessages(await getDb(), user.caller, chatId, {})).items;
    expect(reply?.unseen_images).toBe(2);
  });

  it('a model with vision still gets the images, and its answer carries no note', async () => {
    const chatId = await makeChat(user, 'gpt-test');
    const image = await uploadReady(chatId, await png(), { filename: 'chart.png', type: 'image/png' });
    const events = await send(chatId, { content: 'Describe the chart', attachment_ids: [image.id] });
    expect(events[0]?.data).not.toHaveProperty('unseen_images');
    const [row] = await (await getDb()).select().from(attachments).where(eq(attachments.id, image.id));
    expect(inputs[0]?.user.imageFileIds).toEqual([row?.providerFileId]);
    const request = responsesBody();
    expect(request.input.at(-1)?.content).toContainEqual(
      expect.objectContaining({ type: 'input_image', file_id: row?.providerFileId }),
    );
    expect(request.instructions).not.toMatch(/cannot see/);
    const stored = await (await getDb()).select().from(messages).where(eq(messages.chatId, chatId));
    expect(stored.map((m) => m.unseenImages)).toEqual([null, null]);
  });
});
