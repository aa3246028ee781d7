import type { Metadata } from 'next';
import { requireActiveSession } from '@/app/_lib/session';
import { TokenManager } from '@/components/tokens/token-manager';

export const metadata: Metadata = { title: 'API tokens' };

export default async function TokensPage() {
  await requireActiveSession();
  return (
    <div className="flex-1 overflow-y-auto">
      <div className="mx-auto flex max-w-3xl flex-col gap-6 p-4 md:p-8">
        <div className="flex flex-col gap-2">
          <h1 className="text-xl font-semibold">API tokens</h1>
          <p className="text-sm text-zinc-600 dark:text-zinc-400">
            A personal token lets a script call the API as you. Send it as{' '}
            <code className="rounded bg-zinc-100 px-1 py-0.5 whitespace-nowrap dark:bg-zinc-800">
              Authorization: Bearer &lt;token&gt;
            </code>
            .
          </p>
        </div>
        <TokenManager />
      </div>
    </div>
  );
}
