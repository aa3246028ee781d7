import { parseArgs } from 'node:util';
import { seedDemoData } from '@/lib/db/seed';
import { runCli } from './cli';

const { values } = parseArgs({ options: { 'seed-demo': { type: 'boolean', default: false } } });

await runCli(async (database) => {
  await database.migrate();
  console.error(`migrations applied (${database.driver})`);
  // Demo accounts are for development only; a production database is never seeded.
  if (values['seed-demo'] && process.env.NODE_ENV !== 'production' && (await seedDemoData(database.db))) {
    console.error('seeded demo tenants acme and globex (see README for the sign-ins)');
  }
});
