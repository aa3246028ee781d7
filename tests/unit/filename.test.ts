import { describe, expect, it } from 'vitest';
import { sanitizeFilename } from '@/lib/attachments/filename';

const length = (value: string) => Array.from(value).length;

describe('sanitizeFilename truncation (upstream cases)', () => {
  const cases: [name: string, input: string, expectedLength: number, suffix: string][] = [
    ['short filename unchanged', 'report.pdf', 10, 'report.pdf'],
    ['exactly 255 chars unchanged', `${'a'.repeat(251)}.pdf`, 255, '.pdf'],
    ['ASCII overflow keeps the extension', `${'a'.repeat(260)}.pdf`, 255, '.pdf'],
    ['emoji overflow keeps the extension', `${'🎉'.repeat(260)}.pdf`, 255, '.pdf'],
    ['CJK overflow keeps the extension', `${'中'.repeat(256)}.txt`, 255, '.txt'],
    ['no extension: plain truncation', 'x'.repeat(300), 255, ''],
    // Upstream returns '' here; our missing-name fallback turns it into 'upload'.
    ['empty filename', '', 6, 'upload'],
    ['short dotfile unchanged', '.hidden', 7, '.hidden'],
    ['multiple dots keep only the last extension', `${'a'.repeat(260)}.tar.gz`, 255, '.gz'],
    ['huge extension keeps the trailing 255 chars', `a.${'x'.repeat(300)}`, 255, ''],
    ['long dotfile: plain truncation', `.${'x'.repeat(300)}`, 255, ''],
    ['trailing dot: plain truncation', `${'y'.repeat(300)}.`, 255, ''],
  ];

  it.each(cases)('%s', (_, input, expectedLength, suffix) => {
    const result = sanitizeFilename(input);
    expect(length(result)).toBe(expectedLength);
    expect(result.endsWith(suffix)).toBe(true);
  });

  it('counts emoji and CJK as one character each, never splitting a surrogate pair', () => {
    const emoji = sanitizeFilename(`${'🎉'.repeat(260)}.pdf`);
    expect(emoji).toBe(`${'🎉'.repeat(251)}.pdf`);
    expect(emoji.length).toBe(251 * 2 + 4);
    expect(emoji.toWellFormed()).toBe(emoji);
    expect(sanitizeFilename(`${'中'.repeat(256)}.txt`)).toBe(`${'中'.repeat(251)}.txt`);
    // 255 emoji are 510 UTF-16 units but still fit.
    const fits = `${'🎉'.repeat(251)}.pdf`;
    expect(sanitizeFilename(fits)).toBe(fits);
  });

  it('keeps exactly the right part of each name', () => {
    expect(sanitizeFilename(`${'a'.repeat(260)}.tar.gz`)).toBe(`${'a'.repeat(252)}.gz`);
    expect(sanitizeFilename(`a.${'x'.repeat(300)}`)).toBe('x'.repeat(255));
    expect(sanitizeFilename(`.${'x'.repeat(300)}`)).toBe(`.${'x'.repeat(254)}`);
    expect(sanitizeFilename(`${'y'.repeat(300)}.`)).toBe('y'.repeat(255));
    expect(sanitizeFilename('z'.repeat(300))).toBe('z'.repeat(255));
  });
});

describe('sanitizeFilename fallbacks', () => {
  it('names a missing filename "upload"', () => {
    expect(sanitizeFilename(undefined)).toBe('upload');
    expect(sanitizeFilename(null)).toBe('upload');
    expect(sanitizeFilename('')).toBe('upload');
  });

  it('names a filename with nothing left after sanitizing "upload"', () => {
    expect(sanitizeFilename('   ')).toBe('upload');
    expect(sanitizeFilename('\u0000\u001f\u202e')).toBe('upload');
    expect(sanitizeFilename('some/dir/')).toBe('upload');
    expect(sanitizeFilename('..')).toBe('upload');
    expect(sanitizeFilename('a/.')).toBe('upload');
  });
});

describe('sanitizeFilename path stripping', () => {
  it('keeps only the last segment of a Windows path', () => {
    expect(sanitizeFilename('C:\\Users\\x\\a.pdf')).toBe('a.pdf');
  });

  it('keeps only the last segment of a POSIX or traversal path', () => {
    expect(sanitizeFilename('../../etc/passwd')).toBe('passwd');
    expect(sanitizeFilename('/home/me/notes.md')).toBe('notes.md');
  });

  it('handles mixed separators', () => {
    expect(sanitizeFilename('a\\b/c\\d.txt')).toBe('d.txt');
    expect(sanitizeFilename('..\\..\\win.ini')).toBe('win.ini');
  });

  it('strips the path before truncating, so the extension still survives', () => {
    const result = sanitizeFilename(`${'dir/'.repeat(100)}${'n'.repeat(300)}.pdf`);
    expect(result).toBe(`${'n'.repeat(251)}.pdf`);
  });
});

describe('sanitizeFilename character removal', () => {
  it('removes C0 control characters, including NUL, tab and newlines', () => {
    expect(sanitizeFilename('re\u0000port\t\r\n.pdf')).toBe('report.pdf');
    expect(sanitizeFilename('a\u0001\u001fb.txt')).toBe('ab.txt');
  });

  it('removes DEL and C1 control characters', () => {
    expect(sanitizeFilename('a\u007fb\u0080c\u009f.txt')).toBe('abc.txt');
  });

  it('keeps ordinary characters just outside the control ranges', () => {
    expect(sanitizeFilename(' ~\u00a0é.txt')).toBe('~\u00a0é.txt');
  });

  it('removes the right-to-left override that disguises an extension', () => {
    expect(sanitizeFilename('invoice\u202Efdp.exe')).toBe('invoicefdp.exe');
  });

  it('removes every bidi embedding, override, isolate and mark', () => {
    const bidi = ['\u202a', '\u202b', '\u202c', '\u202d', '\u202e', '\u2066', '\u2067', '\u2068', '\u2069'];
    for (const control of [...bidi, '\u200e', '\u200f', '\u061c']) {
      expect(sanitizeFilename(`a${control}b.pdf`)).toBe('ab.pdf');
    }
  });

  it('removes invisible format characters and line separators', () => {
    const invisible = [
      ['zero-width space, non-joiner, joiner', '\u200b', '\u200c', '\u200d'],
      ['word joiner and invisible operators', '\u2060', '\u2061', '\u2062', '\u2063', '\u2064'],
      ['line and paragraph separators', '\u2028', '\u2029'],
      ['byte order mark', '\ufeff'],
      ['soft hyphen', '\u00ad'],
      ['tag characters', '\u{e0000}', '\u{e0001}', '\u{e0041}', '\u{e007f}'],
      // The rest of category Cf: Arabic number sign, Mongolian vowel separator, interlinear annotation.
      ['other format characters', '\u0600', '\u180e', '\ufff9', '\u{110bd}', '\u{1d173}'],
    ];
    for (const [what, ...chars] of invisible) {
      for (const char of chars) {
        const code = `U+${(char as string).codePointAt(0)?.toString(16).toUpperCase()}`;
        expect(sanitizeFilename(`in${char}voice.pdf`), `${what} ${code}`).toBe('invoice.pdf');
      }
    }
    // A name hidden in tag characters (ASCII shifted to U+E00xx) is removed whole.
    const hidden = Array.from('secret', (c) => String.fromCodePoint(0xe0000 + (c.codePointAt(0) ?? 0)));
    expect(sanitizeFilename(`a${hidden.join('')}.txt`)).toBe('a.txt');
    expect(sanitizeFilename('\u200b\ufeff\u2028')).toBe('upload');
  });

  it('keeps visible characters next to the removed ones', () => {
    // Combining marks (Mn) and variation selectors belong to the character they follow.
    expect(sanitizeFilename('cafe\u0301 \u2764\ufe0f.txt')).toBe('cafe\u0301 \u2764\ufe0f.txt');
    expect(sanitizeFilename('\u00e9t\u00e9 \u4e2d\u6587 \u{1f389}.txt')).toBe(
      '\u00e9t\u00e9 \u4e2d\u6587 \u{1f389}.txt',
    );
  });

  it('replaces lone surrogates so the name can be stored as UTF-8', () => {
    expect(sanitizeFilename('a\ud800b.txt')).toBe('a\ufffdb.txt');
  });

  it('removes characters before truncating, so they do not use up the length budget', () => {
    const result = sanitizeFilename(`${'\u202e'.repeat(100)}${'m'.repeat(250)}.pdf`);
    expect(result).toBe(`${'m'.repeat(250)}.pdf`);
  });
});

describe('sanitizeFilename whitespace', () => {
  it('trims surrounding whitespace but keeps inner spaces', () => {
    expect(sanitizeFilename('  my report.pdf \u3000')).toBe('my report.pdf');
  });

  it('trims whitespace left around a stripped path or control character', () => {
    expect(sanitizeFilename('dir/ \u0007 a.txt ')).toBe('a.txt');
  });
});
