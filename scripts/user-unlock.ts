import { parseArgs } from 'node:util';
import { unlockAccount, unlockAddress } from '@/lib/auth/sign-in';
import { runCli, usage } from './cli';

const { values } = parseArgs({ options: { email: { type: 'string' }, address: { type: 'string' } } });
if (!values.email && !values.address) usage('usage: npm run -s user:unlock -- --email E | --address A');

// Locks are kept for unknown emails too (a lock must not tell whether an account exists), so an
// email without an account is no error here.
await runCli(async ({ db }) => {
  const report: Record<string, unknown> = {};
  if (values.email)
    Object.assign(report, { email: values.email, unlocked: await unlockAccount(db, values.email) });
  if (values.address) {
    Object.assign(report, {
      address: values.address,
      address_unlocked: await unlockAddress(db, values.address),
    });
  }
  console.log(JSON.stringify(report));
});
