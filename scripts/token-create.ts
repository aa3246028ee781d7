import { parseArgs } from 'node:util';
import { createTokenForUser } from '@/lib/auth/tokens';
import { findUserIdByEmail } from '@/lib/auth/users';
import { AppError } from '@/lib/errors';
import { runCli, usage } from './cli';

const { values } = parseArgs({
  options: { email: { type: 'string' }, name: { type: 'string', default: 'cli' } },
});
if (!values.email) usage('usage: npm run -s token:create -- --email E [--name NAME]');

await runCli(async ({ db }) => {
  const userId = await findUserIdByEmail(db, values.email as string);
  if (!userId) throw new AppError('not_found', `There is no user with email ${values.email}.`);
  // Only the token on stdout, so that `TOKEN=$(npm run -s token:create -- --email …)` works.
  console.log((await createTokenForUser(db, userId, values.name as string)).token);
});
