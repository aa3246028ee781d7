import type { Metadata } from 'next';
import Link from 'next/link';
import { redirect } from 'next/navigation';
import { getActiveSession } from '@/app/_lib/session';
import { AuthCard, authLinkClassName } from '@/components/auth/auth-card';
import { SIGNED_UP, tooManySignIns, WRONG_CREDENTIALS } from '@/components/auth/sentences';
import { SignInForm, type SignInState } from '@/components/auth/sign-in-form';
import { authConfig } from '@/lib/runtime';
import { signInAction } from './actions';
import { safeCallbackUrl } from './callback-url';

export const metadata: Metadata = { title: 'Sign in' };

/**
 * What to say on arrival: after a sign-up, or after a refused POST to the credentials endpoint,
 * which comes back here with `?error=CredentialsSignin&code=…`.
 */
function arrivalState(params: Record<string, string | string[] | undefined>): SignInState {
  if (params.signed_up !== undefined) return { notice: SIGNED_UP };
  if (params.error !== 'CredentialsSignin') return {};
  return { error: params.code === 'too_many_attempts' ? tooManySignIns() : WRONG_CREDENTIALS };
}

export default async function SignInPage({ searchParams }: PageProps<'/signin'>) {
  const params = await searchParams;
  const callbackUrl = safeCallbackUrl(params.callbackUrl);
  if (await getActiveSession()) redirect(callbackUrl);
  return (
    <AuthCard
      title="Sign in"
      footer={
        authConfig().signUp.mode === 'open' && (
          <>
            New to Mini-chat?{' '}
            <Link href="/signup" className={authLinkClassName}>
              Create an account
            </Link>
          </>
        )
      }
    >
      <SignInForm action={signInAction} callbackUrl={callbackUrl} initialState={arrivalState(params)} />
    </AuthCard>
  );
}
