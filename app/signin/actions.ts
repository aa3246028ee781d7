'use server';

import { AuthError } from 'next-auth';
import { formText } from '@/app/_lib/form-data';
import { signIn, throttledSignIn } from '@/auth';
import { tooManySignIns, WRONG_CREDENTIALS } from '@/components/auth/sentences';
import type { SignInState } from '@/components/auth/sign-in-form';
import { safeCallbackUrl } from './callback-url';

export async function signInAction(_state: SignInState, form: FormData): Promise<SignInState> {
  const email = formText(form, 'email');
  try {
    await signIn('credentials', {
      email,
      password: formText(form, 'password'),
      redirectTo: safeCallbackUrl(form.get('callbackUrl')),
    });
  } catch (err) {
    // Success is signalled by the NEXT_REDIRECT that signIn throws: it is no AuthError, so it propagates.
    if (!(err instanceof AuthError)) throw err;
    const throttled = throttledSignIn(err);
    const error = throttled
      ? tooManySignIns(throttled.retryAfterSeconds)
      : err.type === 'CredentialsSignin'
        ? WRONG_CREDENTIALS
        : 'Signing in failed on our side. Try again.';
    return { email, error };
  }
  return { email };
}
