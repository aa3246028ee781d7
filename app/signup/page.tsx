import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getActiveSession } from '@/app/_lib/session';
import { AuthCard, authLinkClassName } from '@/components/auth/auth-card';
import { SignUpForm } from '@/components/auth/sign-up-form';
import { signUpAction } from './actions';

export const metadata: Metadata = { title: 'Create an account' };

export default async function SignUpPage() {
  if (await getActiveSession()) redirect('/');
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
      <SignUpForm action={signUpAction} />
    </AuthCard>
  );
}
