import type { AttachmentConfig } from '@/lib/attachments/config';
import type { Queryable } from '@/lib/db';
import type { TenantSettings } from '@/lib/db/schema';
import { readTenantSettings } from '@/lib/tenants/settings';
import { acceptedTypes } from './mime';

const MiB = 1024 * 1024;

/** The limits an upload is held to: the deployment's ceilings, tightened by the tenant's settings. */
export interface UploadLimitValues {
  maxDocumentBytes: number;
  maxImageBytes: number;
  maxDocumentsPerChat: number;
  maxTotalBytesPerChat: number;
  userQuotaBytes: number;
  /** Set by the deployment only. */
  tenantQuotaBytes: number;
  /** Content types accepted (as `acceptedTypes` lists them); null: the whole allowlist. */
  allowedTypes: readonly string[] | null;
}

type NumericLimit = Exclude<keyof UploadLimitValues, 'allowedTypes' | 'tenantQuotaBytes'>;
type LimitColumn = 'maxDocumentMb' | 'maxImageMb' | 'chatMaxDocuments' | 'chatMaxUploadMb' | 'quotaUserMb';

/**
 * Each limit a tenant admin may tighten: its settings column, the configured ceiling it may not
 * exceed, and the unit the admin sets it in (a whole number of MB, or a count).
 */
export const TENANT_LIMITS = {
  max_document_mb: { column: 'maxDocumentMb', limit: 'maxDocumentBytes', unit: MiB },
  max_image_mb: { column: 'maxImageMb', limit: 'maxImageBytes', unit: MiB },
  chat_max_documents: { column: 'chatMaxDocuments', limit: 'maxDocumentsPerChat', unit: 1 },
  chat_max_upload_mb: { column: 'chatMaxUploadMb', limit: 'maxTotalBytesPerChat', unit: MiB },
  quota_user_mb: { column: 'quotaUserMb', limit: 'userQuotaBytes', unit: MiB },
} as const satisfies Record<string, { column: LimitColumn; limit: NumericLimit; unit: number }>;

export type TenantLimitField = keyof typeof TENANT_LIMITS;

/** A limit's ceiling in the unit an admin sets it in (the configured MB, or the count). */
export const ceilingOf = (config: AttachmentConfig, field: TenantLimitField): number =>
  Math.floor(config[TENANT_LIMITS[field].limit] / TENANT_LIMITS[field].unit);

/** Every type the deployment accepts: what a tenant's allowed types are a subset of. */
export const allowlist = (config: AttachmentConfig): string[] =>
  acceptedTypes({ allowCsv: config.allowCsvUpload }).map((type) => type.mime);

/** min(ceiling, tenant setting) for each limit; a settings row of only switches leaves them all at the ceiling. */
export function effectiveLimits(
  config: AttachmentConfig,
  settings: Partial<TenantSettings> | null,
): UploadLimitValues {
  const limits: UploadLimitValues = {
    maxDocumentBytes: config.maxDocumentBytes,
    maxImageBytes: config.maxImageBytes,
    maxDocumentsPerChat: config.maxDocumentsPerChat,
    maxTotalBytesPerChat: config.maxTotalBytesPerChat,
    userQuotaBytes: config.userQuotaBytes,
    tenantQuotaBytes: config.tenantQuotaBytes,
    allowedTypes: null,
  };
  for (const { column, limit, unit } of Object.values(TENANT_LIMITS)) {
    const value = settings?.[column];
    if (typeof value === 'number') limits[limit] = Math.min(limits[limit], value * unit);
  }
  const allowed = settings?.allowedTypes;
  if (allowed) {
    const deployment = new Set(allowlist(config));
    limits.allowedTypes = allowed.filter((mime) => deployment.has(mime));
  }
  return limits;
}

/** The tenant's limits now, read within the caller's transaction when it has one. */
export async function readEffectiveLimits(
  q: Queryable,
  config: AttachmentConfig,
  tenantId: string,
): Promise<UploadLimitValues> {
  return effectiveLimits(config, await readTenantSettings(q, tenantId));
}
