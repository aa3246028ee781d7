/**
 * The pages' Content-Security-Policy. Scripts run only with this response's nonce (Next puts it on
 * its own inline bootstrap and chunk scripts) and whatever those load ('strict-dynamic'); nothing
 * inline or injected runs, even if a filename or a quoted document slipped markup past the
 * renderer. Styles may be inline: React and Tailwind set style attributes, and a style cannot run
 * code. No page of ours may be framed (clickjacking), and forms post only to us.
 */
export function contentSecurityPolicy(nonce: string, options: { development: boolean }): string {
  const scripts = [`'self'`, `'nonce-${nonce}'`, `'strict-dynamic'`];
  // Next's development server evaluates modules for fast refresh; production never does.
  if (options.development) scripts.push(`'unsafe-eval'`);
  return [
    `default-src 'self'`,
    `script-src ${scripts.join(' ')}`,
    `style-src 'self' 'unsafe-inline'`,
    // Thumbnails arrive as data: URLs, and the composer previews a dropped file from a blob: URL.
    `img-src 'self' data: blob:`,
    `font-src 'self'`,
    `connect-src 'self'`,
    `object-src 'none'`,
    `base-uri 'self'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

/** API answers are data, never documents: nothing in them may load, run or be framed. */
export const API_CONTENT_SECURITY_POLICY = `default-src 'none'; frame-ancestors 'none'; sandbox`;

/**
 * A stored PDF or image opened in a tab (`?disposition=inline`): shown by the browser's own
 * viewer, still sandboxed (an opaque origin, nothing loaded, no script of ours or the file's) and
 * never framed. Inline styles are allowed only because Chromium's image viewer centres and scales
 * the picture with a style attribute, and a style runs no code. Chromium's PDF viewer renders under
 * this policy; the scripting inside a PDF runs in the viewer itself, never in our origin.
 */
export const INLINE_FILE_CONTENT_SECURITY_POLICY = `default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox`;

/** Sent with every response, pages, API answers, thumbnails and static files alike. */
export const SECURITY_HEADERS: ReadonlyArray<{ key: string; value: string }> = [
  // A thumbnail or an error body is never sniffed into something executable.
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // Chat URLs carry chat ids: other sites learn nothing from a followed link.
  { key: 'Referrer-Policy', value: 'same-origin' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=(), usb=()' },
  // For browsers that predate frame-ancestors.
  { key: 'X-Frame-Options', value: 'DENY' },
];
