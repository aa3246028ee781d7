import type { TestProject } from 'vitest/node';
import { openDatabase } from '@/lib/db/client';
import { createDatabase, dropDatabase } from './postgres';
import { startWsProxy } from './ws-proxy';

export type TestDriver = 'pglite' | 'pg' | 'neon';

declare module 'vitest' {
  export interface ProvidedContext {
    testDriver: TestDriver;
    databaseUrl: string;
    neonWsProxy: string;
  }
}

/**
 * TEST_DB picks the driver the integration suite runs on. PGlite needs nothing here (each test
 * file opens its own in-memory database); pg and neon get one freshly created, migrated database
 * for the run, dropped afterwards, and neon also a local WebSocket proxy.
 */
export default async function setup(project: TestProject) {
  const driver = (process.env.TEST_DB ?? 'pglite') as TestDriver;
  project.provide('testDriver', driver);
  project.provide('databaseUrl', '');
  project.provide('neonWsProxy', '');
  if (driver === 'pglite') return;

  const { name, url } = await createDatabase();
  const proxy = driver === 'neon' ? await startWsProxy() : undefined;
  const teardown = async () => {
    await proxy?.close();
    await dropDatabase(name);
  };
  const neonWsProxy = proxy ? `127.0.0.1:${proxy.port}` : '';
  try {
    const database = await openDatabase({ driver, url, neonWsProxy });
    await database.migrate().finally(() => database.close());
  } catch (err) {
    await teardown();
    throw err;
  }
  project.provide('databaseUrl', url);
  project.provide('neonWsProxy', neonWsProxy);
  return teardown;
}
