'use server';

import { requireActiveSession } from '@/app/_lib/session';
import { signOut } from '@/auth';
import { endAllSessions } from '@/lib/auth/sessions';
import { getDb } from '@/lib/runtime';

export async function signOutAction(): Promise<void> {
  await signOut({ redirectTo: '/signin' });
}

/** Ends every session of the user, this one included; their API tokens keep working. */
export async function signOutEverywhereAction(): Promise<void> {
  const { caller } = await requireActiveSession();
  await endAllSessions(await getDb(), caller.userId);
  await signOut({ redirectTo: '/signin' });
}
