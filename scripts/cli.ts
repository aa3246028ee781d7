import path from 'node:path';
import { type Database, type DatabaseConfig, openDatabase, resolveDatabaseConfig } from '@/lib/db/client';
import { DatabaseFolderInUseError } from '@/lib/db/pglite-lock';
import { EnvironmentError } from '@/lib/deploy-env';
import { AppError } from '@/lib/errors';
import { assertEnvironment } from '@/lib/runtime';

/**
 * Runs an operator command against the configured database, once the environment has passed the
 * same check as the server's (`deploy`: Vercel's rules even off Vercel, for vercel-build). The
 * PGlite folder lock makes a command refuse, with a clear message, to run beside a server holding
 * the same folder.
 */
export async function runCli(
  command: (database: Database) => Promise<void>,
  options: { deploy?: boolean; database?: () => DatabaseConfig } = {},
): Promise<void> {
  let database: Database | undefined;
  try {
    assertEnvironment(path.basename(process.argv[1] ?? 'command', '.ts'), { deploy: options.deploy });
    database = await openDatabase((options.database ?? resolveDatabaseConfig)());
    if (database.driver === 'pglite') await database.migrate();
    await command(database);
  } catch (err) {
    if (
      err instanceof DatabaseFolderInUseError ||
      err instanceof AppError ||
      err instanceof EnvironmentError
    ) {
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
