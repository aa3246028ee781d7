import { parseArgs } from 'node:util';
import { findUserIdByEmail, setUserDisabled } from '@/lib/auth/users';
import { AppError } from '@/lib/errors';
import { runCli, usage } from './cli';

// `user:disable` and `user:enable` (which adds --enable) share this file.
const { values } = parseArgs({ options: { email: { type: 'string' }, enable: { type: 'boolean' } } });
if (!values.email) usage(`usage: npm run -s user:${values.enable ? 'enable' : 'disable'} -- --email E`);

await runCli(async ({ db }) => {
  const userId = await findUserIdByEmail(db, values.email as string);
  if (!userId) throw new AppError('not_found', `There is no user with email ${values.email}.`);
  const changed = await setUserDisabled(db, userId, !values.enable);
  console.log(JSON.stringify({ email: values.email, disabled: !values.enable, changed }));
});
