import { randomUUID } from 'node:crypto';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import { buildApp } from 'fauxqs';
import { afterAll, beforeAll } from 'vitest';
import { type S3Config, s3Bytes } from '@/lib/file-stores/s3';

const MiB = 1024 * 1024;

/**
 * A real S3-compatible server on loopback: fauxqs (an npm devDependency), speaking the S3 REST
 * API over HTTP with SigV4, multipart uploads (enforcing the 5 MiB minimum part), ranges,
 * ListObjectsV2 and DeleteObjects. It keeps objects in this process's memory. It does not
 * implement ListMultipartUploads (it answers with an object listing, which reads as no uploads),
 * so `unfinishedUploads` below asks the one question it does answer about them: a bucket with an
 * unfinished multipart upload cannot be deleted.
 */
export interface S3TestServer {
  endpoint: string;
  port: number;
  /** A client of its own, as an operator's tool would be. */
  client: S3Client;
  /** A fresh, empty bucket, and the store's configuration for it. */
  bucket(options?: { keyPrefix?: string; partSizeMb?: number }): Promise<S3Config>;
  /** The variables that make an app process use `config`'s bucket (FILE_STORE=s3 and the rest). */
  env(config: S3Config): Record<string, string>;
  keys(bucket: string, prefix?: string): Promise<string[]>;
  /** Whether the bucket holds an unfinished multipart upload; empties the bucket of objects to ask. */
  unfinishedUploads(bucket: string): Promise<boolean>;
  close(): Promise<void>;
}

const CREDENTIALS = { accessKeyId: 'test-key', secretAccessKey: 'test-secret' };

export async function startS3Server(options: { port?: number } = {}): Promise<S3TestServer> {
  const app = buildApp({ logger: false });
  const address = await app.listen({ port: options.port ?? 0, host: '127.0.0.1' });
  const endpoint = new URL(address).origin;
  const client = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: CREDENTIALS,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const keys = async (Bucket: string, Prefix = '') => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken: token }));
      for (const object of page.Contents ?? []) if (object.Key) out.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out.sort();
  };
  return {
    endpoint,
    port: Number(new URL(address).port),
    client,
    bucket: async ({ keyPrefix = '', partSizeMb = 5 } = {}) => {
      const bucket = `test-${randomUUID()}`;
      await client.send(new CreateBucketCommand({ Bucket: bucket }));
      return {
        bucket,
        region: 'us-east-1',
        endpoint,
        forcePathStyle: true,
        credentials: CREDENTIALS,
        keyPrefix,
        partSizeBytes: partSizeMb * MiB,
      };
    },
    env: (config) => ({
      FILE_STORE: 's3',
      S3_BUCKET: config.bucket,
      S3_REGION: config.region,
      S3_ENDPOINT: endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      S3_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      S3_KEY_PREFIX: config.keyPrefix,
      S3_PART_SIZE_MB: String(config.partSizeBytes / MiB),
    }),
    keys,
    unfinishedUploads: async (Bucket) => {
      const objects = (await keys(Bucket)).map((Key) => ({ Key }));
      if (objects.length > 0)
        await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects: objects } }));
      try {
        await client.send(new DeleteBucketCommand({ Bucket }));
      } catch (err) {
        if ((err as Error).name === 'BucketNotEmpty') return true;
        throw err;
      }
      await client.send(new CreateBucketCommand({ Bucket }));
      return false;
    },
    close: async () => {
      client.destroy();
      await app.close();
    },
  };
}

/** One S3 server for a test file. */
export function s3ServerForFile(): () => S3TestServer {
  let server: S3TestServer | undefined;
  beforeAll(async () => {
    server = await startS3Server();
  });
  afterAll(() => server?.close());
  return () => {
    if (!server) throw new Error('the S3 server is not running');
    return server;
  };
}

/** The S3 bytes of the local index, over a fresh bucket of `server`. */
export async function s3BytesOn(server: S3TestServer, options?: { keyPrefix?: string; partSizeMb?: number }) {
  const config = await server.bucket(options);
  return { config, bytes: s3Bytes(config) };
}
