import { AppError } from '@/lib/errors';

export type AttachmentKind = 'document' | 'image';
export type Purpose = 'file_search' | 'code_interpreter';

export interface FileTypeRule {
  mime: string;
  kind: AttachmentKind;
  /** Extension (no dot) of the structured filename the provider sees. */
  extension: string;
  purposes: readonly Purpose[];
}

const OCTET_STREAM = 'application/octet-stream';
const CSV = 'text/csv';
const PLAIN = 'text/plain';

const documentType = (
  mime: string,
  extension: string,
  purposes: readonly Purpose[] = ['file_search'],
): FileTypeRule => ({ mime, kind: 'document', extension, purposes });
const imageType = (mime: string, extension: string): FileTypeRule => ({
  mime,
  kind: 'image',
  extension,
  purposes: [],
});

/** The allowlist of 21 types. Images are multimodal input only, so they serve no tool. */
export const FILE_TYPES: readonly FileTypeRule[] = Object.freeze(
  [
    documentType('application/pdf', 'pdf'),
    documentType(PLAIN, 'txt'),
    documentType('text/markdown', 'md'),
    documentType('text/html', 'html'),
    documentType('application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'docx'),
    documentType('application/vnd.openxmlformats-officedocument.presentationml.presentation', 'pptx'),
    // file_search cannot index spreadsheets; the code interpreter can load them as data.
    documentType('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'xlsx', [
      'code_interpreter',
    ]),
    documentType('application/json', 'json'),
    documentType('text/x-python', 'py'),
    documentType('text/x-java', 'java'),
    documentType('text/javascript', 'js'),
    documentType('text/typescript', 'ts'),
    documentType('text/x-rust', 'rs'),
    documentType('text/x-go', 'go'),
    documentType('text/x-csharp', 'cs'),
    documentType('text/x-ruby', 'rb'),
    documentType('text/x-sql', 'sql'),
    imageType('image/png', 'png'),
    imageType('image/jpeg', 'jpg'),
    imageType('image/webp', 'webp'),
    imageType('image/gif', 'gif'),
  ].map((rule) => Object.freeze(rule)),
);

const RULES_BY_MIME = new Map(FILE_TYPES.map((rule) => [rule.mime, rule]));

/** Extensions that name an allowed type without being its structured-filename extension. */
const EXTENSION_ALIASES: Readonly<Record<string, string>> = {
  markdown: 'text/markdown',
  htm: 'text/html',
  mjs: 'text/javascript',
  mts: 'text/typescript',
  jpeg: 'image/jpeg',
  csv: CSV,
};

const MIME_BY_EXTENSION = new Map<string, string>([
  ...FILE_TYPES.map((rule): [string, string] => [rule.extension, rule.mime]),
  ...Object.entries(EXTENSION_ALIASES),
]);

export function normalizeMime(raw: string): string {
  return (raw.split(';', 1)[0] ?? '').trim().toLowerCase();
}

/** Only the part after the last dot counts, so a bare `md` (no dot) names no type. */
export function inferMimeFromFilename(filename: string): string | undefined {
  const dot = filename.lastIndexOf('.');
  if (dot === -1) return undefined;
  return MIME_BY_EXTENSION.get(filename.slice(dot + 1).toLowerCase());
}

/** The type a client asked for: its declared type, or its filename's when it declared octet-stream. */
export function requestedMime(declared: string, filename: string): string {
  const mime = normalizeMime(declared);
  return mime === OCTET_STREAM ? (inferMimeFromFilename(filename) ?? mime) : mime;
}

/** The entry of `acceptedTypes` an upload counts as: CSV is listed apart from the text it is stored as. */
export const acceptedTypeOf = (requested: string, rule: FileTypeRule): string =>
  requested === CSV ? CSV : rule.mime;

/**
 * The extension is consulted only when the client gave up on the type
 * (octet-stream), so a declared type always wins over the filename.
 */
export function resolveFileType(
  declared: string,
  filename: string,
  options: { allowCsv: boolean },
): FileTypeRule {
  let mime = requestedMime(declared, filename);
  // CSV is indexed as plain text; the provider file then ends in .txt.
  if (mime === CSV && options.allowCsv) mime = PLAIN;
  const rule = RULES_BY_MIME.get(mime);
  if (rule) return rule;
  throw new AppError(
    'unsupported_file_type',
    mime ? `Unsupported file type: ${mime}` : 'Unsupported file type: the file has an empty content type.',
  );
}

/** The provider never sees the user's filename; ids in the name allow orphan reconciliation later. */
export function storedFilename(chatId: string, attachmentId: string, rule: FileTypeRule): string {
  return `${chatId}_${attachmentId}.${rule.extension}`;
}

/**
 * What an upload may declare, for the upload-limits endpoint and the file picker's `accept`.
 * Extensions carry no dot. With CSV allowed, `text/csv` is listed on its own because browsers
 * declare it for .csv files even though it is stored as text/plain.
 */
export function acceptedTypes(options: {
  allowCsv: boolean;
}): { mime: string; kind: AttachmentKind; extensions: string[] }[] {
  const types = FILE_TYPES.map((rule) => ({
    mime: rule.mime,
    kind: rule.kind,
    extensions: [...MIME_BY_EXTENSION]
      .filter(([, mime]) => mime === rule.mime)
      .map(([extension]) => extension),
  }));
  if (options.allowCsv) types.push({ mime: CSV, kind: 'document', extensions: ['csv'] });
  return types;
}
