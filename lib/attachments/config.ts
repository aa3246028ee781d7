import { z } from 'zod';
import type { BodyPace } from '@/lib/attachments/body-clock';
import { type Env, envFlag, loadEnv } from '@/lib/env';

const MiB = 1024 * 1024;

const positiveInt = z.coerce.number().int().positive();

const envSchema = z.object({
  UPLOAD_MAX_DOCUMENT_MB: positiveInt.default(25),
  UPLOAD_MAX_IMAGE_MB: positiveInt.default(5),
  UPLOAD_ALLOW_CSV: envFlag.default(true),
  UPLOAD_MAX_CONCURRENT: positiveInt.max(256).default(10),
  UPLOAD_MAX_CONCURRENT_PER_USER: positiveInt.max(256).default(3),
  UPLOAD_IDLE_TIMEOUT_SECONDS: positiveInt.max(3600).default(30),
  UPLOAD_MIN_BYTES_PER_SECOND: z.coerce.number().int().nonnegative().default(4096),
  CHAT_MAX_DOCUMENTS: positiveInt.default(50),
  CHAT_MAX_UPLOAD_MB: positiveInt.default(100),
  QUOTA_USER_MB: positiveInt.default(1024),
  QUOTA_TENANT_MB: positiveInt.default(10 * 1024),
  FILE_STORAGE_DIR: z.string().min(1).default('.data/files'),
});

/** Upload limits, per-chat limits, and per-user and per-tenant storage quotas. */
export interface AttachmentConfig {
  maxDocumentBytes: number;
  maxImageBytes: number;
  allowCsvUpload: boolean;
  /** Uploads in flight per process; more answer 503 with Retry-After. */
  maxConcurrentUploads: number;
  /** Uploads in flight per user in this process, so that one user cannot take every place. */
  maxConcurrentUploadsPerUser: number;
  /** How fast the client must send the upload's body; see lib/attachments/body-clock.ts. */
  bodyPace: BodyPace;
  /** Counts every document that is not deleted, failed ones included: a failed upload still took a slot the user can retry in. */
  maxDocumentsPerChat: number;
  maxTotalBytesPerChat: number;
  userQuotaBytes: number;
  tenantQuotaBytes: number;
  /** The losers of the vector-store creation race wait this long between looks. */
  vectorStorePollDelaysMs: readonly number[];
  /** How often, and how long, to ask the provider whether a document is searchable yet. */
  indexingPollIntervalMs: number;
  indexingTimeoutMs: number;
  fileStorageDir: string;
}

export function loadAttachmentConfig(env: Env = process.env): AttachmentConfig {
  const e = loadEnv(envSchema, 'upload', env);
  return {
    maxDocumentBytes: e.UPLOAD_MAX_DOCUMENT_MB * MiB,
    maxImageBytes: e.UPLOAD_MAX_IMAGE_MB * MiB,
    allowCsvUpload: e.UPLOAD_ALLOW_CSV,
    maxConcurrentUploads: e.UPLOAD_MAX_CONCURRENT,
    maxConcurrentUploadsPerUser: e.UPLOAD_MAX_CONCURRENT_PER_USER,
    bodyPace: {
      idleMs: e.UPLOAD_IDLE_TIMEOUT_SECONDS * 1000,
      minBytesPerSecond: e.UPLOAD_MIN_BYTES_PER_SECOND,
    },
    maxDocumentsPerChat: e.CHAT_MAX_DOCUMENTS,
    maxTotalBytesPerChat: e.CHAT_MAX_UPLOAD_MB * MiB,
    userQuotaBytes: e.QUOTA_USER_MB * MiB,
    tenantQuotaBytes: e.QUOTA_TENANT_MB * MiB,
    vectorStorePollDelaysMs: [100, 200, 400, 800, 1600],
    indexingPollIntervalMs: 500,
    indexingTimeoutMs: 10 * 60_000,
    fileStorageDir: e.FILE_STORAGE_DIR,
  };
}
