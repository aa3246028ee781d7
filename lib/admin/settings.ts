import { eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { recordAudit } from '@/lib/admin/audit';
import type { AttachmentConfig } from '@/lib/attachments/config';
import {
  allowlist,
  ceilingOf,
  effectiveLimits,
  TENANT_LIMITS,
  type TenantLimitField,
} from '@/lib/attachments/tenant-limits';
import type { Db } from '@/lib/db';
import { type TenantSettings, tenantSettings } from '@/lib/db/schema';
import { validationError } from '@/lib/errors';
import type { ModelCatalog } from '@/lib/models/catalog';
import { authorize, type Caller } from '@/lib/policy';
import { readTenantSettings } from '@/lib/tenants/settings';
import { parseInput } from '@/lib/validation';

/**
 * A tenant's limits, switches, allowed types, models and retention as its admin sets them. Every
 * limit is within the deployment's ceiling (an admin can tighten, never exceed); the tenant quota
 * is the deployment's alone. The row is read by every request it governs, so a change applies to
 * the next request of every process.
 */

export interface SettingsDeps {
  db: Db;
  config: AttachmentConfig;
  models: Pick<ModelCatalog, 'enabledModels'>;
}

/** Retention longer than ten years is a typo rather than a policy. */
export const RETENTION_MAX_DAYS = 3650;
const MiB = 1024 * 1024;

const SWITCHES = {
  uploads_enabled: 'disableUploads',
  images_enabled: 'disableImages',
  file_search_enabled: 'disableFileSearch',
  code_interpreter_enabled: 'disableCodeInterpreter',
} as const satisfies Record<string, keyof TenantSettings>;
type SwitchField = keyof typeof SWITCHES;

const limit = z.number().int().positive().nullable();
const typeList = z.array(z.string().max(128)).max(64).nullable();
const patchSchema = z
  .object({
    max_document_mb: limit,
    max_image_mb: limit,
    chat_max_documents: limit,
    chat_max_upload_mb: limit,
    quota_user_mb: limit,
    tenant_quota_mb: z.unknown(),
    allowed_types: typeList,
    enabled_models: typeList,
    uploads_enabled: z.boolean(),
    images_enabled: z.boolean(),
    file_search_enabled: z.boolean(),
    code_interpreter_enabled: z.boolean(),
    retention_days: z.number().int().positive().nullable(),
    retention_exempt_locked: z.boolean(),
  })
  .partial()
  .strict();
type SettingsPatch = z.output<typeof patchSchema>;

/** The settings as the API names them: null where the deployment's value applies. */
type SettingValues = Omit<Required<SettingsPatch>, 'tenant_quota_mb'>;

function valuesOf(row: TenantSettings | null): SettingValues {
  const limits = Object.fromEntries(
    Object.entries(TENANT_LIMITS).map(([field, { column }]) => [field, row?.[column] ?? null]),
  ) as Record<TenantLimitField, number | null>;
  const switches = Object.fromEntries(
    Object.entries(SWITCHES).map(([field, column]) => [field, !row?.[column]]),
  ) as Record<SwitchField, boolean>;
  return {
    ...limits,
    ...switches,
    allowed_types: row?.allowedTypes ?? null,
    enabled_models: row?.enabledModels ?? null,
    retention_days: row?.retentionDays ?? null,
    retention_exempt_locked: row?.retentionExemptLocked ?? false,
  };
}

/** Each field with its value and, beside it, the deployment's ceiling the admin may not exceed. */
function settingsView(deps: SettingsDeps, row: TenantSettings | null) {
  const values = valuesOf(row);
  const effective = effectiveLimits(deps.config, row);
  const limits = Object.fromEntries(
    (Object.keys(TENANT_LIMITS) as TenantLimitField[]).map((field) => {
      const { limit: key, unit } = TENANT_LIMITS[field];
      const view = {
        value: values[field],
        effective: Math.floor(effective[key] / unit),
        ceiling: ceilingOf(deps.config, field),
      };
      return [field, view];
    }),
  ) as Record<TenantLimitField, { value: number | null; effective: number; ceiling: number }>;
  const tenantQuota = Math.floor(deps.config.tenantQuotaBytes / MiB);
  return {
    ...limits,
    tenant_quota_mb: { value: tenantQuota, ceiling: tenantQuota, read_only: true as const },
    allowed_types: { value: values.allowed_types, ceiling: allowlist(deps.config) },
    enabled_models: {
      value: values.enabled_models,
      ceiling: deps.models.enabledModels().map((m) => ({ id: m.id, display_name: m.displayName })),
    },
    ...(Object.fromEntries(
      (Object.keys(SWITCHES) as SwitchField[]).map((field) => [field, { value: values[field] }]),
    ) as Record<SwitchField, { value: boolean }>),
    retention_days: { value: values.retention_days, ceiling: RETENTION_MAX_DAYS },
    retention_exempt_locked: { value: values.retention_exempt_locked },
    updated_at: row?.updatedAt.toISOString() ?? null,
  };
}

export type SettingsView = ReturnType<typeof settingsView>;

export async function getSettings(deps: SettingsDeps, caller: Caller | null): Promise<SettingsView> {
  const scope = authorize(caller, 'admin.settings.read');
  return settingsView(deps, await readTenantSettings(deps.db, scope.tenantId));
}

/** Every field above its ceiling or outside its list, named, so the form can mark each one. */
function ceilingErrors(deps: SettingsDeps, patch: SettingsPatch) {
  const errors: { field: string; message: string }[] = [];
  for (const field of Object.keys(TENANT_LIMITS) as TenantLimitField[]) {
    const value = patch[field];
    const ceiling = ceilingOf(deps.config, field);
    if (typeof value === 'number' && value > ceiling)
      errors.push({ field, message: `${field} can be at most ${ceiling}, the deployment's limit.` });
  }
  if (patch.tenant_quota_mb !== undefined)
    errors.push({ field: 'tenant_quota_mb', message: 'tenant_quota_mb is set by the deployment only.' });
  const outside = (list: readonly string[] | null | undefined, allowed: string[]) =>
    (list ?? []).filter((item) => !allowed.includes(item));
  const types = outside(patch.allowed_types, allowlist(deps.config));
  if (types.length > 0)
    errors.push({
      field: 'allowed_types',
      message: `Not in the deployment's allowlist: ${types.join(', ')}.`,
    });
  const models = outside(
    patch.enabled_models,
    deps.models.enabledModels().map((m) => m.id),
  );
  if (models.length > 0)
    errors.push({
      field: 'enabled_models',
      message: `Not a model of this deployment: ${models.join(', ')}.`,
    });
  if (patch.enabled_models?.length === 0)
    errors.push({ field: 'enabled_models', message: 'Leave at least one model enabled.' });
  if (typeof patch.retention_days === 'number' && patch.retention_days > RETENTION_MAX_DAYS)
    errors.push({ field: 'retention_days', message: `retention_days can be at most ${RETENTION_MAX_DAYS}.` });
  return errors;
}

function columnsOf(patch: SettingsPatch): Partial<typeof tenantSettings.$inferInsert> {
  const set: Partial<typeof tenantSettings.$inferInsert> = {};
  for (const [field, { column }] of Object.entries(TENANT_LIMITS)) {
    const value = patch[field as TenantLimitField];
    if (value !== undefined) set[column] = value;
  }
  for (const [field, column] of Object.entries(SWITCHES)) {
    const value = patch[field as SwitchField];
    if (value !== undefined) set[column] = !value;
  }
  if (patch.allowed_types !== undefined) set.allowedTypes = patch.allowed_types;
  if (patch.enabled_models !== undefined) set.enabledModels = patch.enabled_models;
  if (patch.retention_days !== undefined) set.retentionDays = patch.retention_days;
  if (patch.retention_exempt_locked !== undefined) set.retentionExemptLocked = patch.retention_exempt_locked;
  return set;
}

/**
 * Changes some settings; the audit entry records each changed field's value before and after, in
 * the same transaction as the change, which holds the tenant's row lock so that two admins'
 * concurrent changes each record what they really replaced.
 */
export async function updateSettings(
  deps: SettingsDeps,
  caller: Caller | null,
  input: unknown,
  requestId: string | null,
): Promise<SettingsView> {
  const scope = authorize(caller, 'admin.settings.update');
  const patch = parseInput(patchSchema, input ?? {});
  const errors = ceilingErrors(deps, patch);
  if (errors.length > 0) throw validationError(errors.map((e) => e.message).join(' '), errors);
  const row = await deps.db.transaction(async (tx) => {
    await tx.insert(tenantSettings).values({ tenantId: scope.tenantId }).onConflictDoNothing();
    const [current] = await tx
      .select()
      .from(tenantSettings)
      .where(eq(tenantSettings.tenantId, scope.tenantId))
      .for('update');
    const [updated] = await tx
      .update(tenantSettings)
      .set({ ...columnsOf(patch), updatedAt: sql`now()` })
      .where(eq(tenantSettings.tenantId, scope.tenantId))
      .returning();
    const before = valuesOf(current ?? null);
    const after = valuesOf(updated ?? null);
    const changed = (Object.keys(after) as (keyof SettingValues)[]).filter(
      (key) => JSON.stringify(before[key]) !== JSON.stringify(after[key]),
    );
    if (changed.length > 0) {
      await recordAudit(tx, {
        tenantId: scope.tenantId,
        actorId: caller?.userId ?? null,
        action: 'settings.update',
        targetType: 'tenant_settings',
        targetId: scope.tenantId,
        requestId,
        before: Object.fromEntries(changed.map((key) => [key, before[key]])),
        after: Object.fromEntries(changed.map((key) => [key, after[key]])),
      });
    }
    return updated ?? null;
  });
  return settingsView(deps, row);
}
