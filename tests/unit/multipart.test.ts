import { describe, expect, it } from 'vitest';
import { openFilePart } from '@/lib/http/multipart';
import { failure } from '@/tests/support/fixtures';

const BOUNDARY = '----minichat-unit-boundary';

/** A multipart body with the given raw header lines for each part. */
function request(parts: { headers: string[]; data: string }[]): Request {
  const body = parts
    .map((part) => `--${BOUNDARY}\r\n${part.headers.join('\r\n')}\r\n\r\n${part.data}\r\n`)
    .join('');
  return new Request('http://localhost/api/upload', {
    method: 'POST',
    headers: { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` },
    body: `${body}--${BOUNDARY}--\r\n`,
  });
}

const filePart = (filename: string, extra: string[] = [], data = 'hello') => ({
  headers: [
    `Content-Disposition: form-data; name="file"; filename="${filename}"`,
    ...extra,
    'Content-Type: text/plain',
  ],
  data,
});

async function text(body: AsyncIterable<Uint8Array>) {
  const chunks: Uint8Array[] = [];
  for await (const chunk of body) chunks.push(chunk);
  return Buffer.concat(chunks).toString();
}

describe('openFilePart', () => {
  it('hands over the file part after the fields before it, with its name and type', async () => {
    const part = await openFilePart(
      request([
        { headers: ['Content-Disposition: form-data; name="note"'], data: 'a field' },
        filePart('notes.txt'),
      ]),
    );
    expect(part).toMatchObject({ filename: 'notes.txt', contentType: 'text/plain' });
    expect(await text(part.body)).toBe('hello');
  });

  it('takes a long name that fits in the headers whole', async () => {
    const name = `${'n'.repeat(8 * 1024)}.txt`;
    const part = await openFilePart(request([filePart(name)]));
    expect(part.filename).toBe(name);
    expect(await text(part.body)).toBe('hello');
  });

  it('refuses a file name too long for the headers as filename_too_long, wherever the name comes', async () => {
    const huge = `${'a'.repeat(200 * 1024)}.txt`;
    const nameFirst = {
      headers: [
        `Content-Disposition: form-data; filename="${huge}"; name="file"`,
        'Content-Type: text/plain',
      ],
      data: 'hello',
    };
    const typeFirst = {
      headers: [
        'Content-Type: text/plain',
        `Content-Disposition: form-data; name="file"; filename="${huge}"`,
      ],
      data: 'hello',
    };
    // Over busboy's 80 KiB, which it would cut, and over our 16 KiB, which it would keep.
    for (const part of [filePart(huge), nameFirst, typeFirst, filePart(`${'b'.repeat(20 * 1024)}.txt`)]) {
      const error = await failure(openFilePart(request([part])));
      expect(error).toMatchObject({ code: 'filename_too_long', status: 400 });
    }
  });

  it('refuses other oversized or overlong part headers as a malformed body', async () => {
    const junk = filePart('notes.txt', [`X-Junk: ${'j'.repeat(200 * 1024)}`]);
    const many = filePart(
      'notes.txt',
      Array.from({ length: 150 }, (_, i) => `X-Line-${i}: ${i}`),
    );
    const field = {
      headers: [`Content-Disposition: form-data; name="${'f'.repeat(100 * 1024)}"`],
      data: 'x',
    };
    for (const parts of [[junk], [many], [field, filePart('notes.txt')]]) {
      const error = await failure(openFilePart(request(parts)));
      expect(error).toMatchObject({ code: 'multipart_error', status: 400 });
    }
  });

  it('still names a file part without a type as missing_content_type', async () => {
    const untyped = { headers: ['Content-Disposition: form-data; name="file"; filename="a.txt"'], data: 'x' };
    expect((await failure(openFilePart(request([untyped])))).code).toBe('missing_content_type');
  });
});
