import { Readable } from 'node:stream';
import Dicer from '@fastify/busboy/deps/dicer/lib/Dicer';
import parseParams from '@fastify/busboy/lib/utils/parseParams';
import { AppError } from '@/lib/errors';

export interface FilePart {
  filename: string | undefined;
  contentType: string;
  /** The part's bytes as they arrive; reading it pulls the request body along. */
  body: AsyncIterable<Uint8Array>;
}

const BUFFER_BYTES = 1024 * 1024;

/**
 * busboy keeps the first KEPT_HEADER_BYTES of a part's header block and drops the rest without an
 * error, then parses what it kept: the line it cut keeps a truncated value and the lines after it
 * are gone, so a 200 KB file name surfaced as a missing Content-Type (or, name first, as a missing
 * file part). We accept far less than busboy keeps, so a block it cut always measures as too large
 * here (a folded line loses only its CRLF, so a cut block measures over a third of what was kept).
 * It also stops after MAX_PART_HEADERS lines: a block that reaches that many may have lost some.
 */
const KEPT_HEADER_BYTES = 80 * 1024;
const MAX_PART_HEADER_BYTES = 16 * 1024;
const MAX_PART_HEADERS = 100;

/** A part's header lines as parsed, and their size as sent (`name: value\r\n` each). */
function measure(header: Record<string, string[]>, leaveOut?: string): { bytes: number; lines: number } {
  let bytes = 0;
  let lines = 0;
  for (const [name, values] of Object.entries(header)) {
    if (name === leaveOut) continue;
    for (const value of values) {
      bytes += name.length + value.length + 4;
      lines++;
    }
  }
  return { bytes, lines };
}

/** Why a part's headers are refused, or null when they are within our limits. */
function oversizedHeader(header: Record<string, string[]>, hasFilename: boolean): AppError | null {
  const { bytes, lines } = measure(header);
  if (lines >= MAX_PART_HEADERS) {
    return new AppError('multipart_error', `A part can have at most ${MAX_PART_HEADERS - 1} header lines.`);
  }
  if (bytes <= MAX_PART_HEADER_BYTES) return null;
  const limit = `${MAX_PART_HEADER_BYTES / 1024} KiB`;
  // The others fit: the Content-Disposition, which carries the file name, is what is too long.
  if (hasFilename && measure(header, 'content-disposition').bytes <= MAX_PART_HEADER_BYTES) {
    return new AppError(
      'filename_too_long',
      `The file name is too long: a part's headers, its name included, may take at most ${limit}.`,
    );
  }
  return new AppError('multipart_error', `A part's headers may take at most ${limit}.`);
}

function boundaryOf(contentType: string | null): string {
  const [type, ...params] = parseParams(contentType ?? '');
  const boundary = params.find(([key]) => key.toLowerCase() === 'boundary')?.[1];
  if (type.toLowerCase() !== 'multipart/form-data' || !boundary) {
    throw new AppError('missing_boundary', 'Send the file as multipart/form-data with a boundary.');
  }
  return boundary;
}

/**
 * Streams a multipart/form-data request up to its part named `file` and hands that part over
 * unread: the bytes go on to the provider as they arrive, never buffered whole (unlike
 * `request.formData()`). Parts before it are skipped; parts after it are never read. Aborting
 * `stop` stops reading the request wherever it is (the caller gave up on a client that stalled).
 */
export function openFilePart(request: Request, stop?: AbortSignal): Promise<FilePart> {
  const boundary = boundaryOf(request.headers.get('content-type'));
  if (!request.body) return Promise.reject(new AppError('missing_file', 'The request has no body.'));
  // Room for ~1 MiB at each hop keeps the client, this server and the provider all busy at once,
  // instead of each waiting on the next 16 KiB; still a small, fixed amount per upload.
  const source = Readable.fromWeb(request.body as import('node:stream/web').ReadableStream, {
    highWaterMark: BUFFER_BYTES,
  });
  const parser = new Dicer({
    boundary,
    maxHeaderPairs: MAX_PART_HEADERS,
    maxHeaderSize: KEPT_HEADER_BYTES,
    partHwm: BUFFER_BYTES,
    highWaterMark: BUFFER_BYTES,
  });

  return new Promise<FilePart>((resolve, reject) => {
    let filePart: Dicer.PartStream | undefined;
    /**
     * `finished`: the closing boundary was seen, so the body is ending on its own; cancelling it
     * then races Node closing the same stream and throws outside any promise. Drain it instead.
     */
    const refuse = (error: AppError, finished = false) => {
      reject(error);
      if (finished) {
        source.unpipe(parser);
        source.resume();
      } else {
        source.destroy();
      }
    };
    const broken = (cause: unknown) => {
      const error = new AppError('multipart_error', 'The multipart body is malformed or ended early.', {
        cause,
      });
      if (filePart) filePart.destroy(error);
      else refuse(error);
    };

    parser.on('part', (part) => {
      // A part cut short fails with the parser's error; `broken` reports it, not an uncaught event.
      part.on('error', () => {});
      part.once('header', (header) => {
        if (filePart) {
          part.resume();
          return;
        }
        const [, ...params] = parseParams(header['content-disposition']?.[0] ?? '');
        const param = (name: string) => params.find(([key]) => key.toLowerCase() === name)?.[1];
        // Before the name is read: a cut-short block may have lost it, or the file part's type.
        const oversized = oversizedHeader(header, param('filename') !== undefined);
        if (oversized) {
          refuse(oversized);
          return;
        }
        if (param('name') !== 'file') {
          part.resume();
          return;
        }
        const contentType = header['content-type']?.[0]?.trim();
        if (!contentType) {
          refuse(new AppError('missing_content_type', 'The file part has no Content-Type.'));
          return;
        }
        filePart = part;
        resolve({ filename: param('filename'), contentType, body: asMultipartErrors(part) });
      });
    });
    parser.on('finish', () => {
      if (!filePart) refuse(new AppError('missing_file', 'The request has no part named "file".'), true);
    });
    parser.on('error', broken);
    source.on('error', broken);
    source.pipe(parser);
    stop?.addEventListener(
      'abort',
      () => {
        filePart?.destroy();
        source.destroy();
      },
      { once: true },
    );
  });
}

/** The parser's own errors, met while reading the part, become the malformed-body error. */
async function* asMultipartErrors(part: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
  try {
    yield* part;
  } catch (cause) {
    if (cause instanceof AppError) throw cause;
    throw new AppError('multipart_error', 'The multipart body is malformed or ended early.', { cause });
  }
}
