'use client';

import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { CopyIcon } from '@/components/ui/icons';
import type { CreatedToken } from './token-queries';

type CopyState = 'idle' | 'copied' | 'failed';

/** Shows a new token's plaintext, once, with a copy button. */
export function NewTokenNotice({ created, onDismiss }: { created: CreatedToken; onDismiss: () => void }) {
  const [copyState, setCopyState] = useState<CopyState>('idle');
  const headingId = useId();

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(created.token);
      setCopyState('copied');
    } catch {
      setCopyState('failed');
    }
  };

  return (
    <section
      aria-labelledby={headingId}
      className="flex flex-col gap-3 rounded-lg border border-amber-300 bg-amber-50 p-4 dark:border-amber-700/70 dark:bg-amber-950/40"
    >
      <h2 id={headingId} className="font-semibold">
        Token “{created.name}” created
      </h2>
      <p className="text-sm text-amber-900 dark:text-amber-200">
        Copy it now: it will not be shown again. Anyone with this token can use the API as you.
      </p>
      <textarea
        aria-label="New token"
        readOnly
        rows={2}
        value={created.token}
        onFocus={(event) => event.target.select()}
        className="w-full resize-none rounded-md border border-zinc-300 bg-white px-3 py-2 font-mono text-sm break-all dark:border-zinc-700 dark:bg-zinc-950"
      />
      <div className="flex flex-wrap items-center gap-2">
        <Button onClick={copy}>
          <CopyIcon />
          Copy token
        </Button>
        <Button variant="secondary" onClick={onDismiss}>
          Done
        </Button>
        <p aria-live="polite" className="text-sm text-zinc-700 dark:text-zinc-300">
          {copyState === 'copied' && 'Copied to the clipboard.'}
          {copyState === 'failed' && 'Copying failed: select the token and copy it yourself.'}
        </p>
      </div>
    </section>
  );
}
