import { sql } from 'drizzle-orm';
import { describe, expect, inject, it } from 'vitest';
import { type Database, openDatabase } from '@/lib/db/client';
import { isUniqueViolation } from '@/lib/db/errors';
import { tenants } from '@/lib/db/schema';
import { createDatabase, dropDatabase } from '@/tests/support/postgres';

const driver = inject('testDriver');

/** A brand-new empty database on this run's driver. */
async function emptyDatabase(): Promise<{ database: Database; drop: () => Promise<void> }> {
  if (driver === 'pglite') {
    const database = await openDatabase({ driver, pgliteDir: 'memory://' });
    return { database, drop: async () => {} };
  }
  const { name, url } = await createDatabase('minichat_migrate');
  const database = await openDatabase({ driver, url, neonWsProxy: inject('neonWsProxy') || undefined });
  return { database, drop: () => dropDatabase(name) };
}

describe(`migrations on ${driver}`, () => {
  it('build the schema from empty, and a second run is a no-op', async () => {
    const { database, drop } = await emptyDatabase();
    try {
      const { db } = database;
      const before = await db.execute(sql`select to_regclass('public.chats') as t`);
      expect(rows(before)[0]?.t).toBeNull();

      await database.migrate();
      const tables = rows(
        await db.execute(sql`select table_name from information_schema.tables where table_schema = 'public'`),
      ).map((r) => r.table_name);
      expect(tables).toEqual(expect.arrayContaining(['tenants', 'users', 'api_tokens', 'chats']));

      await database.migrate();
      const applied = rows(
        await db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
      );
      expect(applied[0]?.n).toBeGreaterThan(0);

      // Driver errors surface the same way on every driver: SQLSTATE and constraint in err.cause.
      await db.insert(tenants).values({ slug: 'dup', name: 'one' });
      const err = await db
        .insert(tenants)
        .values({ slug: 'dup', name: 'two' })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(isUniqueViolation(err, 'tenants_slug_uq')).toBe(true);
      expect(isUniqueViolation(err, 'some_other_constraint')).toBe(false);
      expect((err as { cause?: { code?: string } }).cause?.code).toBe('23505');
    } finally {
      await database.close();
      await drop();
    }
  });
});

// drizzle's execute() returns rows directly on some drivers and a result object on others.
function rows(result: unknown): Record<string, unknown>[] {
  return (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];
}
