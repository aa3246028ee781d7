import { eq } from 'drizzle-orm';
import type { Queryable } from '@/lib/db';
import { type TenantSettings, tenantSettings } from '@/lib/db/schema';
import { errorFields, log } from '@/lib/log';

/**
 * A tenant's settings row, read from the database on every request that needs it: an admin's
 * change applies to the next request of every process, with no cache to go stale. Null when the
 * tenant has none: nothing is switched off and every limit is the deployment's.
 */
export async function readTenantSettings(q: Queryable, tenantId: string): Promise<TenantSettings | null> {
  const [row] = await q.select().from(tenantSettings).where(eq(tenantSettings.tenantId, tenantId));
  return row ?? null;
}

/** A tenant's kill switches: null when the tenant has no settings row, so nothing is switched off. */
export type KillSwitches = Pick<
  TenantSettings,
  'disableUploads' | 'disableImages' | 'disableFileSearch' | 'disableCodeInterpreter' | 'enabledModels'
> | null;

/** The settings row, or with the switches unknown, every tool switched off (fail closed). */
export async function readKillSwitches(q: Queryable, tenantId: string): Promise<KillSwitches> {
  try {
    return await readTenantSettings(q, tenantId);
  } catch (err) {
    log.error({ err: errorFields(err) }, 'kill switch lookup failed');
    return {
      disableUploads: false,
      disableImages: true,
      disableFileSearch: true,
      disableCodeInterpreter: true,
      enabledModels: null,
    };
  }
}
