import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getActiveSession } from '@/app/_lib/session';
import { AuthCard, authLinkClassName } from '@/components/auth/auth-card';
import { SignInForm } from '@/components/auth/sign-in-form';
import { signInAction } from './actions';
import { safeCallbackUrl } from './callback-url';

export const metadata: Metadata = { title: 'Sign in' };

export default async function SignInPage({ searchParams }: PageProps<'/signin'>) {
  const callbackUrl = safeCallbackUrl((await searchParams).callbackUrl);
  if (await getActiveSession()) redirect(callbackUrl);
  return (
    <AuthCard
      title="Sign in"
      footer={
        <>
          New to Mini-chat?{' '}
          <Link href="/signup" className={authLinkClassName}>
            Create an account
          </Link>
        </>
      }
    >
      <SignInForm action={signInAction} callbackUrl={callbackUrl} />
    </AuthCard>
  );
}
