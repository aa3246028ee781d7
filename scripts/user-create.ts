import { parseArgs } from 'node:util';
import { createUser } from '@/lib/auth/users';
import { runCli, usage } from './cli';

const USAGE = 'usage: npm run -s user:create -- --email E --password P --tenant SLUG [--role admin|member]';
const { values } = parseArgs({
  options: {
    email: { type: 'string' },
    password: { type: 'string' },
    tenant: { type: 'string' },
    role: { type: 'string', default: 'member' },
  },
});
if (!values.email || !values.password || !values.tenant) usage(USAGE);

await runCli(async ({ db }) => {
  const { user, tenant } = await createUser(db, {
    email: values.email as string,
    password: values.password as string,
    tenant: values.tenant as string,
    role: values.role as 'admin' | 'member',
  });
  console.log(JSON.stringify({ user_id: user.id, email: user.email, tenant: tenant.slug, role: user.role }));
});
