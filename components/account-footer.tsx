'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { buttonClassName } from './ui/button';

const TOKENS_PATH = '/settings/tokens';

/** The sidebar's foot: who is signed in, their API tokens, and signing out. */
export function AccountFooter({
  email,
  signOutAction,
}: {
  email: string;
  signOutAction: () => Promise<void>;
}) {
  const onTokensPage = usePathname() === TOKENS_PATH;
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
    </div>
  );
}
