import { notFound, redirect } from 'next/navigation';
import { cache } from 'react';
import { auth } from '@/auth';
import { loadActiveCaller } from '@/lib/auth/sessions';
import { allows, type Caller } from '@/lib/policy';
import { getDb } from '@/lib/runtime';

export interface ActiveSession {
  caller: Caller;
  email: string;
}

/**
 * The signed-in, still-enabled user of this request, or null. The JWT alone is not enough: a
 * session signed out, ended everywhere, or of a user disabled since must count as signed out.
 * Cached so a layout and its page share one look-up.
 */
export const getActiveSession = cache(async (): Promise<ActiveSession | null> => {
  const session = await auth();
  if (!session?.claims) return null;
  const caller = await loadActiveCaller(await getDb(), session.claims);
  return caller ? { caller, email: session.user.email ?? '' } : null;
});

/** For pages behind sign-in: the active session, or a redirect to the sign-in page. */
export async function requireActiveSession(): Promise<ActiveSession> {
  return (await getActiveSession()) ?? redirect('/signin');
}

/**
 * For /admin pages: the session of an admin. Signed out goes to sign-in; anyone else gets the
 * same not-found page as for a URL that does not exist.
 */
export async function requireAdminSession(): Promise<ActiveSession> {
  const session = await requireActiveSession();
  if (!allows(session.caller, 'admin.console')) notFound();
  return session;
}
