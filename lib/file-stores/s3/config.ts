import { z } from 'zod';
import { type Env, envFlag, loadEnv } from '@/lib/env';

const MiB = 1024 * 1024;

const schema = z
  .object({
    FILE_STORE: z.enum(['local', 's3']).default('local'),
    S3_BUCKET: z.string().min(3).max(63).optional(),
    S3_REGION: z.string().min(1).optional(),
    S3_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
    S3_FORCE_PATH_STYLE: envFlag.default(false),
    // Safe in a key and in a listing's prefix: no leading slash, no dot segments.
    S3_KEY_PREFIX: z
      .string()
      .max(200)
      .regex(/^(?!\/)(?!.*\.\.)[A-Za-z0-9!_.*'()/-]+$/, 'Use letters, digits and / - _ . only.')
      .optional(),
    // S3 refuses parts under 5 MiB (but the last); the same size is the single-request threshold.
    S3_PART_SIZE_MB: z.coerce.number().int().min(5).max(512).default(8),
  })
  .superRefine((e, ctx) => {
    if (e.FILE_STORE !== 's3') return;
    for (const key of ['S3_BUCKET', 'S3_REGION'] as const) {
      if (!e[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'Required when FILE_STORE=s3.' });
    }
    if (!e.S3_ACCESS_KEY_ID !== !e.S3_SECRET_ACCESS_KEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['S3_SECRET_ACCESS_KEY'],
        message:
          'Set both S3_ACCESS_KEY_ID and S3_SECRET_ACCESS_KEY, or neither (the default credential chain).',
      });
    }
  });

export interface S3Config {
  bucket: string;
  region: string;
  /** Set for every S3-compatible store that is not AWS (R2, MinIO, B2...). */
  endpoint: string | undefined;
  forcePathStyle: boolean;
  /** Undefined: the SDK's default credential chain (environment, profile, instance role). */
  credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  /** '' or ending in '/': every key we write starts with it, so deployments can share a bucket. */
  keyPrefix: string;
  /** Bytes per multipart part; a file up to this size is sent in one request. */
  partSizeBytes: number;
}

/** The S3 store's settings when `FILE_STORE=s3`; undefined when the local index keeps its files on disk. */
export function loadS3Config(env: Env = process.env): S3Config | undefined {
  const e = loadEnv(schema, 'S3 file store', env);
  if (e.FILE_STORE !== 's3' || !e.S3_BUCKET || !e.S3_REGION) return undefined;
  const prefix = e.S3_KEY_PREFIX ?? '';
  return {
    bucket: e.S3_BUCKET,
    region: e.S3_REGION,
    endpoint: e.S3_ENDPOINT,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
    credentials:
      e.S3_ACCESS_KEY_ID && e.S3_SECRET_ACCESS_KEY
        ? { accessKeyId: e.S3_ACCESS_KEY_ID, secretAccessKey: e.S3_SECRET_ACCESS_KEY }
        : undefined,
    keyPrefix: prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`,
    partSizeBytes: e.S3_PART_SIZE_MB * MiB,
  };
}
