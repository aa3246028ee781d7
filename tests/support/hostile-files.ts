import zlib from 'node:zlib';
import { strToU8, zipSync } from 'fflate';

/**
 * Decompression bombs and their honest counterparts, built in memory: small files that inflate to
 * hundreds of MB (or images whose header promises billions of pixels), and large files that are
 * simply long.
 */

const MiB = 1024 * 1024;
const XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>';
const W = 'http://schemas.openxmlformats.org/wordprocessingml/2006/main';
const DOCX_MAIN = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml';
const PPTX_MAIN = 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml';

const contentTypes = (override: string, type: string) =>
  `${XML}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="${override}" ContentType="${type}"/></Types>`;

const rels = (target: string) =>
  `${XML}<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${target}"/></Relationships>`;

/** One ZIP entry, already compressed (raw DEFLATE), with the CRC and size of what it inflates to. */
export interface ZipEntry {
  name: string;
  deflated: Buffer;
  crc: number;
  size: number;
}

/**
 * Raw DEFLATE of `content`, ending on a byte boundary (a sync flush) and not final, so that such
 * pieces chain into one stream: a bomb is one compressed block of its content written over and
 * over, and building it never holds what it inflates to.
 */
const deflatePiece = (content: Buffer) =>
  zlib.deflateRawSync(content, { level: 9, finishFlush: zlib.constants.Z_SYNC_FLUSH });
const FINAL_EMPTY_BLOCK = Buffer.from([0x03, 0x00]);

/** Inflates to `head`, then `repeat.block` repeated to about `repeat.mb` MiB, then `tail`. */
export function deflatedContent(head: string, repeat?: { block: string; mb: number }, tail = '') {
  let times = 0;
  let block = Buffer.alloc(0);
  if (repeat) {
    block = Buffer.from(repeat.block.repeat(Math.ceil(MiB / repeat.block.length)));
    times = Math.ceil((repeat.mb * MiB) / block.length);
  }
  const copy = times > 0 ? deflatePiece(block) : Buffer.alloc(0);
  let crc = zlib.crc32(head);
  for (let i = 0; i < times; i++) crc = zlib.crc32(block, crc);
  crc = zlib.crc32(tail, crc);
  return {
    deflated: Buffer.concat([
      deflatePiece(Buffer.from(head)),
      ...Array<Buffer>(times).fill(copy),
      deflatePiece(Buffer.from(tail)),
      FINAL_EMPTY_BLOCK,
    ]),
    crc,
    size: Buffer.byteLength(head) + block.length * times + Buffer.byteLength(tail),
  };
}

export const zipEntry = (name: string, head: string, repeat?: { block: string; mb: number }, tail = '') => ({
  name,
  ...deflatedContent(head, repeat, tail),
});

/**
 * A ZIP archive of DEFLATE entries, written by hand so that it can lie: with `declaredSize`, the
 * local header and central directory record of every larger entry claim it inflates to that much.
 */
export function zipArchive(entries: ZipEntry[], options: { declaredSize?: number } = {}): Buffer {
  const out: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name);
    const size = Math.min(entry.size, options.declaredSize ?? entry.size);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(8, 8); // DEFLATE
    local.writeUInt32LE(entry.crc >>> 0, 14);
    local.writeUInt32LE(entry.deflated.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4); // version made by
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(8, 10);
    record.writeUInt32LE(entry.crc >>> 0, 16);
    record.writeUInt32LE(entry.deflated.length, 20);
    record.writeUInt32LE(size, 24);
    record.writeUInt16LE(name.length, 28);
    record.writeUInt32LE(offset, 42);
    out.push(local, name, entry.deflated);
    central.push(record, name);
    offset += local.length + name.length + entry.deflated.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...out, directory, end]);
}

/**
 * A DOCX of about 200 KB whose word/document.xml inflates to `inflatedMb` MiB: by default short
 * paragraphs, millions of them (what took the web process to GBs for minutes); or one endless text
 * run, which compresses four times better.
 */
export function docxBomb(inflatedMb = 60, shape: 'paragraphs' | 'one run' = 'paragraphs'): Buffer {
  const [open, block, close] =
    shape === 'paragraphs'
      ? ['', '<w:p><w:r><w:t>Lorem ipsum dolor sit amet.</w:t></w:r></w:p>', '']
      : ['<w:p><w:r><w:t>', 'A', '</w:t></w:r></w:p>'];
  return zipArchive([
    zipEntry('[Content_Types].xml', contentTypes('/word/document.xml', DOCX_MAIN)),
    zipEntry('_rels/.rels', rels('word/document.xml')),
    zipEntry(
      'word/document.xml',
      `${XML}<w:document xmlns:w="${W}"><w:body>${open}`,
      { block, mb: inflatedMb },
      `${close}</w:body></w:document>`,
    ),
  ]);
}

/**
 * A PPTX of about 200 KB whose first slide inflates to `inflatedMb` MiB, one endless text run,
 * while the archive declares no entry larger than 1 KiB.
 */
export function pptxBomb(inflatedMb = 200): Buffer {
  return zipArchive(
    [
      zipEntry('[Content_Types].xml', contentTypes('/ppt/presentation.xml', PPTX_MAIN)),
      zipEntry('_rels/.rels', rels('ppt/presentation.xml')),
      zipEntry('ppt/presentation.xml', `${XML}<p:presentation/>`),
      zipEntry(
        'ppt/slides/slide1.xml',
        `${XML}<p:sld><p:cSld><p:spTree><p:sp><p:txBody><a:p><a:r><a:t>`,
        { block: 'A', mb: inflatedMb },
        '</a:t></a:r></a:p></p:txBody></p:sp></p:spTree></p:cSld></p:sld>',
      ),
    ],
    { declaredSize: 1024 },
  );
}

/** A deterministic stream of words, so an honest document does not compress away. */
function* words(seed: number): Generator<string> {
  const vocabulary =
    'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu invoice refund policy warranty shipping ledger quarter revenue forecast'.split(
      ' ',
    );
  let state = seed;
  for (;;) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    yield vocabulary[state % vocabulary.length] as string;
  }
}

function sentences(count: number, seed: number): string[] {
  const source = words(seed);
  return Array.from({ length: count }, () => {
    const sentence = Array.from({ length: 12 }, () => source.next().value).join(' ');
    return `${sentence[0]?.toUpperCase()}${sentence.slice(1)}.`;
  });
}

/** An honest DOCX of several MB: `paragraphs` paragraphs of plain prose, the last one saying `marker`. */
export function longDocx(paragraphs: number, marker: string): Buffer {
  const body = sentences(paragraphs * 4, 7)
    .reduce<string[]>((out, sentence, i) => {
      if (i % 4 === 0) out.push('');
      out[out.length - 1] += `${sentence} `;
      return out;
    }, [])
    .concat(marker)
    .map((paragraph) => `<w:p><w:r><w:t xml:space="preserve">${paragraph}</w:t></w:r></w:p>`)
    .join('');
  return Buffer.from(
    zipSync({
      '[Content_Types].xml': strToU8(contentTypes('/word/document.xml', DOCX_MAIN)),
      '_rels/.rels': strToU8(rels('word/document.xml')),
      'word/document.xml': strToU8(`${XML}<w:document xmlns:w="${W}"><w:body>${body}</w:body></w:document>`),
      // Office files carry media; stored, so the file is several MB as real ones are.
      'word/media/image1.bin': [new Uint8Array(Buffer.from(sentences(40_000, 11).join(' '))), { level: 0 }],
    }),
  );
}

/** A PDF with one page per content stream, with a correct cross-reference table. */
function pdfFile(contents: { bytes: Uint8Array; flate: boolean }[]): Buffer {
  const pageIds = contents.map((_, i) => 4 + i * 2);
  const objects: (string | Uint8Array)[][] = [
    ['<< /Type /Catalog /Pages 2 0 R >>'],
    [`<< /Type /Pages /Kids [${pageIds.map((id) => `${id} 0 R`).join(' ')}] /Count ${contents.length} >>`],
    ['<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>'],
  ];
  for (const [i, { bytes, flate }] of contents.entries()) {
    objects.push([
      `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents ${5 + i * 2} 0 R /Resources << /Font << /F1 3 0 R >> >> >>`,
    ]);
    objects.push([
      `<< /Length ${bytes.length}${flate ? ' /Filter /FlateDecode' : ''} >>\nstream\n`,
      bytes,
      '\nendstream',
    ]);
  }
  const parts: Uint8Array[] = [strToU8('%PDF-1.4\n')];
  let length = parts[0]?.length ?? 0;
  const add = (part: string | Uint8Array) => {
    const bytes = typeof part === 'string' ? strToU8(part) : part;
    parts.push(bytes);
    length += bytes.length;
  };
  const offsets = objects.map((pieces, i) => {
    const offset = length;
    add(`${i + 1} 0 obj\n`);
    for (const piece of pieces) add(piece);
    add('\nendobj\n');
    return offset;
  });
  const xref = length;
  add(`xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`);
  add(offsets.map((offset) => `${String(offset).padStart(10, '0')} 00000 n \n`).join(''));
  add(`trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`);
  return Buffer.concat(parts);
}

/** Shows each line of text on its own line of the page, from the top. */
const pageContent = (lines: string[]) =>
  `BT /F1 10 Tf 12 TL 40 760 Td ${lines.map((line) => `(${line}) '`).join(' ')} ET`;

/**
 * A PDF of a few hundred KB whose one page's content stream (zlib, as FlateDecode wants)
 * inflates to `inflatedMb` MiB: one endless string shown on the page.
 */
export function pdfBomb(inflatedMb = 400): Buffer {
  const { deflated } = deflatedContent('BT /F1 10 Tf 40 760 Td (', { block: 'A', mb: inflatedMb }, ') Tj ET');
  // pdf.js does not check the Adler-32 trailer; a zeroed one keeps the builder from reading 400 MB.
  const stream = Buffer.concat([Buffer.from([0x78, 0xda]), deflated, Buffer.alloc(4)]);
  return pdfFile([{ bytes: stream, flate: true }]);
}

/** An honest PDF of several MB: `pages` pages of prose, the last line of the last page saying `marker`. */
export function longPdf(pages: number, marker: string): Buffer {
  return pdfFile(
    Array.from({ length: pages }, (_, page) => {
      const lines = sentences(60, page + 1);
      if (page === pages - 1) lines.push(marker);
      return { bytes: strToU8(pageContent(lines)), flate: false };
    }),
  );
}

function pngChunk(type: string, data: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A real, decodable black 1-bit greyscale PNG. Its pixels deflate to almost nothing, so a huge
 * header costs only kilobytes: the shape of a decompression bomb.
 */
export function blackPng(width: number, height: number): Buffer {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([1, 0, 0, 0, 0], 8); // bit depth 1, greyscale, deflate, no filter method, no interlace
  // Each row is a filter-type byte plus width/8 bytes of zero (black) pixels.
  const pixels = zlib.deflateSync(Buffer.alloc(height * (1 + Math.ceil(width / 8))), { level: 9 });
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    pngChunk('IHDR', header),
    pngChunk('IDAT', pixels),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}
