import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getActiveSession } from '@/app/_lib/session';
import { AuthCard, authLinkClassName } from '@/components/auth/auth-card';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { signUpClosedReason } from '@/lib/auth/sign-up';
import { authConfig } from '@/lib/runtime';
import { signUpAction } from './actions';

export const metadata: Metadata = { title: 'Create an account' };

export default async function SignUpPage() {
  if (await getActiveSession()) redirect('/');
  const closed = signUpClosedReason(authConfig().signUp.mode);
  return (
    <AuthCard
      title="Create your organisation"
      footer={
        <>
          Already have an account?{' '}
          <Link href="/signin" className={authLinkClassName}>
            Sign in
          </Link>
        </>
      }
    >
      {closed ? (
        <p className="text-sm text-zinc-700 dark:text-zinc-300">{closed}</p>
      ) : (
        <SignUpForm action={signUpAction} />
      )}
    </AuthCard>
  );
}
