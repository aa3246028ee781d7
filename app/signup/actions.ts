'use server';

import { AuthError } from 'next-auth';
import { formText } from '@/app/_lib/form-data';
import { signIn } from '@/auth';
import type { SignUpField, SignUpState } from '@/components/auth/sign-up-form';
import { signUp } from '@/lib/auth/users';
import { AppError } from '@/lib/errors';
import { getDb } from '@/lib/runtime';

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

export async function signUpAction(_state: SignUpState, form: FormData): Promise<SignUpState> {
  const values = { organisation: formText(form, 'organisation'), email: formText(form, 'email') };
  const password = formText(form, 'password');
  try {
    await signUp(await getDb(), { ...values, password });
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    if (err.code === 'email_taken') return { values, fieldErrors: { email: err.message } };
    if (err.code !== 'validation_error') throw err;
    const fieldErrors = fieldErrorsOf(err);
    return Object.keys(fieldErrors).length > 0 ? { values, fieldErrors } : { values, error: err.message };
  }
  try {
    await signIn('credentials', { email: values.email, password, redirectTo: '/' });
  } catch (err) {
    if (!(err instanceof AuthError)) throw err;
    return { values, error: 'Your account is ready, but signing in failed. Sign in to continue.' };
  }
  return { values };
}
