import { describe, expect, it } from 'vitest';
import { loadS3Config } from '@/lib/file-stores/s3/config';

const base = { FILE_STORE: 's3', S3_BUCKET: 'files', S3_REGION: 'eu-west-1' };

describe('S3 file store configuration', () => {
  it('is off unless FILE_STORE=s3, whatever else is set', () => {
    expect(loadS3Config({})).toBeUndefined();
    expect(loadS3Config({ ...base, FILE_STORE: 'local' })).toBeUndefined();
  });

  it('reads the bucket, with the default credential chain and no prefix by default', () => {
    expect(loadS3Config(base)).toEqual({
      bucket: 'files',
      region: 'eu-west-1',
      endpoint: undefined,
      forcePathStyle: false,
      credentials: undefined,
      keyPrefix: '',
      partSizeBytes: 8 * 1024 * 1024,
    });
  });

  it('takes an endpoint, path-style, keys and a prefix, which always ends in a slash', () => {
    expect(
      loadS3Config({
        ...base,
        S3_ENDPOINT: 'http://127.0.0.1:9000',
        S3_FORCE_PATH_STYLE: 'true',
        S3_ACCESS_KEY_ID: 'id',
        S3_SECRET_ACCESS_KEY: 'secret',
        S3_KEY_PREFIX: 'deployments/eu',
        S3_PART_SIZE_MB: '16',
      }),
    ).toMatchObject({
      endpoint: 'http://127.0.0.1:9000',
      forcePathStyle: true,
      credentials: { accessKeyId: 'id', secretAccessKey: 'secret' },
      keyPrefix: 'deployments/eu/',
      partSizeBytes: 16 * 1024 * 1024,
    });
  });

  it.each([
    [{ S3_BUCKET: undefined }, /S3_BUCKET: Required when FILE_STORE=s3/],
    [{ S3_REGION: undefined }, /S3_REGION: Required when FILE_STORE=s3/],
    [{ S3_ACCESS_KEY_ID: 'id' }, /S3_SECRET_ACCESS_KEY: Set both/],
    [{ S3_PART_SIZE_MB: '4' }, /S3_PART_SIZE_MB/],
    [{ S3_KEY_PREFIX: '/abs' }, /S3_KEY_PREFIX/],
    [{ S3_KEY_PREFIX: 'a/../b' }, /S3_KEY_PREFIX/],
    [{ S3_ENDPOINT: 'ftp://x' }, /S3_ENDPOINT/],
    [{ FILE_STORE: 'disk' }, /FILE_STORE/],
  ])('stops start-up on %o', (override, message) => {
    expect(() => loadS3Config({ ...base, ...override })).toThrow(message);
  });
});
