'use client';

import { CreateTokenForm } from './create-token-form';
import { NewTokenNotice } from './new-token-notice';
import { TokenList } from './token-list';
import { useCreateToken } from './token-queries';

/** The API tokens page: create (the new token shows once), list, revoke. */
export function TokenManager() {
  const createToken = useCreateToken();
  return (
    <div className="flex flex-col gap-6">
      <CreateTokenForm createToken={createToken} />
      {createToken.data && (
        <NewTokenNotice created={createToken.data} onDismiss={() => createToken.reset()} />
      )}
      <TokenList />
    </div>
  );
}
