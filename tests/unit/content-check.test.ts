import { strToU8, type Zippable, zipSync } from 'fflate';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CONTENT_HEAD_BYTES,
  checkContentHead,
  createTextValidator,
  isTextType,
} from '@/lib/attachments/content-check';
import { FILE_TYPES, type FileTypeRule } from '@/lib/attachments/mime';
import { AppError } from '@/lib/errors';

const rule = (mime: string): FileTypeRule => {
  const found = FILE_TYPES.find((candidate) => candidate.mime === mime);
  if (!found) throw new Error(`no rule for ${mime}`);
  return found;
};

const PNG = rule('image/png');
const JPEG = rule('image/jpeg');
const WEBP = rule('image/webp');
const GIF = rule('image/gif');
const PDF = rule('application/pdf');
const DOCX = rule('application/vnd.openxmlformats-officedocument.wordprocessingml.document');
const PPTX = rule('application/vnd.openxmlformats-officedocument.presentationml.presentation');
const XLSX = rule('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
const TEXT = rule('text/plain');
const TEXT_RULES = FILE_TYPES.filter(
  (candidate) => candidate.mime.startsWith('text/') || candidate.mime === 'application/json',
);
const BINARY_RULES = [PNG, JPEG, WEBP, GIF, PDF, DOCX, PPTX, XLSX];

async function mismatch(check: Promise<unknown> | (() => unknown)): Promise<AppError> {
  try {
    await (typeof check === 'function' ? check() : check);
  } catch (error) {
    if (error instanceof AppError && error.code === 'content_type_mismatch') {
      expect(error.status).toBe(415);
      return error;
    }
    throw error;
  }
  throw new Error('expected content_type_mismatch');
}

/** A minimal OOXML package whose [Content_Types].xml names its main part, as Office writes it. */
function ooxml(folder: string, mainPart: string, mainType: string, extra: Zippable = {}) {
  const contentTypes = strToU8(
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>' +
      '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
      '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>' +
      '<Default Extension="xml" ContentType="application/xml"/>' +
      `<Override PartName="/${folder}/${mainPart}" ContentType="${mainType}"/></Types>`,
  );
  const rels = strToU8(
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
      `<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="${folder}/${mainPart}"/></Relationships>`,
  );
  return {
    first: zipSync({
      '[Content_Types].xml': contentTypes,
      '_rels/.rels': rels,
      [`${folder}/${mainPart}`]: strToU8('<root/>'),
      ...extra,
    }),
    // Some writers (LibreOffice, openpyxl) put [Content_Types].xml last.
    last: zipSync({
      '_rels/.rels': rels,
      ...extra,
      [`${folder}/${mainPart}`]: strToU8('<root/>'),
      '[Content_Types].xml': contentTypes,
    }),
  };
}

const WORD_MAIN = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml';
const SHEET_MAIN = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml';
const SLIDES_MAIN = 'application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml';

const PDF_BYTES = strToU8(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>endobj\n' +
    'xref\n0 4\n0000000000 65535 f \n0000000009 00000 n \n0000000052 00000 n \n0000000101 00000 n \n' +
    'trailer<</Size 4/Root 1 0 R>>\nstartxref\n165\n%%EOF\n',
);
const EXE = new Uint8Array([
  0x4d,
  0x5a,
  0x90,
  0x00,
  0x03,
  0x00,
  0x00,
  0x00,
  0x04,
  0x00,
  0x00,
  0x00,
  0xff,
  0xff,
  ...new Uint8Array(200),
]);
const ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, ...new Uint8Array(200)]);
const PLAIN_ZIP = zipSync({ 'notes.txt': strToU8('hello') });

const samples = new Map<FileTypeRule, Uint8Array>();

beforeAll(async () => {
  const canvas = sharp({ create: { width: 16, height: 8, channels: 3, background: '#3366cc' } });
  samples.set(PNG, await canvas.clone().png().toBuffer());
  samples.set(JPEG, await canvas.clone().jpeg().toBuffer());
  samples.set(WEBP, await canvas.clone().webp().toBuffer());
  samples.set(GIF, await canvas.clone().gif().toBuffer());
  samples.set(PDF, PDF_BYTES);
  samples.set(DOCX, ooxml('word', 'document.xml', WORD_MAIN).first);
  samples.set(XLSX, ooxml('xl', 'workbook.xml', SHEET_MAIN).first);
  samples.set(PPTX, ooxml('ppt', 'presentation.xml', SLIDES_MAIN).first);
});

const label = (r: FileTypeRule) => r.extension;

describe('checkContentHead for images, PDF and Office files', () => {
  it('accepts each real file as its own type', async () => {
    for (const type of BINARY_RULES) {
      await expect(
        checkContentHead(samples.get(type) as Uint8Array, type, true),
        label(type),
      ).resolves.toBeUndefined();
    }
  });

  it('refuses each real file declared as any other of these types', async () => {
    for (const actual of BINARY_RULES) {
      for (const declared of BINARY_RULES.filter((other) => other !== actual)) {
        const error = await mismatch(checkContentHead(samples.get(actual) as Uint8Array, declared, true));
        expect(error.message, `${label(actual)} as ${label(declared)}`).toMatch(
          /^The file content is not an? /,
        );
      }
    }
  });

  it('words the refusal without any filename', async () => {
    expect((await mismatch(checkContentHead(EXE, PNG, true))).message).toBe(
      'The file content is not a PNG image.',
    );
    expect((await mismatch(checkContentHead(PLAIN_ZIP, PDF, true))).message).toBe(
      'The file content is not a PDF document.',
    );
    expect((await mismatch(checkContentHead(EXE, XLSX, true))).message).toBe(
      'The file content is not an Excel workbook (.xlsx).',
    );
  });

  it('never lets a Windows or Linux executable pass as an image, whether whole or a head', async () => {
    for (const executable of [EXE, ELF]) {
      for (const image of [PNG, JPEG, WEBP, GIF]) {
        await mismatch(checkContentHead(executable, image, true));
        await mismatch(checkContentHead(executable, image, false));
      }
    }
  });

  it('refuses a zip declared as a PDF', async () => {
    await mismatch(checkContentHead(PLAIN_ZIP, PDF, false));
  });

  it('refuses an empty file as empty, whatever its type', async () => {
    for (const type of [...BINARY_RULES, ...TEXT_RULES]) {
      await expect(checkContentHead(new Uint8Array(0), type, true), type.mime).rejects.toMatchObject({
        code: 'empty_file',
        status: 400,
      });
    }
  });

  it('accepts the head of a large image', async () => {
    const noisy = await sharp({
      create: {
        width: 400,
        height: 400,
        channels: 3,
        background: '#000',
        noise: { type: 'gaussian', mean: 128, sigma: 60 },
      },
    })
      .png()
      .toBuffer();
    expect(noisy.length).toBeGreaterThan(CONTENT_HEAD_BYTES);
    await expect(
      checkContentHead(noisy.subarray(0, CONTENT_HEAD_BYTES), PNG, false),
    ).resolves.toBeUndefined();
    await mismatch(checkContentHead(noisy.subarray(0, CONTENT_HEAD_BYTES), JPEG, false));
  });

  it('accepts an animated PNG as a PNG', async () => {
    const png = samples.get(PNG) as Uint8Array;
    // An acTL chunk before the first IDAT is what makes a PNG animated.
    const actl = new Uint8Array([0, 0, 0, 8, 0x61, 0x63, 0x54, 0x4c, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0]);
    const ihdrEnd = 8 + 25;
    const apng = new Uint8Array([...png.subarray(0, ihdrEnd), ...actl, ...png.subarray(ihdrEnd)]);
    await expect(checkContentHead(apng, PNG, true)).resolves.toBeUndefined();
  });
});

describe('checkContentHead for Office files', () => {
  // Stored, not deflated, so the media part pushes [Content_Types].xml past the head.
  const media: Zippable = { 'word/media/image1.bin': [new Uint8Array(CONTENT_HEAD_BYTES * 2), { level: 0 }] };
  const late = ooxml('word', 'document.xml', WORD_MAIN, media).last;

  it('refuses a document of another Office type, even one inside the right kind of zip', async () => {
    await mismatch(checkContentHead(samples.get(DOCX) as Uint8Array, XLSX, false));
    await mismatch(checkContentHead(samples.get(XLSX) as Uint8Array, DOCX, false));
  });

  it('refuses a macro-enabled document declared as a plain one', async () => {
    const docm = ooxml(
      'word',
      'document.xml',
      'application/vnd.ms-word.document.macroEnabled.main+xml',
    ).first;
    await mismatch(checkContentHead(docm, DOCX, true));
  });

  it('accepts a head that is only a generic zip, because [Content_Types].xml may come later', async () => {
    expect(late.length).toBeGreaterThan(CONTENT_HEAD_BYTES);
    await expect(
      checkContentHead(late.subarray(0, CONTENT_HEAD_BYTES), DOCX, false),
    ).resolves.toBeUndefined();
  });

  it('identifies the whole file even when [Content_Types].xml is its last entry', async () => {
    await expect(checkContentHead(late, DOCX, true)).resolves.toBeUndefined();
    await mismatch(checkContentHead(late, XLSX, true));
  });

  it('refuses a whole file that is only a generic zip', async () => {
    await mismatch(checkContentHead(PLAIN_ZIP, DOCX, true));
  });

  it('refuses a generic zip head that does not start with a local file header', async () => {
    const emptyZip = new Uint8Array([0x50, 0x4b, 0x05, 0x06, ...new Uint8Array(18)]);
    await mismatch(checkContentHead(emptyZip, DOCX, false));
  });

  it('refuses anything that is not a zip', async () => {
    for (const office of [DOCX, PPTX, XLSX]) {
      await mismatch(checkContentHead(PDF_BYTES, office, false));
      await mismatch(checkContentHead(strToU8('just text'), office, false));
    }
  });
});

describe('isTextType', () => {
  it('marks exactly the types whose content is checked as UTF-8 text', () => {
    expect(FILE_TYPES.filter(isTextType)).toEqual(TEXT_RULES);
    for (const type of BINARY_RULES) expect(isTextType(type)).toBe(false);
  });

  it('treats an unknown type as text, so binary content would fail closed', () => {
    expect(isTextType({ mime: 'application/x-new', kind: 'document', extension: 'new', purposes: [] })).toBe(
      true,
    );
  });
});

describe('checkContentHead for text', () => {
  it('accepts UTF-8 text for every text type', async () => {
    expect(TEXT_RULES.map((type) => type.extension).sort()).toEqual(
      ['cs', 'go', 'html', 'java', 'js', 'json', 'md', 'py', 'rb', 'rs', 'sql', 'ts', 'txt'].sort(),
    );
    for (const type of TEXT_RULES) {
      await expect(
        checkContentHead(strToU8('{"naïve": "ünïcödé € 🎉"}\n'), type, true),
      ).resolves.toBeUndefined();
    }
  });

  it('accepts a file of one byte', async () => {
    await expect(checkContentHead(strToU8('x'), TEXT, true)).resolves.toBeUndefined();
  });

  it('accepts a leading BOM', async () => {
    await expect(
      checkContentHead(new Uint8Array([0xef, 0xbb, 0xbf, 0x68, 0x69]), TEXT, true),
    ).resolves.toBeUndefined();
  });

  it('does not mistake text that begins like a binary signature for that format', async () => {
    for (const text of [
      'MZ is my monogram.',
      'BMW service log',
      'PK\u0003\u0004 is not printable but is UTF-8',
    ]) {
      await expect(checkContentHead(strToU8(text), TEXT, true), text).resolves.toBeUndefined();
    }
  });

  it('refuses binary formats under any text type, naming what they look like', async () => {
    const binaries: [Uint8Array, string][] = [
      [EXE, 'application/x-msdownload'],
      [ELF, 'application/x-elf'],
      [PLAIN_ZIP, 'application/zip'],
    ];
    for (const [bytes, detected] of binaries) {
      for (const type of TEXT_RULES) {
        const error = await mismatch(checkContentHead(bytes, type, false));
        expect(error.message).toBe(`The file content is binary (${detected}), not text.`);
      }
    }
    for (const image of [PNG, JPEG, WEBP, GIF, DOCX]) {
      await mismatch(checkContentHead(samples.get(image) as Uint8Array, TEXT, true));
    }
  });

  it('refuses invalid UTF-8 and NUL bytes', async () => {
    expect((await mismatch(checkContentHead(new Uint8Array([0x61, 0xc3, 0x28]), TEXT, false))).message).toBe(
      'The file content is not valid UTF-8 text.',
    );
    expect((await mismatch(checkContentHead(strToU8('a\u0000b'), TEXT, false))).message).toBe(
      'The file content contains NUL bytes, so it is not text.',
    );
  });

  it('lets a head end inside a character unless it is the whole file', async () => {
    const cut = strToU8('price: €').subarray(0, -1);
    await expect(checkContentHead(cut, TEXT, false)).resolves.toBeUndefined();
    await mismatch(checkContentHead(cut, TEXT, true));
  });
});

describe('createTextValidator', () => {
  const run = (...chunks: Uint8Array[]) => {
    const validator = createTextValidator();
    for (const chunk of chunks) validator.push(chunk);
    validator.end();
  };
  const euro = strToU8('€');

  it('accepts a character split across chunks', () => {
    expect(euro).toEqual(new Uint8Array([0xe2, 0x82, 0xac]));
    expect(() => run(strToU8('cost '), euro.subarray(0, 1), euro.subarray(1), strToU8('5'))).not.toThrow();
    const emoji = strToU8('🎉');
    expect(() => run(...Array.from(emoji, (byte) => new Uint8Array([byte])))).not.toThrow();
  });

  it('accepts mixed-width text cut at every byte position, and refuses it with one byte flipped', async () => {
    const text = strToU8('aé€🎉 ok ñ 中文 🎉€éa');
    for (let cut = 0; cut <= text.length; cut++) {
      expect(() => run(text.subarray(0, cut), text.subarray(cut))).not.toThrow();
    }
    // Turning the first byte of '🎉' into a continuation byte breaks the sequence wherever the cut is.
    const broken = text.slice();
    broken[strToU8('aé€').length] = 0x9f;
    for (let cut = 0; cut <= broken.length; cut++) {
      await mismatch(() => run(broken.subarray(0, cut), broken.subarray(cut)));
    }
  });

  it('accepts a BOM and empty chunks', () => {
    expect(() =>
      run(new Uint8Array([0xef, 0xbb]), new Uint8Array(0), new Uint8Array([0xbf, 0x41])),
    ).not.toThrow();
    expect(() => run()).not.toThrow();
  });

  it('refuses an invalid continuation that arrives in the next chunk', async () => {
    const validator = createTextValidator();
    validator.push(euro.subarray(0, 1));
    await mismatch(() => validator.push(strToU8('x')));
  });

  it('refuses NUL in any chunk', async () => {
    const validator = createTextValidator();
    validator.push(strToU8('fine so far'));
    const error = await mismatch(() => validator.push(new Uint8Array([0x41, 0x00])));
    expect(error.message).toContain('NUL');
  });

  it('looks for NUL only within the chunk, when the chunk is a view into a larger buffer', async () => {
    const backing = new Uint8Array([0x00, 0x41, 0x42, 0x00, 0x43, 0x00]);
    expect(() => createTextValidator().push(backing.subarray(1, 3))).not.toThrow();
    const error = await mismatch(() => createTextValidator().push(backing.subarray(1, 5)));
    expect(error.message).toContain('NUL');
  });

  it('refuses overlong encodings and encoded surrogates', async () => {
    await mismatch(() => run(new Uint8Array([0xc0, 0x80])));
    await mismatch(() => run(new Uint8Array([0xed, 0xa0, 0x80])));
    await mismatch(() => run(new Uint8Array([0xff])));
  });

  it('refuses a file that ends inside a character', async () => {
    const validator = createTextValidator();
    validator.push(strToU8('cost '));
    validator.push(euro.subarray(0, 2));
    const error = await mismatch(() => validator.end());
    expect(error.message).toBe('The file content is not valid UTF-8 text.');
  });
});
