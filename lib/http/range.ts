/** Inclusive byte offsets, as `Content-Range` writes them. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * What to answer a `Range` header with (RFC 9110 §14), for a representation of `size` bytes:
 * `whole` (200), one `part` (206) or `unsatisfiable` (416). A server may always ignore Range, so a
 * header we do not serve (another unit, bad syntax, several ranges) gets the whole body rather
 * than an error: clients that ask for several ranges at once are rare, and a multipart/byteranges
 * answer would be code for them alone.
 */
export type RangeAnswer = { kind: 'whole' } | { kind: 'part'; range: ByteRange } | { kind: 'unsatisfiable' };

const WHOLE: RangeAnswer = { kind: 'whole' };
const SPEC = /^(\d*)-(\d*)$/;

export function answerRange(header: string | null, size: number): RangeAnswer {
  if (header === null) return WHOLE;
  const unit = /^bytes=(.*)$/i.exec(header.trim());
  if (!unit?.[1] || unit[1].includes(',')) return WHOLE;
  const spec = SPEC.exec(unit[1].trim());
  if (!spec) return WHOLE;
  const [, first = '', last = ''] = spec;
  if (first === '' && last === '') return WHOLE;

  if (first === '') {
    // `-n`: the last n bytes; none of a file, or of an empty one, can be served.
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'part', range: { start: Math.max(0, size - length), end: size - 1 } };
  }
  const start = Number(first);
  if (last !== '' && Number(last) < start) return WHOLE;
  if (start >= size) return { kind: 'unsatisfiable' };
  const end = last === '' ? size - 1 : Math.min(Number(last), size - 1);
  return { kind: 'part', range: { start, end } };
}
