/** Matches the VARCHAR(255) column; counted in Unicode code points, as upstream does. */
const MAX_CHARS = 255;
const FALLBACK = 'upload';

/**
 * Control characters can break logs and headers; bidi controls let a name display as something
 * it is not (`invoice\u202Efdp.exe` renders as `invoiceexe.pdf`).
 */
function isUnsafe(codePoint: number): boolean {
  return (
    codePoint <= 0x1f ||
    (codePoint >= 0x7f && codePoint <= 0x9f) ||
    codePoint === 0x061c ||
    codePoint === 0x200e ||
    codePoint === 0x200f ||
    (codePoint >= 0x202a && codePoint <= 0x202e) ||
    (codePoint >= 0x2066 && codePoint <= 0x2069)
  );
}

/** Upstream's rule: keep the last extension when there is a real stem and extension to keep. */
function truncate(name: string): string {
  const chars = Array.from(name);
  if (chars.length <= MAX_CHARS) return name;
  const dot = name.lastIndexOf('.');
  const extension = Array.from(name.slice(dot + 1));
  // No dot, a dotfile (empty stem) or a trailing dot: there is no extension worth keeping.
  if (dot <= 0 || extension.length === 0) return chars.slice(0, MAX_CHARS).join('');
  if (extension.length + 1 >= MAX_CHARS) return chars.slice(-MAX_CHARS).join('');
  const stem = Array.from(name.slice(0, dot)).slice(0, MAX_CHARS - 1 - extension.length);
  return `${stem.join('')}.${extension.join('')}`;
}

/**
 * The display name of an upload. Browsers may send a full client path, and the name is shown
 * back to users, so only the last path segment survives, without invisible or control characters.
 */
export function sanitizeFilename(raw: string | null | undefined): string {
  const visible = Array.from((raw ?? '').toWellFormed())
    .filter((char) => !isUnsafe(char.codePointAt(0) ?? 0))
    .join('');
  const name = visible.slice(Math.max(visible.lastIndexOf('/'), visible.lastIndexOf('\\')) + 1).trim();
  // `.` and `..` are path syntax, not names.
  if (name === '' || name === '.' || name === '..') return FALLBACK;
  return truncate(name);
}
