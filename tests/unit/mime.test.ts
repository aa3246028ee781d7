import { describe, expect, it } from 'vitest';
import {
  acceptedTypes,
  FILE_TYPES,
  type FileTypeRule,
  inferMimeFromFilename,
  normalizeMime,
  resolveFileType,
  storedFilename,
} from '@/lib/attachments/mime';
import { AppError } from '@/lib/errors';

const DOCX = 'application/vnd.openxmlformats-officedocument.wordprocessingml.document';
const PPTX = 'application/vnd.openxmlformats-officedocument.presentationml.presentation';
const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const DOCUMENT_TYPES = [
  'application/pdf',
  'text/plain',
  'text/markdown',
  'text/html',
  DOCX,
  PPTX,
  'application/json',
  'text/x-python',
  'text/x-java',
  'text/javascript',
  'text/typescript',
  'text/x-rust',
  'text/x-go',
  'text/x-csharp',
  'text/x-ruby',
  'text/x-sql',
];
const IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/webp', 'image/gif'];

const NO_CSV = { allowCsv: false };
const CSV_OK = { allowCsv: true };

/** resolveFileType as upstream's validate_mime: the declared type alone. */
const validate = (mime: string, options = NO_CSV) => resolveFileType(mime, 'upload', options);

function rejection(fn: () => unknown): AppError {
  try {
    fn();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

describe('the allowlist', () => {
  it('accepts every document type as a document', () => {
    for (const mime of DOCUMENT_TYPES) {
      const rule = validate(mime);
      expect(rule.mime).toBe(mime);
      expect(rule.kind).toBe('document');
    }
  });

  it('accepts every image type as an image serving no tool', () => {
    for (const mime of IMAGE_TYPES) {
      const rule = validate(mime);
      expect(rule.mime).toBe(mime);
      expect(rule.kind).toBe('image');
      expect(rule.purposes).toEqual([]);
    }
  });

  it('holds exactly 21 distinct types, each of which validates to itself', () => {
    expect(FILE_TYPES).toHaveLength(21);
    expect(new Set(FILE_TYPES.map((rule) => rule.mime)).size).toBe(21);
    expect(FILE_TYPES.map((rule) => rule.mime).sort()).toEqual(
      [...DOCUMENT_TYPES, XLSX, ...IMAGE_TYPES].sort(),
    );
    for (const rule of FILE_TYPES) expect(validate(rule.mime)).toBe(rule);
  });

  it('gives every type its own structured-filename extension', () => {
    const extensions = FILE_TYPES.map((rule) => rule.extension);
    expect(new Set(extensions).size).toBe(21);
    for (const extension of extensions) expect(extension).toMatch(/^[a-z]+$/);
    expect(validate('image/jpeg').extension).toBe('jpg');
    expect(validate('text/plain').extension).toBe('txt');
  });

  it('cannot be modified by a caller', () => {
    expect(Object.isFrozen(FILE_TYPES)).toBe(true);
    expect(FILE_TYPES.every((rule) => Object.isFrozen(rule))).toBe(true);
  });
});

describe('normalization', () => {
  it('strips a charset parameter', () => {
    expect(validate('text/plain; charset=utf-8').mime).toBe('text/plain');
    expect(normalizeMime('text/plain; charset=utf-8')).toBe('text/plain');
  });

  it('strips multiple parameters', () => {
    expect(validate('text/html; charset=utf-8; boundary=something').mime).toBe('text/html');
  });

  it('is case-insensitive', () => {
    expect(validate('Application/PDF').mime).toBe('application/pdf');
    expect(validate('IMAGE/PNG').mime).toBe('image/png');
  });

  it('trims whitespace', () => {
    expect(validate('  text/plain  ').mime).toBe('text/plain');
    expect(normalizeMime(' Text/HTML ;charset=x')).toBe('text/html');
  });
});

describe('rejection', () => {
  it('refuses application/octet-stream when the filename does not help', () => {
    const error = rejection(() => resolveFileType('application/octet-stream', 'archive.zip', NO_CSV));
    expect(error.code).toBe('unsupported_file_type');
    expect(error.status).toBe(415);
    expect(error.message).toBe('Unsupported file type: application/octet-stream');
  });

  it('refuses unknown types, naming the normalized type', () => {
    for (const mime of ['application/xml', 'video/mp4', 'audio/mpeg', 'application/zip']) {
      const error = rejection(() => validate(mime));
      expect(error.code).toBe('unsupported_file_type');
      expect(error.message).toBe(`Unsupported file type: ${mime}`);
    }
    expect(rejection(() => validate('Application/ZIP; x=1')).message).toBe(
      'Unsupported file type: application/zip',
    );
  });

  it('refuses CSV unless it is allowed', () => {
    expect(rejection(() => validate('text/csv')).message).toBe('Unsupported file type: text/csv');
  });

  it('refuses an empty type and says it was empty', () => {
    for (const mime of ['', '   ', '; charset=utf-8']) {
      const error = rejection(() => validate(mime));
      expect(error.code).toBe('unsupported_file_type');
      expect(error.message).toMatch(/empty content type/);
    }
  });
});

describe('extension inference', () => {
  it('recognizes markdown in any case and spelling', () => {
    expect(inferMimeFromFilename('readme.md')).toBe('text/markdown');
    expect(inferMimeFromFilename('NOTES.MD')).toBe('text/markdown');
    expect(inferMimeFromFilename('doc.markdown')).toBe('text/markdown');
  });

  it('recognizes csv', () => {
    expect(inferMimeFromFilename('data.csv')).toBe('text/csv');
  });

  it('recognizes the common extensions and their aliases', () => {
    expect(inferMimeFromFilename('file.pdf')).toBe('application/pdf');
    expect(inferMimeFromFilename('code.rs')).toBe('text/x-rust');
    expect(inferMimeFromFilename('photo.jpg')).toBe('image/jpeg');
    expect(inferMimeFromFilename('photo.jpeg')).toBe('image/jpeg');
    expect(inferMimeFromFilename('app.ts')).toBe('text/typescript');
    expect(inferMimeFromFilename('app.mts')).toBe('text/typescript');
    expect(inferMimeFromFilename('page.htm')).toBe('text/html');
    expect(inferMimeFromFilename('mod.mjs')).toBe('text/javascript');
    expect(inferMimeFromFilename('archive.tar.PDF')).toBe('application/pdf');
  });

  it('knows every structured-filename extension', () => {
    for (const rule of FILE_TYPES) expect(inferMimeFromFilename(`x.${rule.extension}`)).toBe(rule.mime);
  });

  it('returns nothing for unknown extensions and dotless names', () => {
    expect(inferMimeFromFilename('archive.zip')).toBeUndefined();
    expect(inferMimeFromFilename('video.mp4')).toBeUndefined();
    expect(inferMimeFromFilename('noext')).toBeUndefined();
    expect(inferMimeFromFilename('md')).toBeUndefined();
    expect(inferMimeFromFilename('pdf')).toBeUndefined();
    expect(inferMimeFromFilename('trailing.')).toBeUndefined();
    expect(inferMimeFromFilename('proto.__proto__')).toBeUndefined();
  });

  it('lets octet-stream uploads through by their extension', () => {
    expect(resolveFileType('application/octet-stream', 'readme.md', NO_CSV).mime).toBe('text/markdown');
    expect(resolveFileType('Application/Octet-Stream; x=1', 'data.xlsx', NO_CSV).mime).toBe(XLSX);
  });

  it('never overrides a declared type with the extension', () => {
    expect(resolveFileType('text/plain', 'report.pdf', NO_CSV).mime).toBe('text/plain');
    expect(rejection(() => resolveFileType('application/zip', 'report.pdf', NO_CSV)).message).toBe(
      'Unsupported file type: application/zip',
    );
  });
});

describe('CSV', () => {
  it('is remapped to text/plain in every spelling', () => {
    for (const mime of ['text/csv', 'text/csv; charset=utf-8', 'TEXT/CSV']) {
      const rule = resolveFileType(mime, 'data.csv', CSV_OK);
      expect(rule.mime).toBe('text/plain');
      expect(rule.kind).toBe('document');
      expect(rule.purposes).toEqual(['file_search']);
    }
  });

  it('leaves other types alone when allowed', () => {
    expect(resolveFileType('text/plain', 'a.txt', CSV_OK).mime).toBe('text/plain');
    expect(resolveFileType('application/pdf', 'a.csv', CSV_OK).mime).toBe('application/pdf');
  });

  it('is remapped after inference from the extension, and goes to the provider as .txt', () => {
    const rule = resolveFileType('application/octet-stream', 'data.csv', CSV_OK);
    expect(rule.mime).toBe('text/plain');
    expect(storedFilename('c', 'a', rule)).toBe('c_a.txt');
  });

  it('is refused when inferred but not allowed', () => {
    expect(rejection(() => resolveFileType('application/octet-stream', 'data.csv', NO_CSV)).message).toBe(
      'Unsupported file type: text/csv',
    );
  });
});

describe('purposes', () => {
  it('routes XLSX to the code interpreter only, by type and by extension', () => {
    expect(validate(XLSX).kind).toBe('document');
    expect(validate(XLSX).purposes).toEqual(['code_interpreter']);
    expect(validate(XLSX).extension).toBe('xlsx');
    expect(inferMimeFromFilename('data.xlsx')).toBe(XLSX);
  });

  it('routes every other document to file search', () => {
    for (const mime of DOCUMENT_TYPES) expect(validate(mime).purposes).toEqual(['file_search']);
  });
});

describe('storedFilename', () => {
  it('is chat id, attachment id and the type extension', () => {
    const chat = '00000000-0000-0000-0000-000000000001';
    const attachment = '00000000-0000-0000-0000-000000000002';
    expect(storedFilename(chat, attachment, validate('application/pdf'))).toBe(`${chat}_${attachment}.pdf`);
    expect(storedFilename(chat, attachment, validate('image/jpeg'))).toBe(`${chat}_${attachment}.jpg`);
  });
});

describe('acceptedTypes', () => {
  const byMime = (types: ReturnType<typeof acceptedTypes>) => new Map(types.map((type) => [type.mime, type]));

  it('lists the allowlist with every extension that infers each type', () => {
    const types = byMime(acceptedTypes(NO_CSV));
    expect(types.size).toBe(21);
    expect(types.get('image/jpeg')).toEqual({
      mime: 'image/jpeg',
      kind: 'image',
      extensions: ['jpg', 'jpeg'],
    });
    expect(types.get('text/markdown')?.extensions).toEqual(['md', 'markdown']);
    expect(types.get('text/typescript')?.extensions).toEqual(['ts', 'mts']);
    expect(types.get(XLSX)?.kind).toBe('document');
    expect(types.has('text/csv')).toBe(false);
    for (const type of types.values()) {
      for (const extension of type.extensions)
        expect(inferMimeFromFilename(`f.${extension}`)).toBe(type.mime);
    }
  });

  it('adds CSV only when it is allowed', () => {
    const types = acceptedTypes(CSV_OK);
    expect(types).toHaveLength(22);
    expect(byMime(types).get('text/csv')).toEqual({
      mime: 'text/csv',
      kind: 'document',
      extensions: ['csv'],
    });
    expect(acceptedTypes(NO_CSV).flatMap((type) => type.extensions)).not.toContain('csv');
  });

  it('agrees with resolveFileType for every listed type', () => {
    for (const type of acceptedTypes(CSV_OK)) {
      const rule: FileTypeRule = resolveFileType(type.mime, 'x', CSV_OK);
      expect(rule.kind).toBe(type.kind);
    }
  });
});
