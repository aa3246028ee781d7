/** Matches the VARCHAR(255) column; counted in Unicode code points, as upstream does. */
const MAX_CHARS = 255;
const FALLBACK = 'upload';

/**
 * Characters that draw nothing or rearrange what is drawn: control characters (Cc) can break logs
 * and headers; format characters (Cf: bidi controls, zero-width spaces and joiners, the BOM, soft
 * hyphens, tag characters…) let a name display as something it is not (`invoice\u202Efdp.exe`
 * renders as `invoiceexe.pdf`) or hide text in it; line and paragraph separators (Zl, Zp) break a
 * name shown on one line. The tag block is taken whole: its unassigned code points are invisible too.
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\u{E0000}-\u{E007F}]/gu;

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
  const visible = (raw ?? '').toWellFormed().replace(INVISIBLE, '');
  const name = visible.slice(Math.max(visible.lastIndexOf('/'), visible.lastIndexOf('\\')) + 1).trim();
  // `.` and `..` are path syntax, not names.
  if (name === '' || name === '.' || name === '..') return FALLBACK;
  return truncate(name);
}
