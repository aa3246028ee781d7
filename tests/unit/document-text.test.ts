import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { extractText } from '@/lib/file-stores/local/sandbox/extractors.mjs';
import { DocumentTooComplex } from '@/lib/file-stores/local/sandbox/protocol.mjs';
import { docxBomb, longPdf, pptxBomb } from '@/tests/support/hostile-files';

const MiB = 1024 * 1024;
const LIMITS = { maxUnpackedBytes: 100 * MiB, maxTextBytes: 20 * MiB };

const docx = (body: string) =>
  zipSync({
    'word/document.xml': strToU8(
      `<?xml version="1.0"?><w:document xmlns:w="w" xmlns:mc="mc"><w:body>${body}</w:body></w:document>`,
    ),
  });

describe('DOCX text, read from word/document.xml', () => {
  it('gives each paragraph its runs, tabs and breaks, and nothing that is not text', async () => {
    const body = [
      // Tab stops in the paragraph's properties are layout, not text.
      '<w:p><w:pPr><w:tabs><w:tab w:val="left" w:pos="720"/></w:tabs></w:pPr>',
      '<w:r><w:t>Name</w:t></w:r><w:r><w:tab/><w:t xml:space="preserve">Price </w:t></w:r></w:p>',
      '<w:p><w:r><w:t>Line one</w:t><w:br/><w:t>line two &amp; &#8212; &lt;done&gt;</w:t></w:r></w:p>',
      '<w:p/>',
      // A text box is written twice, as a drawing and as its fallback: read once.
      '<w:p><w:r><mc:AlternateContent><mc:Choice><w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></mc:Choice>',
      '<mc:Fallback><w:txbxContent><w:p><w:r><w:t>Boxed</w:t></w:r></w:p></w:txbxContent></mc:Fallback></mc:AlternateContent></w:r></w:p>',
      // Deleted revisions and field codes are not what the reader sees.
      '<w:p><w:del><w:r><w:delText>removed</w:delText></w:r></w:del><w:r><w:instrText>PAGE</w:instrText><w:t>Kept</w:t></w:r></w:p>',
    ].join('');
    expect(await extractText('docx', docx(body), LIMITS)).toBe(
      'Name\tPrice \n\nLine one\nline two & — <done>\n\nBoxed\n\nKept',
    );
  });

  it('fails on an archive without a document body', async () => {
    const archive = zipSync({ 'word/styles.xml': strToU8('<w:styles/>') });
    await expect(extractText('docx', archive, LIMITS)).rejects.toThrow('word/document.xml');
  });
});

describe('the limits the sandbox enforces itself', () => {
  it('DOCX and PPTX: the bytes inflated', async () => {
    const limits = { ...LIMITS, maxUnpackedBytes: 10 * MiB };
    await expect(extractText('docx', docxBomb(20), limits)).rejects.toThrow(DocumentTooComplex);
    await expect(extractText('pptx', pptxBomb(20), limits)).rejects.toThrow(DocumentTooComplex);
  });

  it('every kind: the text produced, counted in UTF-8 bytes', async () => {
    const limits = { ...LIMITS, maxTextBytes: 10 };
    expect(await extractText('text', strToU8('a'.repeat(10)), limits)).toBe('a'.repeat(10));
    await expect(extractText('text', strToU8('é'.repeat(6)), limits)).rejects.toThrow(DocumentTooComplex);
    await expect(extractText('html', strToU8('<p>eleven char</p>'), limits)).rejects.toThrow(
      DocumentTooComplex,
    );
  });

  it('PDF: the text, page by page', async () => {
    const pdf = longPdf(3, 'marker');
    const pages = await extractText('pdf', pdf, LIMITS);
    expect(pages).toHaveLength(3);
    expect(pages[2]).toContain('marker');
    await expect(extractText('pdf', pdf, { ...LIMITS, maxTextBytes: 2000 })).rejects.toThrow(
      DocumentTooComplex,
    );
  });
});
