import { INLINE_FILE_CONTENT_SECURITY_POLICY } from './csp';
import type { ByteRange } from './range';

/** A stored file as it is sent back: whole or one range, to be saved or shown. */
export interface FileContent {
  filename: string;
  contentType: string;
  /** `inline` only for the types a browser shows in its own viewer; the service decides. */
  disposition: 'attachment' | 'inline';
  /** The whole file's size in bytes. */
  size: number;
  /** The part sent, answered 206; the whole file without it. */
  range?: ByteRange;
  /** A strong validator, for `If-Range`. */
  etag: string;
  /** The bytes, read as they are sent; null for HEAD. */
  body: ReadableStream<Uint8Array> | null;
}

/**
 * The file with the headers that keep it inert: its own type and never a sniffed one, a name that
 * survives any character, no shared cache, not readable by other sites' pages, and when shown
 * inline, a sandbox that lets the browser's viewer show it in place of the API's policy.
 */
export function fileResponse(file: FileContent): Response {
  const headers = new Headers({
    'content-type': file.contentType,
    'content-length': String(file.range ? file.range.end - file.range.start + 1 : file.size),
    'content-disposition': contentDisposition(file.disposition, file.filename),
    'accept-ranges': 'bytes',
    etag: file.etag,
    'cache-control': 'private, no-store',
    'x-content-type-options': 'nosniff',
    'cross-origin-resource-policy': 'same-origin',
  });
  if (file.range) headers.set('content-range', `bytes ${file.range.start}-${file.range.end}/${file.size}`);
  if (file.disposition === 'inline') {
    headers.set('content-security-policy', INLINE_FILE_CONTENT_SECURITY_POLICY);
  }
  return new Response(file.body, { status: file.range ? 206 : 200, headers });
}

/**
 * RFC 6266: the name in UTF-8 (`filename*`, RFC 8187) for every current browser, and a plain
 * ASCII stand-in (`filename`) for the rest. The stand-in drops what a quoted string cannot hold
 * and the percent sign, which some clients decode.
 */
export function contentDisposition(type: 'attachment' | 'inline', filename: string): string {
  const fallback = filename.replace(/[^\x20-\x7e]|["\\%]/gu, '_');
  const encoded = encodeURIComponent(filename).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}
