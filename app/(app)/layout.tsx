import type { ReactNode } from 'react';
import { requireActiveSession } from '@/app/_lib/session';
import { AccountFooter } from '@/components/account-footer';
import { AdminLink } from '@/components/admin/admin-link';
import { AppShell } from '@/components/app-shell';
import { ChatList } from '@/components/chats/chat-list';
import { NewChatButton } from '@/components/chats/new-chat-button';
import { Providers } from '@/components/providers';
import { allows } from '@/lib/policy';
import { signOutAction, signOutEverywhereAction } from './actions';

/** Everything behind sign-in. Pages check the session again: a layout is not re-run on client navigation. */
export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const { email, caller } = await requireActiveSession();
  return (
    <Providers>
      <AppShell
        sidebar={
          <>
            <div className="p-3">
              <NewChatButton className="w-full justify-center" />
            </div>
            <ChatList />
            {allows(caller, 'admin.console') && <AdminLink />}
            <AccountFooter
              email={email}
              signOutAction={signOutAction}
              signOutEverywhereAction={signOutEverywhereAction}
            />
          </>
        }
      >
        {children}
      </AppShell>
    </Providers>
  );
}
