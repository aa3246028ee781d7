import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { and, eq } from 'drizzle-orm';
import { strToU8, zipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localVectorStoreFiles } from '@/lib/db/schema';
import { createLocalFileStore, explainLocalSearch, searchLocalStore } from '@/lib/file-stores/local';
import { chunkPages, chunkText } from '@/lib/file-stores/local/sandbox/chunk.mjs';
import type { FileStore } from '@/lib/file-stores/ports';
import { getDb } from '@/lib/runtime';
import { expectProviderError, streamOf, structuredName } from '@/tests/support/file-stores';
import { pdf } from '@/tests/support/sample-files';

let root: string;
let storageDir: string;
let provider: FileStore;

beforeAll(async () => {
  root = await mkdtemp(path.join(os.tmpdir(), 'mini-chat-local-'));
  // Not created yet: the first upload must create it.
  storageDir = path.join(root, 'files', 'nested');
  provider = createLocalFileStore({ db: getDb, storageDir });
});

afterAll(() => rm(root, { recursive: true, force: true }));

async function upload(ext: string, content: string | Uint8Array): Promise<string> {
  const { providerFileId } = await provider.files.upload({
    filename: structuredName(ext),
    contentType: 'application/octet-stream',
    body: streamOf(content),
  });
  return providerFileId;
}

/** Uploads and indexes a file; returns its provider file id. */
async function addDocument(
  vectorStoreId: string,
  ext: string,
  content: string | Uint8Array,
  attachmentId: string = randomUUID(),
): Promise<string> {
  const fileId = await upload(ext, content);
  await provider.vectorStores.addFile(vectorStoreId, fileId, { attachment_id: attachmentId });
  return fileId;
}

async function storeFileRow(vectorStoreId: string, fileId: string) {
  const db = await getDb();
  const [row] = await db
    .select()
    .from(localVectorStoreFiles)
    .where(
      and(eq(localVectorStoreFiles.vectorStoreId, vectorStoreId), eq(localVectorStoreFiles.fileId, fileId)),
    );
  return row;
}

async function search(
  vectorStoreId: string,
  query: string,
  options?: { attachmentIds?: string[]; limit?: number },
) {
  return searchLocalStore(await getDb(), vectorStoreId, query, options);
}

const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';

function docx(paragraphs: string[]): Uint8Array {
  const body = paragraphs.map((p) => `<w:p><w:r><w:t>${p}</w:t></w:r></w:p>`).join('');
  return zipSync({
    '[Content_Types].xml': strToU8(
      `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
    ),
    '_rels/.rels': strToU8(
      `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>`,
    ),
    'word/document.xml': strToU8(
      `${XML}<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>${body}</w:body></w:document>`,
    ),
  });
}

/** Slides keyed by number; each slide is a list of paragraphs, each a list of text runs. */
function pptx(slides: Record<number, string[][]>): Uint8Array {
  const files: Record<string, Uint8Array> = {
    '[Content_Types].xml': strToU8(
      `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`,
    ),
  };
  for (const [n, paragraphs] of Object.entries(slides)) {
    const body = paragraphs
      .map(
        (runs) =>
          `<a:p>${runs.map((run) => `<a:r><a:rPr lang="en-US"/><a:t>${run}</a:t></a:r>`).join('')}</a:p>`,
      )
      .join('');
    files[`ppt/slides/slide${n}.xml`] = strToU8(
      `${XML}<p:sld xmlns:a="http://schemas.openxmlformats.org/drawingml/2006/main" xmlns:p="http://schemas.openxmlformats.org/presentationml/2006/main"><p:cSld><p:spTree><p:sp><p:txBody>${body}</p:txBody></p:sp></p:spTree></p:cSld></p:sld>`,
    );
  }
  return zipSync(files);
}

describe('local provider: file storage', () => {
  it('streams the body to storageDir/<filename>, chunk by chunk, with exactly its bytes', async () => {
    const filename = structuredName('bin');
    const parts = Array.from({ length: 16 }, () => randomBytes(64 * 1024));
    const partialSizes: number[] = [];
    async function* body() {
      for (const [i, part] of parts.entries()) {
        if (i > 0) {
          // The previous chunk is already on disk, in the temp file, while the body is still going.
          const [temp] = (await readdir(storageDir)).filter((name) => name.endsWith('.part'));
          partialSizes.push((await stat(path.join(storageDir, temp as string))).size);
        }
        yield part;
      }
    }
    const stored = await provider.files.upload({
      filename,
      contentType: 'application/octet-stream',
      body: body(),
    });

    expect(stored).toEqual({ providerFileId: filename });
    expect(partialSizes).toEqual(parts.slice(1).map((_, i) => (i + 1) * 64 * 1024));
    expect(Buffer.compare(await readFile(path.join(storageDir, filename)), Buffer.concat(parts))).toBe(0);
    expect((await readdir(storageDir)).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('refuses names that could leave the storage folder', async () => {
    const bad = ['../escape.txt', 'a/b.txt', 'a\\b.txt', 'a\0b.txt', '..', '.hidden.txt', 'x..y.txt', ''];
    for (const filename of bad) {
      let consumed = false;
      async function* body() {
        consumed = true;
        yield strToU8('x');
      }
      await expectProviderError(
        provider.files.upload({ filename, contentType: 'text/plain', body: body() }),
        'upload_failed',
      );
      expect(consumed).toBe(false);
    }
    expect(await readdir(path.dirname(storageDir))).toEqual(['nested']);
  });

  it('deletes idempotently, and a malformed id never touches anything outside the folder', async () => {
    const fileId = await upload('txt', 'to be deleted');
    await provider.files.delete(fileId);
    await expect(stat(path.join(storageDir, fileId))).rejects.toMatchObject({ code: 'ENOENT' });
    await provider.files.delete(fileId);

    const outside = path.join(root, 'outside.txt');
    await writeFile(outside, 'keep me');
    await provider.files.delete('../../outside.txt');
    expect(await readFile(outside, 'utf8')).toBe('keep me');
  });
});

describe('local provider: indexing and search', () => {
  it('indexes plain text and markdown', async () => {
    const vs = await provider.vectorStores.create();
    expect(vs).toMatch(/^lvs_[0-9a-f-]{36}$/);
    const txt = await addDocument(vs, 'txt', 'Shipping takes five business days.');
    const md = await addDocument(vs, 'md', '# Warranty\n\nThe **warranty** lasts two years.');
    expect(await provider.vectorStores.fileStatus(vs, txt)).toEqual({ status: 'completed' });
    expect(await provider.vectorStores.fileStatus(vs, md)).toEqual({ status: 'completed' });

    expect(await search(vs, 'shipping')).toEqual([
      expect.objectContaining({ fileId: txt, content: 'Shipping takes five business days.', seq: 0 }),
    ]);
    const [hit] = await search(vs, 'How long is the warranty?');
    expect(hit).toMatchObject({ fileId: md, content: '# Warranty\n\nThe **warranty** lasts two years.' });
    expect(hit?.score).toBeGreaterThan(0);
  });

  it('indexes the visible text of HTML, never scripts or styles', async () => {
    const vs = await provider.vectorStores.create();
    const html = `<!DOCTYPE html><html><head><title>Returns</title><style>.zebracss { color: red }</style>
      <script>var secret = "scriptonly"; if (a < b) {}</script></head>
      <body><h1>Returns</h1><p>Refunds &amp; exchanges within 30&nbsp;days &#8212; no&nbsp;questions.</p>
      <!-- commentonly --><p>Bring the<br>receipt.</p></body></html>`;
    const fileId = await addDocument(vs, 'html', html);
    expect(await provider.vectorStores.fileStatus(vs, fileId)).toEqual({ status: 'completed' });
    for (const hidden of ['scriptonly', 'secret', 'zebracss', 'commentonly']) {
      expect(await search(vs, hidden)).toEqual([]);
    }
    const [hit] = await search(vs, 'exchanges');
    expect(hit?.content).toBe(
      'Returns\n\nReturns\n\nRefunds & exchanges within 30 days — no questions.\n\nBring the\nreceipt.',
    );
  });

  it('indexes PDF, DOCX and PPTX', async () => {
    const vs = await provider.vectorStores.create();
    const pdfId = await addDocument(vs, 'pdf', pdf('Hello refund policy'));
    const docxId = await addDocument(
      vs,
      'docx',
      docx(['Warranty covers hinges.', 'Tom &amp; Jerry sign off.']),
    );
    const pptxId = await addDocument(
      vs,
      'pptx',
      pptx({
        10: [['Tenth slide closes']],
        2: [['Second slide: ', 'roadmap'], ['Milestones &amp; risks']],
        1: [['Opening slide']],
      }),
    );
    for (const id of [pdfId, docxId, pptxId])
      expect(await provider.vectorStores.fileStatus(vs, id)).toEqual({ status: 'completed' });

    expect(await search(vs, 'refund')).toEqual([
      expect.objectContaining({ fileId: pdfId, content: 'Hello refund policy' }),
    ]);
    expect(await search(vs, 'hinges')).toEqual([
      expect.objectContaining({
        fileId: docxId,
        content: 'Warranty covers hinges.\n\nTom & Jerry sign off.',
      }),
    ]);
    expect(await search(vs, 'roadmap')).toEqual([
      expect.objectContaining({
        fileId: pptxId,
        // Slides in number order (10 after 2), a slide's runs joined, its paragraphs on lines.
        content: 'Opening slide\n\nSecond slide: roadmap\nMilestones & risks\n\nTenth slide closes',
      }),
    ]);
  });

  it('records the page each PDF passage starts on; other documents have none', async () => {
    const vs = await provider.vectorStores.create();
    const page = (n: number) =>
      `Page ${n} opens. ${'Filler words keep this page going. '.repeat(25)}Signpost${n} closes page ${n}.`;
    const pdfId = await addDocument(vs, 'pdf', pdf(page(1), page(2), page(3)));
    const txtId = await addDocument(vs, 'txt', 'Signpost2 is in a text file too.');

    const hits = await search(vs, 'signpost2', { limit: 50 });
    expect(hits).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ fileId: pdfId, page: 2, content: expect.stringMatching(/^Page 2 opens/) }),
        expect.objectContaining({ fileId: txtId }),
      ]),
    );
    expect(hits.find((h) => h.fileId === txtId)).not.toHaveProperty('page');
    const [third] = await search(vs, 'signpost3');
    expect(third).toMatchObject({ fileId: pdfId, page: 3 });
  });

  it('marks what it cannot index as failed, with a short reason', async () => {
    const vs = await provider.vectorStores.create();
    const cases = [
      {
        ext: 'xlsx',
        content: zipSync({ 'xl/workbook.xml': strToU8('<workbook/>') }),
        error: 'unsupported_file',
      },
      { ext: 'png', content: randomBytes(64), error: 'unsupported_file' },
      { ext: 'pdf', content: 'this is not a pdf', error: 'extraction_failed' },
      { ext: 'pptx', content: 'not a zip either', error: 'extraction_failed' },
      { ext: 'txt', content: ' \n\n \t ', error: 'no_text' },
    ];
    for (const { ext, content, error } of cases) {
      const fileId = await addDocument(vs, ext, content);
      expect(await provider.vectorStores.fileStatus(vs, fileId)).toEqual({ status: 'failed' });
      expect(await storeFileRow(vs, fileId)).toMatchObject({ status: 'failed', lastError: error });
    }
  });

  it('answers 404s for unknown stores and files', async () => {
    const vs = await provider.vectorStores.create();
    const fileId = await upload('txt', 'known file');
    await expectProviderError(
      provider.vectorStores.addFile('lvs_missing', fileId, {}),
      'vector_store_failed',
      404,
    );
    await expectProviderError(
      provider.vectorStores.addFile(vs, structuredName('txt'), {}),
      'indexing_failed',
      404,
    );
    await expectProviderError(provider.vectorStores.addFile(vs, '../escape.txt', {}), 'indexing_failed', 404);
    await expectProviderError(provider.vectorStores.fileStatus(vs, fileId), 'indexing_failed', 404);
    await expectProviderError(
      provider.vectorStores.fileStatus('lvs_missing', fileId),
      'indexing_failed',
      404,
    );
  });

  it('re-adding a file replaces its passages and attributes', async () => {
    const vs = await provider.vectorStores.create();
    const filename = structuredName('txt');
    const put = (text: string) =>
      provider.files.upload({ filename, contentType: 'text/plain', body: streamOf(text) });
    await put('The old price list mentions kumquats.');
    await provider.vectorStores.addFile(vs, filename, { attachment_id: 'first' });
    await provider.vectorStores.addFile(vs, filename, { attachment_id: 'first' });
    expect(await search(vs, 'kumquats')).toHaveLength(1);

    await put('The new price list mentions persimmons.');
    await provider.vectorStores.addFile(vs, filename, { attachment_id: 'second' });
    expect(await search(vs, 'kumquats')).toEqual([]);
    expect(await search(vs, 'persimmons')).toEqual([
      expect.objectContaining({ fileId: filename, attachmentId: 'second', seq: 0 }),
    ]);
    expect(await storeFileRow(vs, filename)).toMatchObject({
      status: 'completed',
      attributes: { attachment_id: 'second' },
      lastError: null,
    });
  });

  it('splits long documents into overlapping passages, searchable by seq', async () => {
    const vs = await provider.vectorStores.create();
    const paragraphs = Array.from(
      { length: 12 },
      (_, i) =>
        `Paragraph ${i} opens here. ${'Filler words keep this paragraph going along. '.repeat(6)}Marker${i} ends it.`,
    );
    const fileId = await addDocument(vs, 'md', paragraphs.join('\n\n'));
    const hits = await search(vs, 'marker0 marker11', { limit: 50 });
    expect(hits.map((h) => h.seq)).toEqual([0, Math.max(...hits.map((h) => h.seq))]);
    expect(hits.every((h) => h.fileId === fileId)).toBe(true);
  });

  it('restricts search to the given attachments', async () => {
    const vs = await provider.vectorStores.create();
    const [a, b] = [randomUUID(), randomUUID()];
    const fileA = await addDocument(vs, 'txt', 'Invoices are due in thirty days.', a);
    await addDocument(vs, 'txt', 'Invoices can be paid by card.', b);
    expect(await search(vs, 'invoices')).toHaveLength(2);
    expect(await search(vs, 'invoices', { attachmentIds: [a] })).toEqual([
      expect.objectContaining({ fileId: fileA, attachmentId: a }),
    ]);
    expect(await search(vs, 'invoices', { attachmentIds: [] })).toEqual([]);
    expect(await search(vs, 'invoices', { attachmentIds: [randomUUID()] })).toEqual([]);
  });

  it('matches any word of a question and ranks passages with more of them first', async () => {
    const vs = await provider.vectorStores.create();
    const best = await addDocument(
      vs,
      'txt',
      'Refunds for damaged goods follow our refund policy: full refund in 30 days.',
    );
    const partial = await addDocument(vs, 'txt', 'Our shipping policy covers most goods.');
    await addDocument(vs, 'txt', 'The cafeteria opens at nine.');

    const hits = await search(vs, 'What is our refund policy for damaged goods?');
    expect(hits.map((h) => h.fileId)).toEqual([best, partial]);
    expect(hits[0]?.score).toBeGreaterThan(hits[1]?.score ?? Number.POSITIVE_INFINITY);
    // Stable for equal input.
    expect(await search(vs, 'What is our refund policy for damaged goods?')).toEqual(hits);
  });

  it('orders ties by file then seq, and honours the limit', async () => {
    const vs = await provider.vectorStores.create();
    for (let i = 0; i < 7; i++) await addDocument(vs, 'txt', 'Parking permits are issued monthly.');
    const hits = await search(vs, 'parking');
    expect(hits).toHaveLength(5);
    const ids = hits.map((h) => h.fileId);
    expect(ids).toEqual([...ids].sort());
    expect(await search(vs, 'parking', { limit: 2 })).toEqual(hits.slice(0, 2));
  });

  it('never lets query punctuation break the search', async () => {
    const vs = await provider.vectorStores.create();
    const fileId = await addDocument(vs, 'txt', "The customer's refund was approved.");
    const queries = [
      "'&|!():*",
      "customer's refund",
      'refund & (approved | !denied):* <-> \\ "quoted"',
      "')) or 1=1; --",
      '!!!',
      '',
      '   ',
      'the and of',
      'x'.repeat(5000),
    ];
    for (const query of queries) await expect(search(vs, query)).resolves.toBeInstanceOf(Array);
    expect((await search(vs, "customer's refund")).map((h) => h.fileId)).toEqual([fileId]);
    expect((await search(vs, 'refund & (approved | !denied):*')).map((h) => h.fileId)).toEqual([fileId]);
  });

  it('removeFile and store delete take passages out of search, and both are idempotent', async () => {
    const vs = await provider.vectorStores.create();
    const fileId = await addDocument(vs, 'txt', 'Badges are collected at reception.');
    const other = await addDocument(vs, 'txt', 'Badges expire yearly.');
    await provider.vectorStores.removeFile(vs, fileId);
    await provider.vectorStores.removeFile(vs, fileId);
    await provider.vectorStores.removeFile(vs, structuredName('txt'));
    expect((await search(vs, 'badges')).map((h) => h.fileId)).toEqual([other]);
    await expectProviderError(provider.vectorStores.fileStatus(vs, fileId), 'indexing_failed', 404);

    await provider.vectorStores.delete(vs);
    await provider.vectorStores.delete(vs);
    expect(await search(vs, 'badges')).toEqual([]);
    await expectProviderError(provider.vectorStores.fileStatus(vs, other), 'indexing_failed', 404);
  });

  it('deleting a file detaches it from every store', async () => {
    const [one, two] = [await provider.vectorStores.create(), await provider.vectorStores.create()];
    const fileId = await upload('txt', 'Lockers are emptied on Fridays.');
    await provider.vectorStores.addFile(one, fileId, { attachment_id: 'a' });
    await provider.vectorStores.addFile(two, fileId, { attachment_id: 'a' });
    await provider.files.delete(fileId);
    for (const vs of [one, two]) {
      expect(await search(vs, 'lockers')).toEqual([]);
      await expectProviderError(provider.vectorStores.fileStatus(vs, fileId), 'indexing_failed', 404);
    }
  });

  it('keeps stores apart', async () => {
    const [a, b] = [await provider.vectorStores.create(), await provider.vectorStores.create()];
    const inA = await addDocument(a, 'txt', 'Zebras graze in store A.', 'attachment-a');
    const inB = await addDocument(b, 'txt', 'Zebras graze in store B.', 'attachment-b');
    // One file in both stores keeps each store's own attributes.
    const shared = await upload('txt', 'Zebras are shared.');
    await provider.vectorStores.addFile(a, shared, { attachment_id: 'shared-a' });
    await provider.vectorStores.addFile(b, shared, { attachment_id: 'shared-b' });

    const hitsA = await search(a, 'zebras', { limit: 50 });
    expect(hitsA.map((h) => [h.fileId, h.attachmentId]).sort()).toEqual(
      [
        [inA, 'attachment-a'],
        [shared, 'shared-a'],
      ].sort(),
    );
    expect((await search(b, 'zebras', { limit: 50 })).map((h) => h.fileId).sort()).toEqual(
      [inB, shared].sort(),
    );
    expect(await search(a, 'zebras', { attachmentIds: ['attachment-b'] })).toEqual([]);
  });
});

describe('local provider: search reads only its own store', () => {
  it("reads passages through an index keyed by the store, and never returns another store's", async () => {
    const [mine, other] = [await provider.vectorStores.create(), await provider.vectorStores.create()];
    await addDocument(mine, 'txt', 'Okapis graze at dawn.\n\nGiraffes do not.');
    const crowd = Array.from({ length: 40 }, (_, i) => `Okapi sighting ${i}. ${'More words. '.repeat(80)}`);
    await addDocument(other, 'txt', crowd.join('\n\n'));

    const hits = await search(mine, 'Where do okapis graze?', { limit: 50 });
    expect(hits.map((h) => h.content)).toEqual(['Okapis graze at dawn.\n\nGiraffes do not.']);

    // Every read of the passages goes through an index keyed by this store: an index scan with the
    // store in its condition, never a scan of the table.
    const plan = await explainLocalSearch(await getDb(), mine, 'Where do okapis graze?');
    expect(plan.join('\n')).not.toMatch(/Seq Scan on local_chunks/);
    const scans = plan.flatMap((line, i) => (/Scan.* on local_chunks /.test(line) ? [i] : []));
    expect(scans.length).toBeGreaterThan(0);
    for (const at of scans) {
      expect(plan[at]).toMatch(/Index Scan|Bitmap Heap Scan/);
      expect(plan[at + 1]).toMatch(/^\s*(Index|Recheck) Cond: /);
      expect(plan[at + 1]).toContain(`(vector_store_id)::text = '${mine}'::text`);
    }
  });
});

describe('chunkText', () => {
  const sentence = (i: number) => `Sentence number ${i} talks about topic ${i % 7} in some detail.`;

  it('packs paragraphs into 800–1200 character passages that overlap', () => {
    const paragraphs = Array.from({ length: 30 }, (_, p) =>
      Array.from({ length: 5 }, (_, s) => sentence(p * 5 + s)).join(' '),
    );
    const chunks = chunkText(paragraphs.join('\n\n'));
    expect(chunks.length).toBeGreaterThan(5);
    for (const chunk of chunks) expect(chunk.length).toBeLessThanOrEqual(1200);
    for (const chunk of chunks.slice(0, -1)) expect(chunk.length).toBeGreaterThanOrEqual(800);
    for (const [i, chunk] of chunks.slice(1).entries()) {
      // Each passage opens with whole sentences from the end of the one before.
      const opening = chunk.split(/(?<=\.)\s+/)[0] as string;
      expect((chunks[i] as string).slice(-200)).toContain(opening);
    }
    // Nothing is lost: every sentence appears in some passage.
    for (let i = 0; i < 150; i++) expect(chunks.some((c) => c.includes(sentence(i)))).toBe(true);
  });

  it('cuts at a paragraph break when one is late enough', () => {
    const paragraph = (n: number, sentences: number) =>
      Array.from({ length: sentences }, (_, s) => sentence(n * 100 + s)).join(' ');
    const chunks = chunkText([paragraph(1, 15), paragraph(2, 8)].join('\n\n'));
    expect(chunks[0]).toBe(paragraph(1, 15));
  });

  it('splits text without sentence breaks at spaces, or hard when there are none', () => {
    const words = Array.from({ length: 600 }, (_, i) => `word${i}`).join(' ');
    const wordChunks = chunkText(words);
    expect(wordChunks.length).toBeGreaterThan(1);
    for (const chunk of wordChunks) {
      expect(chunk.length).toBeLessThanOrEqual(1200);
      expect(chunk).toMatch(/^word\d+( word\d+)*$/);
    }
    const blob = 'x'.repeat(5000);
    const blobChunks = chunkText(blob);
    for (const chunk of blobChunks) expect(chunk.length).toBeLessThanOrEqual(1200);
    expect(blobChunks.join('').length).toBeGreaterThanOrEqual(5000);
  });

  it('gives each passage of a paged document the page it starts on', () => {
    const page = (n: number, sentences: number) =>
      Array.from({ length: sentences }, (_, s) => sentence(n * 100 + s)).join(' ');
    // Page 1 is too short for a passage of its own: the first passage runs on into page 2.
    const pages = [page(1, 3), page(2, 30), '', page(4, 14)];
    const passages = chunkPages(pages);
    expect(passages[0]).toEqual({ text: expect.stringContaining(sentence(200)), page: 1 });
    expect(passages[0]?.text.startsWith(sentence(100))).toBe(true);
    expect(passages.some((p) => p.page === 2 && p.text.startsWith(sentence(200)))).toBe(false);
    // Page 4 opens a passage of its own, without the end of page 2 before it.
    const fourth = passages.find((p) => p.page === 4);
    expect(fourth?.text.startsWith(sentence(400))).toBe(true);
    for (const p of passages) expect(pages[p.page - 1]).toContain(p.text.split(/(?<=\.) /)[0]);
    expect(chunkPages(['One page only.'])).toEqual([{ text: 'One page only.', page: 1 }]);
    expect(chunkPages(['', ' \n'])).toEqual([]);
  });

  it('keeps code indentation and drops NUL and blank runs', () => {
    expect(chunkText('\n\ndef f():\n    return 1\r\n\n\n\n\nprint(f())\0  \n')).toEqual([
      'def f():\n    return 1\n\nprint(f())',
    ]);
    expect(chunkText(' \n\t\n')).toEqual([]);
  });
});
