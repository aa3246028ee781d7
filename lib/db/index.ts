import { type Database, type Db, openDatabase, resolveDatabaseConfig } from './client';

export type { Db, Queryable, Tx } from './client';
export * as schema from './schema';

interface Holder {
  promise?: Promise<Database>;
}

// On globalThis so dev-mode module reloads reuse the open instance instead of opening the PGlite
// folder a second time.
const globals = globalThis as { __miniChatDatabase?: Holder };
globals.__miniChatDatabase ??= {};
const holder = globals.__miniChatDatabase;

/**
 * The process-wide database. The embedded PGlite database migrates itself on open (there is no
 * separate server to prepare); Postgres and Neon are migrated by `npm run db:migrate`.
 */
export function getDatabase(): Promise<Database> {
  holder.promise ??= (async () => {
    const database = await openDatabase(resolveDatabaseConfig());
    if (database.driver === 'pglite') await database.migrate();
    return database;
  })().catch((err) => {
    // A cached rejection would fail every later request; let the next caller try again.
    holder.promise = undefined;
    throw err;
  });
  return holder.promise;
}

export async function getDb(): Promise<Db> {
  return (await getDatabase()).db;
}

export async function closeDatabase(): Promise<void> {
  const promise = holder.promise;
  holder.promise = undefined;
  if (promise) await (await promise).close();
}
