import { parseArgs } from 'node:util';
import { migrationDatabaseConfig } from '@/lib/db/client';
import { seedDemoData } from '@/lib/db/seed';
import { runCli } from './cli';

// `--deploy` (vercel-build): the deployment's rules even off Vercel, so a build without
// DATABASE_URL fails here, loudly, instead of migrating an embedded database nobody will use.
const { values } = parseArgs({
  options: { 'seed-demo': { type: 'boolean', default: false }, deploy: { type: 'boolean', default: false } },
});

await runCli(
  async (database) => {
    await database.migrate();
    console.error(`migrations applied (${database.driver})`);
    // Demo accounts are for development only; a production database is never seeded.
    if (values['seed-demo'] && process.env.NODE_ENV !== 'production' && (await seedDemoData(database.db))) {
      console.error('seeded demo tenants acme and globex (see README for the sign-ins)');
    }
  },
  { deploy: values.deploy, database: () => migrationDatabaseConfig() },
);
