'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { formText } from '@/app/_lib/form-data';
import { tooManySignUps } from '@/components/auth/sentences';
import type { SignUpField, SignUpState } from '@/components/auth/sign-up-form';
import { clientAddress } from '@/lib/auth/client-address';
import { signUp } from '@/lib/auth/sign-up';
import { retryAfterSeconds } from '@/lib/auth/throttle';
import { AppError } from '@/lib/errors';
import { authConfig, getDb } from '@/lib/runtime';

const isSignUpField = (field: string): field is SignUpField =>
  field === 'organisation' || field === 'email' || field === 'password';

/** The validation error's messages by form field; several for one field are joined. */
function fieldErrorsOf(err: AppError): Partial<Record<SignUpField, string>> {
  const errors: Partial<Record<SignUpField, string>> = {};
  const list = Array.isArray(err.extensions.errors) ? err.extensions.errors : [];
  for (const { field, message } of list as { field: string; message: string }[]) {
    if (isSignUpField(field)) errors[field] = errors[field] ? `${errors[field]} ${message}` : message;
  }
  return errors;
}

/**
 * The same answer for a new email and a registered one: off to sign in, where the sign-up notice
 * waits. Signing the new user in here would tell the two apart.
 */
export async function signUpAction(_state: SignUpState, form: FormData): Promise<SignUpState> {
  const values = { organisation: formText(form, 'organisation'), email: formText(form, 'email') };
  const invite = form.get('invite');
  const password = formText(form, 'password');
  const config = authConfig();
  try {
    await signUp(
      await getDb(),
      config.signUp,
      typeof invite === 'string' ? { invite, email: values.email, password } : { ...values, password },
      { clientAddress: clientAddress(await headers(), config.proxyHops) },
    );
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === 'too_many_attempts') return { values, error: tooManySignUps(retryAfterSeconds(err)) };
    if (err.code === 'signup_closed' || err.code === 'invitation_invalid')
      return { values, error: err.message };
    if (err.code !== 'validation_error') throw err;
    const fieldErrors = fieldErrorsOf(err);
    return Object.keys(fieldErrors).length > 0 ? { values, fieldErrors } : { values, error: err.message };
  }
  redirect('/signin?signed_up');
}
