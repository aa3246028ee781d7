'use client';

import { useActionState } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import { FormError } from './form-error';

export type SignUpField = 'organisation' | 'email' | 'password';

export interface SignUpState {
  fieldErrors?: Partial<Record<SignUpField, string>>;
  error?: string;
  /** Echoed back so a failed attempt keeps what was typed (never the password). */
  values?: { organisation: string; email: string };
}

type SignUpAction = (state: SignUpState, form: FormData) => Promise<SignUpState>;

/** Sign-up for a new organisation, or, with an invitation's token, into the inviting one. */
export function SignUpForm({ action, invite }: { action: SignUpAction; invite?: string }) {
  const [state, formAction, pending] = useActionState(action, {});
  const errors = state.fieldErrors ?? {};
  return (
    <form action={formAction} className="flex flex-col gap-4">
      {invite ? (
        <input type="hidden" name="invite" value={invite} />
      ) : (
        <TextField
          label="Organisation name"
          name="organisation"
          autoComplete="organization"
          required
          defaultValue={state.values?.organisation}
          error={errors.organisation}
        />
      )}
      <TextField
        label="Email"
        name="email"
        type="email"
        autoComplete="email"
        required
        defaultValue={state.values?.email}
        error={errors.email}
      />
      <TextField
        label="Password"
        name="password"
        type="password"
        autoComplete="new-password"
        required
        hint="At least 8 characters."
        error={errors.password}
      />
      <FormError message={state.error} />
      <Button type="submit" disabled={pending} className="justify-center">
        {pending ? 'Creating account…' : 'Create account'}
      </Button>
    </form>
  );
}
