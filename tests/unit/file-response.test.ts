import { describe, expect, it } from 'vitest';
import { API_CONTENT_SECURITY_POLICY, INLINE_FILE_CONTENT_SECURITY_POLICY } from '@/lib/http/csp';
import { contentDisposition, type FileContent, fileResponse } from '@/lib/http/file-response';
import { answerRange } from '@/lib/http/range';

describe('answerRange', () => {
  const size = 1000;
  it.each([
    ['bytes=0-99', { start: 0, end: 99 }],
    ['bytes=500-', { start: 500, end: 999 }],
    ['bytes=-100', { start: 900, end: 999 }],
    // Past the end: cut at the last byte, or the whole file for a suffix longer than it.
    ['bytes=900-5000', { start: 900, end: 999 }],
    ['bytes=-5000', { start: 0, end: 999 }],
    ['bytes=999-999', { start: 999, end: 999 }],
    ['BYTES= 10-19 ', { start: 10, end: 19 }],
  ])('%s is one part', (header, range) => {
    expect(answerRange(header, size)).toEqual({ kind: 'part', range });
  });

  it.each(['bytes=1000-', 'bytes=1000-2000', 'bytes=-0', 'bytes=99999999999999999999-'])(
    '%s cannot be satisfied',
    (header) => {
      expect(answerRange(header, size)).toEqual({ kind: 'unsatisfiable' });
    },
  );

  it('cannot serve any part of an empty file', () => {
    expect(answerRange('bytes=0-', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(answerRange('bytes=-1', 0)).toEqual({ kind: 'unsatisfiable' });
    expect(answerRange(null, 0)).toEqual({ kind: 'whole' });
  });

  it.each([
    ['no header', null],
    ['several ranges', 'bytes=0-9,20-29'],
    ['another unit', 'items=0-9'],
    ['a backwards range', 'bytes=9-0'],
    ['no numbers', 'bytes=-'],
    ['garbage', 'bytes=a-b'],
    ['a negative start', 'bytes=--5'],
  ])('ignores %s and serves the whole file', (_, header) => {
    expect(answerRange(header, size)).toEqual({ kind: 'whole' });
  });
});

describe('contentDisposition', () => {
  it('gives a plain name as it is', () => {
    expect(contentDisposition('attachment', 'report.pdf')).toBe(
      `attachment; filename="report.pdf"; filename*=UTF-8''report.pdf`,
    );
  });

  it('keeps any name in filename*, and an ASCII stand-in a quoted string can hold', () => {
    const value = contentDisposition('inline', 'Résumé "final" 100%\\(v2)*🎉.pdf');
    expect(value).toBe(
      `inline; filename="R_sum_ _final_ 100__(v2)*_.pdf"; ` +
        `filename*=UTF-8''R%C3%A9sum%C3%A9%20%22final%22%20100%25%5C%28v2%29%2A%F0%9F%8E%89.pdf`,
    );
    const encoded = value.split("filename*=UTF-8''")[1] as string;
    // RFC 8187 attr-chars only, and it decodes back to the name.
    expect(encoded).toMatch(/^[A-Za-z0-9!#$&+\-.^_`|~%]+$/);
    expect(decodeURIComponent(encoded)).toBe('Résumé "final" 100%\\(v2)*🎉.pdf');
  });
});

describe('fileResponse', () => {
  const file = (over: Partial<FileContent> = {}): FileContent => ({
    filename: 'a.pdf',
    contentType: 'application/pdf',
    disposition: 'attachment',
    size: 10,
    etag: '"x"',
    body: new Blob(['0123456789']).stream(),
    ...over,
  });

  it('sends the whole file to be saved, never sniffed, cached or read by other sites', async () => {
    const response = fileResponse(file());
    expect(response.status).toBe(200);
    expect(Object.fromEntries(response.headers)).toEqual({
      'accept-ranges': 'bytes',
      'cache-control': 'private, no-store',
      'content-disposition': `attachment; filename="a.pdf"; filename*=UTF-8''a.pdf`,
      'content-length': '10',
      'content-type': 'application/pdf',
      'cross-origin-resource-policy': 'same-origin',
      etag: '"x"',
      'x-content-type-options': 'nosniff',
    });
    expect(await response.text()).toBe('0123456789');
  });

  it('answers a range 206 with its place in the file', () => {
    const response = fileResponse(file({ range: { start: 2, end: 4 }, body: new Blob(['234']).stream() }));
    expect(response.status).toBe(206);
    expect(response.headers.get('content-range')).toBe('bytes 2-4/10');
    expect(response.headers.get('content-length')).toBe('3');
  });

  it('shows an inline file under a sandbox of its own, never framed', () => {
    const response = fileResponse(file({ disposition: 'inline' }));
    const policy = response.headers.get('content-security-policy') as string;
    expect(policy).toBe(INLINE_FILE_CONTENT_SECURITY_POLICY);
    expect(policy).not.toBe(API_CONTENT_SECURITY_POLICY);
    const directives = policy.split(';').map((d) => d.trim());
    expect(directives).toEqual(
      expect.arrayContaining(["default-src 'none'", "frame-ancestors 'none'", 'sandbox']),
    );
    expect(policy).not.toMatch(/script-src|allow-scripts|allow-same-origin/);
    expect(response.headers.get('content-disposition')).toMatch(/^inline; /);
  });
});
