'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { FormError } from './form-error';

export interface SignInState {
  error?: string;
  /** Shown until the first attempt (after a sign-up, say). */
  notice?: string;
  /** Echoed back so a failed attempt keeps what was typed. */
  email?: string;
}

type SignInAction = (state: SignInState, form: FormData) => Promise<SignInState>;

export function SignInForm({
  action,
  callbackUrl,
  initialState = {},
}: {
  action: SignInAction;
  callbackUrl: string;
  initialState?: SignInState;
}) {
  const [state, formAction, pending] = useActionState(action, initialState);
  return (
    <form action={formAction} className="flex flex-col gap-4">
      {state.notice && (
        <p
          role="status"
          className="rounded-md bg-blue-50 px-3 py-2 text-sm text-blue-900 dark:bg-blue-950/60 dark:text-blue-200"
        >
          {state.notice}
        </p>
      )}
      <input type="hidden" name="callbackUrl" value={callbackUrl} />
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        defaultValue={state.email}
      />
      <TextField label="Password" name="password" type="password" autoComplete="current-password" required />
      <FormError message={state.error} />
      <Button type="submit" disabled={pending} className="justify-center">
        {pending ? 'Signing in…' : 'Sign in'}
      </Button>
    </form>
  );
}
