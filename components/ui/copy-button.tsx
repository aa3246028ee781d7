'use client';

import { useEffect, useState } from 'react';
import { CheckIcon, CopyIcon } from '@/components/ui/icons';

/** Copies `text`; says "Copied" for a moment (and to screen readers), or that it could not. */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  useEffect(() => {
    if (state === 'idle') return;
    const timer = setTimeout(() => setState('idle'), 2_000);
    return () => clearTimeout(timer);
  }, [state]);

  const copy = () => {
    // Absent outside secure contexts (a page served over plain HTTP).
    if (!navigator.clipboard) {
      setState('failed');
      return;
    }
    navigator.clipboard.writeText(text).then(
      () => setState('copied'),
      () => setState('failed'),
    );
  };

  return (
    <>
      <button
        type="button"
        onClick={copy}
        aria-label={state === 'copied' ? `${label}: copied` : label}
        className="inline-flex items-center gap-1 rounded px-1.5 py-0.5 text-xs font-medium text-zinc-600 hover:bg-zinc-200 hover:text-zinc-900 dark:text-zinc-300 dark:hover:bg-zinc-700 dark:hover:text-zinc-100"
      >
        <span className="[&_svg]:size-4" aria-hidden="true">
          {state === 'copied' ? <CheckIcon /> : <CopyIcon />}
        </span>
        {state === 'copied' ? 'Copied' : state === 'failed' ? 'Copy failed' : 'Copy'}
      </button>
      <span role="status" className="sr-only">
        {state === 'copied' ? 'Copied to the clipboard.' : state === 'failed' ? 'Could not copy.' : ''}
      </span>
    </>
  );
}
