import { afterAll, inject } from 'vitest';
import { closeDatabase } from '@/lib/runtime';

// Point the app's own database module (lib/db) at this run's database before any test uses it,
// so services and route handlers are exercised exactly as in production.
const driver = inject('testDriver');
process.env.DATABASE_DRIVER = driver;
if (driver === 'pglite') {
  process.env.PGLITE_DIR = 'memory://';
  delete process.env.DATABASE_URL;
} else {
  process.env.DATABASE_URL = inject('databaseUrl');
  process.env.NEON_WS_PROXY = inject('neonWsProxy');
}

afterAll(closeDatabase);
