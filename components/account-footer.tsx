'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useState, useTransition } from 'react';
import { buttonClassName } from './ui/button';
import { ConfirmDialog } from './ui/confirm-dialog';

const TOKENS_PATH = '/settings/tokens';

/** The sidebar's foot: who is signed in, their API tokens, and signing out (here or everywhere). */
export function AccountFooter({
  email,
  signOutAction,
  signOutEverywhereAction,
}: {
  email: string;
  signOutAction: () => Promise<void>;
  signOutEverywhereAction: () => Promise<void>;
}) {
  const onTokensPage = usePathname() === TOKENS_PATH;
  const [confirming, setConfirming] = useState(false);
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex flex-col gap-2 border-t border-zinc-200 p-3 dark:border-zinc-800">
      <p className="truncate px-1 text-sm text-zinc-600 dark:text-zinc-400" title={email}>
        {email}
      </p>
      <div className="flex gap-2">
        <Link
          href={TOKENS_PATH}
          aria-current={onTokensPage ? 'page' : undefined}
          className={buttonClassName(
            'secondary',
            'flex-1 justify-center aria-[current=page]:bg-zinc-200 dark:aria-[current=page]:bg-zinc-800',
          )}
        >
          API tokens
        </Link>
        <form action={signOutAction} className="flex-1">
          <button type="submit" className={buttonClassName('secondary', 'w-full justify-center')}>
            Sign out
          </button>
        </form>
      </div>
      <button
        type="button"
        onClick={() => setConfirming(true)}
        className="self-start rounded px-1 text-sm text-zinc-600 underline-offset-4 hover:underline dark:text-zinc-400"
      >
        Sign out everywhere
      </button>
      <ConfirmDialog
        open={confirming}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        pending={pending}
        onConfirm={() => startTransition(() => signOutEverywhereAction())}
        onClose={() => setConfirming(false)}
      >
        Every browser signed in as you is signed out, this one included. API tokens keep working: revoke them
        on the API tokens page.
      </ConfirmDialog>
    </div>
  );
}
