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
    maxHeaderPairs: 100,
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
        const [, ...params] = parseParams(header['content-disposition']?.[0] ?? '');
        const param = (name: string) => params.find(([key]) => key.toLowerCase() === name)?.[1];
        if (filePart || param('name') !== 'file') {
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

/** The request's Content-Length, when it sent a usable one. */
export function contentLength(request: Request): number | null {
  const raw = request.headers.get('content-length');
  const n = raw === null ? Number.NaN : Number(raw);
  return Number.isSafeInteger(n) && n >= 0 ? n : null;
}
