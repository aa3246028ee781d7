import { z } from 'zod';
import type { Db } from '@/lib/db';
import { validationError } from '@/lib/errors';
import { authorize, type Caller } from '@/lib/policy';
import { measureRetention } from '@/lib/retention/policy';
import { readTenantSettings } from '@/lib/tenants/settings';
import { parseInput } from '@/lib/validation';
import { RETENTION_MAX_DAYS } from './settings';

/** A policy to try before saving it; each field left out is the saved policy's. */
const dryRunInput = z
  .object({
    retention_days: z.number().int().positive().max(RETENTION_MAX_DAYS),
    retention_exempt_locked: z.boolean(),
  })
  .partial()
  .strict();

export interface RetentionDryRun {
  retention_days: number;
  retention_exempt_locked: boolean;
  files: number;
  bytes: number;
}

/** How many files and bytes a retention policy (the saved one, or one being tried) would delete now. */
export async function retentionDryRun(
  db: Db,
  caller: Caller | null,
  input: unknown,
  now = new Date(),
): Promise<RetentionDryRun> {
  const scope = authorize(caller, 'admin.retention.dry_run');
  const tried = parseInput(dryRunInput, input ?? {});
  const saved = await readTenantSettings(db, scope.tenantId);
  const days = tried.retention_days ?? saved?.retentionDays ?? null;
  if (days === null) {
    throw validationError('Retention is off: give retention_days to try a policy.', [
      { field: 'retention_days', message: 'Give the number of days to try.' },
    ]);
  }
  const exemptLocked = tried.retention_exempt_locked ?? saved?.retentionExemptLocked ?? false;
  const measured = await measureRetention(db, scope.tenantId, { days, exemptLocked }, now);
  return { retention_days: days, retention_exempt_locked: exemptLocked, ...measured };
}
