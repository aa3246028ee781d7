const KiB = 1024;
const MiB = 1024 * KiB;

const oneDecimal = (n: number) => (Math.round(n * 10) / 10).toFixed(n >= 100 ? 0 : 1).replace(/\.0$/, '');

/**
 * Sizes as the server words its limits: binary megabytes written "MB", at most one decimal. The
 * number and its unit are joined by a no-break space so that a narrow chip never splits them.
 */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * MiB) return `${oneDecimal(bytes / 1024 / MiB)}\u00a0GB`;
  if (bytes >= MiB) return `${oneDecimal(bytes / MiB)}\u00a0MB`;
  if (bytes >= KiB) return `${Math.round(bytes / KiB)}\u00a0KB`;
  return bytes === 1 ? '1\u00a0byte' : `${bytes}\u00a0bytes`;
}

/** The lower-case extension without its dot, or '' when the name has none. */
export function extensionOf(filename: string): string {
  const dot = filename.lastIndexOf('.');
  return dot > 0 ? filename.slice(dot + 1).toLowerCase() : '';
}

/**
 * Splits a name for middle truncation: the head may be cut with an ellipsis, the tail (the end of
 * the stem and the extension) always shows, so "quarterly-report-final.pdf" reads "quarterly-re…final.pdf".
 */
export function splitForTruncation(filename: string, keep = 8): { head: string; tail: string } {
  const dot = filename.lastIndexOf('.');
  const extensionStart = dot > 0 ? dot : filename.length;
  const tailStart = Math.max(0, extensionStart - keep);
  return { head: filename.slice(0, tailStart), tail: filename.slice(tailStart) };
}
