'use client';

import { useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import type { TokenSummary } from '@/lib/auth/tokens';
import { useRevokeToken, useTokens } from './token-queries';

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const formatDate = (iso: string) => dateFormat.format(new Date(iso));

function TokenListItem({
  token,
  onRevoke,
}: {
  token: TokenSummary;
  onRevoke: (token: TokenSummary) => void;
}) {
  const nameId = useId();
  return (
    <li className="flex flex-wrap items-center justify-between gap-3 px-4 py-3">
      <div className="min-w-0">
        <p id={nameId} className="font-medium break-words">
          {token.name}
        </p>
        <p className="text-sm text-zinc-600 dark:text-zinc-400">
          Created {formatDate(token.created_at)} · Last used{' '}
          {token.last_used_at ? formatDate(token.last_used_at) : 'never'}
        </p>
      </div>
      {token.revoked_at ? (
        <p className="rounded-full bg-zinc-200 px-2.5 py-0.5 text-xs font-medium text-zinc-700 dark:bg-zinc-800 dark:text-zinc-300">
          Revoked {formatDate(token.revoked_at)}
        </p>
      ) : (
        <Button variant="secondary" aria-describedby={nameId} onClick={() => onRevoke(token)}>
          Revoke
        </Button>
      )}
    </li>
  );
}

/** My tokens, newest first, each revocable after a confirmation. */
export function TokenList() {
  const tokens = useTokens();
  const revokeToken = useRevokeToken();
  const [toRevoke, setToRevoke] = useState<TokenSummary | null>(null);

  const closeDialog = () => {
    setToRevoke(null);
    revokeToken.reset();
  };

  if (tokens.isPending) return <p role="status">Loading tokens…</p>;
  if (tokens.isError) {
    return (
      <div role="alert" className="flex flex-col items-start gap-2 text-sm">
        <p className="text-red-700 dark:text-red-400">{tokens.error.message}</p>
        <Button variant="secondary" onClick={() => tokens.refetch()}>
          Try again
        </Button>
      </div>
    );
  }
  if (tokens.data.length === 0) {
    return <p className="text-sm text-zinc-600 dark:text-zinc-400">You have no tokens yet.</p>;
  }
  return (
    <>
      <ul
        aria-label="Your tokens"
        className="divide-y divide-zinc-200 rounded-lg border border-zinc-200 dark:divide-zinc-800 dark:border-zinc-800"
      >
        {tokens.data.map((token) => (
          <TokenListItem key={token.id} token={token} onRevoke={setToRevoke} />
        ))}
      </ul>
      <ConfirmDialog
        open={toRevoke !== null}
        title="Revoke token?"
        confirmLabel="Revoke"
        pending={revokeToken.isPending}
        error={revokeToken.error?.message}
        onConfirm={() => toRevoke && revokeToken.mutate(toRevoke.id, { onSuccess: closeDialog })}
        onClose={closeDialog}
      >
        Anything using “{toRevoke?.name}” stops working at once. This cannot be undone.
      </ConfirmDialog>
    </>
  );
}
