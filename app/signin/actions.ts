'use server';

import { AuthError } from 'next-auth';
import { formText } from '@/app/_lib/form-data';
import { signIn } from '@/auth';
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
    const error =
      err.type === 'CredentialsSignin'
        ? 'Wrong email or password.'
        : 'Signing in failed on our side. Try again.';
    return { email, error };
  }
  return { email };
}
