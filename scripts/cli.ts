import { type Database, openDatabase, resolveDatabaseConfig } from '@/lib/db/client';
import { DatabaseFolderInUseError } from '@/lib/db/pglite-lock';
import { AppError } from '@/lib/errors';

/**
 * Runs an operator command against the configured database. The PGlite folder lock makes a
 * command refuse, with a clear message, to run beside a server holding the same folder.
 */
export async function runCli(command: (database: Database) => Promise<void>): Promise<void> {
  let database: Database | undefined;
  try {
    database = await openDatabase(resolveDatabaseConfig());
    if (database.driver === 'pglite') await database.migrate();
    await command(database);
  } catch (err) {
    if (err instanceof DatabaseFolderInUseError || err instanceof AppError) {
      console.error(`error: ${err.message}`);
    } else {
      console.error(err);
    }
    process.exitCode = 1;
  } finally {
    await database?.close();
  }
}

export function usage(text: string): never {
  console.error(text);
  process.exit(2);
}
