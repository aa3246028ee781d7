import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadFile } from '@/lib/attachments/upload/upload-file';
import { attachments, localVectorStoreFiles } from '@/lib/db/schema';
import { createLocalFileStore, searchLocalStore } from '@/lib/file-stores/local';
import type { FileStore } from '@/lib/file-stores/ports';
import { getDb } from '@/lib/runtime';
import { fileInput, makeChat, makeDeps } from '@/tests/support/attachments';
import { makeUser } from '@/tests/support/fixtures';
import { docxBomb, longDocx, longPdf, pdfBomb, pptxBomb } from '@/tests/support/hostile-files';

/**
 * Decompression bombs must not reach the process that serves everyone: while one is read, this
 * process's event loop keeps turning and its memory stays where it was, and the file ends
 * `failed` with `document_too_complex`. Long honest documents still index.
 */

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
// Generous: the machine is shared and busy. Unprotected, the DOCX bomb alone blocks the loop for
// seconds and adds hundreds of MB.
const MAX_LOOP_DELAY_MS = 1000;
const MAX_GROWTH_MB = 150;
const SLOW = 180_000;

/** Runs `work` while watching this process: the longest event-loop stall and the RSS growth. */
async function watched<T>(work: () => Promise<T>) {
  const delay = monitorEventLoopDelay({ resolution: 10 });
  const before = process.memoryUsage().rss;
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  delay.enable();
  try {
    const result = await work();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { result, loopMaxMs: delay.max / 1e6, growthMb: (peak - before) / 1024 / 1024 };
  } finally {
    delay.disable();
    clearInterval(sampler);
  }
}

describe('the local index, given hostile documents', () => {
  let root: string;
  let provider: FileStore;
  beforeAll(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), 'mini-chat-hostile-'));
    provider = createLocalFileStore({ db: getDb, storageDir: root });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  async function add(ext: string, content: Buffer) {
    const vs = await provider.vectorStores.create();
    const { providerFileId } = await provider.files.upload({
      filename: `${randomUUID()}_${randomUUID()}.${ext}`,
      contentType: 'application/octet-stream',
      body: (async function* () {
        yield content;
      })(),
    });
    const watch = await watched(() =>
      provider.vectorStores.addFile(vs, providerFileId, { attachment_id: randomUUID() }),
    );
    return { vs, fileId: providerFileId, ...watch };
  }

  it.each([
    ['DOCX of 60 MB of paragraphs', 'docx', () => docxBomb(60)],
    ['DOCX of 200 MB of one text run', 'docx', () => docxBomb(200, 'one run')],
    ['PPTX declaring 1 KiB and holding 200 MB', 'pptx', () => pptxBomb(200)],
    ['PDF page of 400 MB', 'pdf', () => pdfBomb(400)],
  ])(
    'a %s ends failed with document_too_complex, and this process never feels it',
    async (_name, ext, build) => {
      const bomb = build();
      expect(bomb.length).toBeLessThan(512 * 1024);
      const { vs, fileId, loopMaxMs, growthMb } = await add(ext, bomb);
      expect(await provider.vectorStores.fileStatus(vs, fileId)).toEqual({
        status: 'failed',
        error: 'document_too_complex',
      });
      const [row] = await (await getDb())
        .select()
        .from(localVectorStoreFiles)
        .where(and(eq(localVectorStoreFiles.vectorStoreId, vs), eq(localVectorStoreFiles.fileId, fileId)));
      expect(row?.lastError).toBe('document_too_complex');
      expect(loopMaxMs).toBeLessThan(MAX_LOOP_DELAY_MS);
      expect(growthMb).toBeLessThan(MAX_GROWTH_MB);
    },
    SLOW,
  );

  it(
    'long honest documents of several MB still index, to their last word',
    async () => {
      for (const [ext, content] of [
        ['docx', longDocx(6000, 'Zanzibar closes the document.')],
        ['pdf', longPdf(400, 'Zanzibar closes the document.')],
      ] as const) {
        expect(content.length).toBeGreaterThan(2 * 1024 * 1024);
        const { vs, fileId } = await add(ext, content);
        expect(await provider.vectorStores.fileStatus(vs, fileId)).toEqual({ status: 'completed' });
        expect(await searchLocalStore(await getDb(), vs, 'zanzibar')).toEqual([
          expect.objectContaining({
            fileId,
            content: expect.stringContaining('Zanzibar closes the document.'),
          }),
        ]);
      }
    },
    SLOW,
  );
});

describe('uploading a hostile document to a keyless chat', () => {
  it(
    'answers 201 as uploaded, then ends failed with document_too_complex while this process stays responsive',
    async () => {
      const deps = await makeDeps(undefined);
      const user = await makeUser();
      const chatId = await makeChat(user, 'offline');
      const bomb = docxBomb(60);
      const { attachment, indexing } = await uploadFile(
        deps,
        user.caller,
        chatId,
        fileInput(bomb, { filename: 'innocent.docx', type: DOCX }),
      );
      expect(attachment).toMatchObject({ status: 'uploaded', kind: 'document', size_bytes: bomb.length });

      const { loopMaxMs, growthMb } = await watched(async () => indexing?.());
      const [row] = await (await getDb()).select().from(attachments).where(eq(attachments.id, attachment.id));
      expect(row).toMatchObject({ status: 'failed', errorCode: 'document_too_complex', provider: 'local' });
      expect(loopMaxMs).toBeLessThan(MAX_LOOP_DELAY_MS);
      expect(growthMb).toBeLessThan(MAX_GROWTH_MB);
    },
    SLOW,
  );

  it(
    'a PPTX bomb and a long honest DOCX side by side: one fails, the other becomes ready',
    async () => {
      // Real waits: the two race to create the chat's index, and the loser waits for the winner.
      const deps = { ...(await makeDeps(undefined)), sleep: undefined };
      const user = await makeUser();
      const chatId = await makeChat(user, 'offline');
      const [bomb, honest] = await Promise.all([
        uploadFile(
          deps,
          user.caller,
          chatId,
          fileInput(pptxBomb(200), { filename: 'deck.pptx', type: PPTX }),
        ),
        uploadFile(
          deps,
          user.caller,
          chatId,
          fileInput(longDocx(6000, 'Zanzibar closes the document.'), { filename: 'long.docx', type: DOCX }),
        ),
      ]);
      await Promise.all([bomb.indexing?.(), honest.indexing?.()]);
      const rows = await (await getDb()).select().from(attachments).where(eq(attachments.chatId, chatId));
      const byId = new Map(rows.map((r) => [r.id, r]));
      expect(byId.get(bomb.attachment.id)).toMatchObject({
        status: 'failed',
        errorCode: 'document_too_complex',
      });
      expect(byId.get(honest.attachment.id)).toMatchObject({ status: 'ready', errorCode: null });
    },
    SLOW,
  );
});
