'use client';

import { type FormEvent, useState } from 'react';
import { Button } from '@/components/ui/button';
import { TextField } from '@/components/ui/text-field';
import type { useCreateToken } from './token-queries';

/** Names and creates a token; the parent shows the result. */
export function CreateTokenForm({ createToken }: { createToken: ReturnType<typeof useCreateToken> }) {
  const [name, setName] = useState('');

  const submit = (event: FormEvent) => {
    event.preventDefault();
    createToken.mutate(name, { onSuccess: () => setName('') });
  };

  return (
    <form onSubmit={submit} className="flex flex-col gap-3 sm:flex-row sm:items-start">
      <TextField
        label="Token name"
        name="name"
        value={name}
        onChange={(event) => setName(event.target.value)}
        placeholder="e.g. Laptop script"
        error={createToken.error?.message}
        className="flex-1"
      />
      <Button type="submit" disabled={createToken.isPending} className="justify-center sm:mt-7">
        Create token
      </Button>
    </form>
  );
}
