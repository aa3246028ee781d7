import 'server-only';
import { S3Client } from '@aws-sdk/client-s3';
import { FileStoreError, type FileStoreErrorCode } from '@/lib/file-stores/ports';
import type { S3Config } from './config';

/**
 * The SDK's client for the configured bucket. Since early 2025 the SDK adds CRC32 checksums to
 * every upload and validates them on every download, which several S3-compatible stores reject or
 * do not send; against any endpoint that is not AWS's own, checksums are computed only where the
 * API requires them (DeleteObjects).
 */
export function createS3Client(config: S3Config): S3Client {
  const checksums = config.endpoint ? 'WHEN_REQUIRED' : 'WHEN_SUPPORTED';
  return new S3Client({
    region: config.region,
    ...(config.endpoint ? { endpoint: config.endpoint } : {}),
    forcePathStyle: config.forcePathStyle,
    ...(config.credentials ? { credentials: config.credentials } : {}),
    requestChecksumCalculation: checksums,
    responseChecksumValidation: checksums,
    maxAttempts: 3,
  });
}

export const statusOf = (err: unknown): number | undefined =>
  (err as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;

export const isNotFound = (err: unknown): boolean =>
  statusOf(err) === 404 || ['NoSuchKey', 'NotFound', 'NoSuchUpload'].includes((err as Error)?.name);

/**
 * An S3 call that failed, as the port's error. The message names the operation only: the SDK's
 * own words carry the bucket and the key, which stay in the cause, for logs.
 */
export function s3Failure(code: FileStoreErrorCode, operation: string, cause: unknown): FileStoreError {
  if (cause instanceof FileStoreError) return cause;
  return new FileStoreError(code, `S3 ${operation} failed`, { status: statusOf(cause), cause });
}
