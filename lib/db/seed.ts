import { sql } from 'drizzle-orm';
import { createUser } from '@/lib/auth/users';
import type { Db } from '.';
import { tenants } from './schema';

export const DEMO_PASSWORD = 'mini-chat-demo';

export const DEMO_USERS = [
  { email: 'alice@acme.test', tenant: 'acme', role: 'admin' },
  { email: 'bob@acme.test', tenant: 'acme', role: 'member' },
  { email: 'carol@globex.test', tenant: 'globex', role: 'admin' },
] as const;

/** Demo tenants for a development database that is still empty; returns whether it seeded. */
export async function seedDemoData(db: Db): Promise<boolean> {
  const [{ count } = { count: 0 }] = await db.select({ count: sql<number>`count(*)::int` }).from(tenants);
  if (count > 0) return false;
  for (const user of DEMO_USERS) await createUser(db, { ...user, password: DEMO_PASSWORD });
  return true;
}
