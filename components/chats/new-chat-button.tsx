'use client';

import { Button } from '../ui/button';
import { PlusIcon } from '../ui/icons';
import { useCreateChat } from './chat-queries';

export function NewChatButton({ className }: { className?: string }) {
  const createChat = useCreateChat();
  return (
    <div className="flex flex-col gap-2">
      <Button onClick={() => createChat.mutate()} disabled={createChat.isPending} className={className}>
        <PlusIcon />
        New chat
      </Button>
      {createChat.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {createChat.error.message}
        </p>
      )}
    </div>
  );
}
