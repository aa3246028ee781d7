import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  expectedPartBytes,
  PART_SIZE,
  parseContentDigest,
  parsePartNumber,
  partCountFor,
} from '@/lib/attachments/chunked/protocol';
import { AppError } from '@/lib/errors';

const code = (run: () => unknown) => {
  try {
    run();
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
  return 'ok';
};

describe('the chunked upload protocol', () => {
  it('cuts a file into 4 MiB parts, the last holding the rest', () => {
    expect(PART_SIZE).toBe(4_194_304);
    expect(partCountFor(1)).toBe(1);
    expect(partCountFor(PART_SIZE)).toBe(1);
    expect(partCountFor(PART_SIZE + 1)).toBe(2);
    const upload = {
      sizeBytes: 25 * 1024 * 1024,
      partSize: PART_SIZE,
      partCount: partCountFor(25 * 1024 * 1024),
    };
    expect(upload.partCount).toBe(7);
    expect(expectedPartBytes(upload, 1)).toBe(PART_SIZE);
    expect(expectedPartBytes(upload, 7)).toBe(25 * 1024 * 1024 - 6 * PART_SIZE);
  });

  it('takes a part number only as a plain decimal within the count', () => {
    expect(parsePartNumber('1', 7)).toBe(1);
    expect(parsePartNumber('7', 7)).toBe(7);
    for (const raw of ['0', '8', '-1', '1.0', '1e0', '0x1', '01', ' 1', '1 ', '', 'NaN', 'Infinity', '９']) {
      expect(
        code(() => parsePartNumber(raw, 7)),
        raw,
      ).toBe('validation_error');
    }
  });

  it('reads the SHA-256 member of Content-Digest (RFC 9530) and nothing else', () => {
    const digest = createHash('sha256').update('part').digest();
    const b64 = digest.toString('base64');
    expect(parseContentDigest(`sha-256=:${b64}:`).equals(digest)).toBe(true);
    expect(parseContentDigest(`SHA-256=:${b64}:`).equals(digest)).toBe(true);
    expect(
      parseContentDigest(`sha-512=:${Buffer.alloc(64).toString('base64')}:, sha-256=:${b64}:`).equals(digest),
    ).toBe(true);
    for (const header of [
      null,
      '',
      `sha-256=${b64}`,
      `sha-256=:${b64.slice(4)}:`,
      `md5=:${b64}:`,
      `sha-256=:${digest.toString('hex')}:`,
    ]) {
      expect(
        code(() => parseContentDigest(header)),
        String(header),
      ).toBe('validation_error');
    }
  });
});
