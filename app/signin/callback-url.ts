const BASE = 'http://same-origin.invalid';

/**
 * Where to go after signing in: a same-origin relative path, or '/' for anything else. Resolving
 * against a placeholder origin catches every way out of the site (`//evil.test`, `/\evil.test`,
 * tabs or newlines the URL parser drops) because any of them changes the origin.
 */
export function safeCallbackUrl(value: unknown): string {
  if (typeof value !== 'string' || !value.startsWith('/')) return '/';
  const url = new URL(value, BASE);
  const path = url.pathname + url.search + url.hash;
  // A path that normalises to `//host` (from `/..//host`) would be protocol-relative again.
  if (url.origin !== BASE || path.startsWith('//') || ['/signin', '/signup'].includes(url.pathname))
    return '/';
  return path;
}
