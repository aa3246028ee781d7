import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getActiveSession } from '@/app/_lib/session';
import { AuthCard, authLinkClassName } from '@/components/auth/auth-card';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { findLiveInvitation, invalidInvitation } from '@/lib/auth/invitations';
import { signUpClosedReason } from '@/lib/auth/sign-up';
import { authConfig, getDb } from '@/lib/runtime';
import { signUpAction } from './actions';

export const metadata: Metadata = { title: 'Create an account' };

export default async function SignUpPage({ searchParams }: PageProps<'/signup'>) {
  if (await getActiveSession()) redirect('/');
  const { invite } = await searchParams;
  const token = typeof invite === 'string' ? invite : undefined;
  const closed = signUpClosedReason(authConfig().signUp.mode, token !== undefined);
  // A dead link says so before anyone types a password.
  const invitation = token && !closed ? await findLiveInvitation(await getDb(), token) : null;
  return (
    <AuthCard
      title={token ? 'Join your organisation' : 'Create your organisation'}
      footer={
        <>
          Already have an account?{' '}
          <Link href="/signin" className={authLinkClassName}>
            Sign in
          </Link>
        </>
      }
    >
      {closed || (token && !invitation) ? (
        <p className="text-sm text-zinc-700 dark:text-zinc-300">{closed ?? invalidInvitation().message}</p>
      ) : (
        <SignUpForm action={signUpAction} invite={token} />
      )}
    </AuthCard>
  );
}
