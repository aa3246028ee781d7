import { isUtf8 } from 'node:buffer';
import { fileTypeFromBuffer } from 'file-type';
import { AppError } from '@/lib/errors';
import type { FileTypeRule } from './mime';

/**
 * file-type needs ~4 KiB for magic numbers, but zip-based formats are identified by walking the
 * local file headers up to `[Content_Types].xml`, which some writers place after docProps, theme
 * or rels parts. 64 KiB covers those, and lets most small documents be checked whole (`isEnd`).
 * The cost is one 64 KiB buffer per in-flight upload, held before streaming to the provider starts.
 */
export const CONTENT_HEAD_BYTES = 64 * 1024;

interface BinaryFormat {
  /** What file-type may report for a genuine file of this type. */
  detected: readonly string[];
  noun: string;
  office?: true;
}

const office = (mime: string, noun: string): [string, BinaryFormat] => [
  mime,
  { detected: [mime], noun, office: true },
];

/** Every allowed type missing here is checked as text, so a binary type added later fails closed. */
const BINARY_FORMATS: ReadonlyMap<string, BinaryFormat> = new Map([
  // An animated PNG is still a PNG; file-type reports it separately.
  ['image/png', { detected: ['image/png', 'image/apng'], noun: 'a PNG image' }],
  ['image/jpeg', { detected: ['image/jpeg'], noun: 'a JPEG image' }],
  ['image/webp', { detected: ['image/webp'], noun: 'a WebP image' }],
  ['image/gif', { detected: ['image/gif'], noun: 'a GIF image' }],
  ['application/pdf', { detected: ['application/pdf'], noun: 'a PDF document' }],
  office(
    'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    'a Word document (.docx)',
  ),
  office(
    'application/vnd.openxmlformats-officedocument.presentationml.presentation',
    'a PowerPoint presentation (.pptx)',
  ),
  office('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', 'an Excel workbook (.xlsx)'),
]);

const ZIP_LOCAL_HEADER = [0x50, 0x4b, 0x03, 0x04];

const mismatch = (detail: string) => new AppError('content_type_mismatch', detail);

/** file-type throws on some malformed structures; for us that is simply "not recognised". */
async function detectMime(bytes: Uint8Array): Promise<string | undefined> {
  try {
    return (await fileTypeFromBuffer(bytes))?.mime;
  } catch {
    return undefined;
  }
}

/** Whether the upload must stream through `createTextValidator`. */
export function isTextType(rule: FileTypeRule): boolean {
  return !BINARY_FORMATS.has(rule.mime);
}

/**
 * Refuses an upload whose first bytes contradict its type, before anything is sent to the
 * provider. `head` is the first CONTENT_HEAD_BYTES of the file, or all of it when `isEnd`.
 * Text passes here on its head alone: the caller must still push every chunk, head included,
 * through `createTextValidator`.
 */
export async function checkContentHead(head: Uint8Array, rule: FileTypeRule, isEnd: boolean): Promise<void> {
  // Of any type: an empty document has nothing to index, and its indexing would only fail later.
  if (isEnd && head.length === 0) throw new AppError('empty_file', 'The file is empty.');
  const format = BINARY_FORMATS.get(rule.mime);
  if (!format) return checkTextHead(head, isEnd);
  const detected = await detectMime(head);
  if (detected !== undefined && format.detected.includes(detected)) return;
  // file-type only names an Office type once it reaches [Content_Types].xml, which may lie past the
  // head, so a truncated head of a real document can read as a plain zip. A whole file cannot.
  const isLocalZip = ZIP_LOCAL_HEADER.every((byte, index) => head[index] === byte);
  if (format.office && !isEnd && isLocalZip && detected === 'application/zip') return;
  throw mismatch(`The file content is not ${format.noun}.`);
}

/**
 * file-type is consulted only once the head has failed as text: its two-byte signatures (`MZ`,
 * `BM`) also start ordinary sentences, so it must not judge content that is valid text.
 */
async function checkTextHead(head: Uint8Array, isEnd: boolean): Promise<void> {
  const validator = createTextValidator();
  try {
    validator.push(head);
    if (isEnd) validator.end();
  } catch (error) {
    const detected = await detectMime(head);
    if (detected) throw mismatch(`The file content is binary (${detected}), not text.`);
    throw error;
  }
}

/**
 * How many bytes at the end of `bytes` begin a UTF-8 sequence that the chunk does not finish
 * (0 to 3): they are carried into the next chunk rather than judged half-read.
 */
export function unfinishedTail(bytes: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, bytes.length); back++) {
    const byte = bytes[bytes.length - back] as number;
    if ((byte & 0xc0) === 0x80) continue; // a continuation byte: keep looking for the lead
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return length > back ? back : 0;
  }
  return 0;
}

/**
 * Checks a text upload chunk by chunk as it streams: UTF-8 (a BOM is valid UTF-8) without NUL.
 * `isUtf8` validates in place; decoding to a string would allocate twice the file's size in
 * garbage. A sequence split across chunks is carried over; `end()` rejects one the file stops
 * in the middle of.
 */
export function createTextValidator(): { push(chunk: Uint8Array): void; end(): void } {
  const invalid = () => mismatch('The file content is not valid UTF-8 text.');
  let carry: Uint8Array | undefined;
  return {
    push(chunk) {
      // A request body's chunks are plain Uint8Arrays, whose includes() is a JS loop; Buffer's is memchr.
      if (Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength).includes(0)) {
        throw mismatch('The file content contains NUL bytes, so it is not text.');
      }
      const bytes = carry ? Buffer.concat([carry, chunk]) : chunk;
      const tail = unfinishedTail(bytes);
      if (!isUtf8(bytes.subarray(0, bytes.length - tail))) throw invalid();
      carry = tail > 0 ? bytes.slice(bytes.length - tail) : undefined;
    },
    end() {
      if (carry) throw invalid();
    },
  };
}
