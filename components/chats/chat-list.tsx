'use client';

import { usePathname, useRouter } from 'next/navigation';
import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { ConfirmDialog } from '@/components/ui/confirm-dialog';
import type { ChatDetail } from '@/lib/chats/service';
import { ChatListItem } from './chat-list-item';
import { chatPath, chatTitle, useChatList, useDeleteChat } from './chat-queries';

const statusClassName = 'px-3 py-2 text-sm text-zinc-600 dark:text-zinc-400';

/** The sidebar's chats: loading, error and empty states, "Load more", and the delete confirmation. */
export function ChatList() {
  const pathname = usePathname();
  const router = useRouter();
  const chats = useChatList();
  const deleteChat = useDeleteChat();
  const [toDelete, setToDelete] = useState<ChatDetail | null>(null);

  const closeDialog = () => {
    setToDelete(null);
    deleteChat.reset();
  };
  const confirmDelete = () => {
    if (!toDelete) return;
    deleteChat.mutate(toDelete.id, {
      onSuccess: () => {
        if (pathname === chatPath(toDelete.id)) router.push('/');
        closeDialog();
      },
    });
  };

  const items = chats.data?.pages.flatMap((page) => page.items) ?? [];

  return (
    <nav aria-label="Chats" className="min-h-0 flex-1 overflow-y-auto px-2 pt-1 pb-2">
      {chats.isPending && (
        <p role="status" className={statusClassName}>
          Loading chats…
        </p>
      )}
      {chats.isSuccess && items.length === 0 && <p className={statusClassName}>No chats yet</p>}
      {items.length > 0 && (
        <ul className="flex flex-col gap-0.5">
          {items.map((chat) => (
            <ChatListItem
              key={chat.id}
              chat={chat}
              current={pathname === chatPath(chat.id)}
              onDelete={setToDelete}
            />
          ))}
        </ul>
      )}
      {chats.error && (
        <div role="alert" className="flex flex-col items-start gap-2 px-3 py-2 text-sm">
          <p className="text-red-700 dark:text-red-400">{chats.error.message}</p>
          <Button variant="secondary" onClick={() => chats.refetch()}>
            Try again
          </Button>
        </div>
      )}
      {chats.hasNextPage && (
        <Button
          variant="secondary"
          className="mt-2 w-full justify-center"
          onClick={() => chats.fetchNextPage()}
          disabled={chats.isFetchingNextPage}
        >
          {chats.isFetchingNextPage ? 'Loading…' : 'Load more'}
        </Button>
      )}
      <ConfirmDialog
        open={toDelete !== null}
        title="Delete chat?"
        confirmLabel="Delete"
        pending={deleteChat.isPending}
        error={deleteChat.error?.message}
        onConfirm={confirmDelete}
        onClose={closeDialog}
      >
        “{toDelete ? chatTitle(toDelete) : ''}” will be deleted. This cannot be undone.
      </ConfirmDialog>
    </nav>
  );
}
