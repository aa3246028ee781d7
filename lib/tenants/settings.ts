import { eq } from 'drizzle-orm';
import type { Db } from '@/lib/db';
import { tenantSettings } from '@/lib/db/schema';
import { errorFields, log } from '@/lib/log';

/** A tenant's kill switches: null when the tenant has no settings row, so nothing is switched off. */
export type KillSwitches = Awaited<ReturnType<typeof readKillSwitches>>;

export async function readKillSwitches(db: Db, tenantId: string) {
  try {
    const [row] = await db.select().from(tenantSettings).where(eq(tenantSettings.tenantId, tenantId));
    return row ?? null;
  } catch (err) {
    // Fail closed: with the switches unknown, every tool counts as switched off.
    log.error({ err: errorFields(err) }, 'kill switch lookup failed');
    return {
      disableUploads: false,
      disableImages: true,
      disableFileSearch: true,
      disableCodeInterpreter: true,
    };
  }
}
