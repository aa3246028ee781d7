import { afterAll, beforeAll, inject } from 'vitest';
import { openDatabase } from '@/lib/db/client';
import { closeDatabase } from '@/lib/runtime';
import { createDatabase, dropDatabase } from './postgres';

/**
 * A database for this test file alone. On PostgreSQL the run's files share one database, and a
 * worker drains (and a reaper sweeps) whatever it finds there, including other files' rows;
 * PGlite already gives each file its own.
 */
export function ownDatabaseForFile(): void {
  const driver = inject('testDriver');
  if (driver === 'pglite') return;
  let name: string | undefined;
  beforeAll(async () => {
    await closeDatabase();
    const created = await createDatabase('minichat_worker');
    name = created.name;
    const database = await openDatabase({ driver, url: created.url, neonWsProxy: process.env.NEON_WS_PROXY });
    await database.migrate().finally(() => database.close());
    process.env.DATABASE_URL = created.url;
  });
  afterAll(async () => {
    await closeDatabase();
    if (name) await dropDatabase(name);
  });
}
