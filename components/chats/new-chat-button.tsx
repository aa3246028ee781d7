'use client';

import { useState } from 'react';
import { Button } from '@/components/ui/button';
import { PlusIcon } from '@/components/ui/icons';
import { useCreateChat } from './chat-queries';
import { ModelPicker } from './model-picker';
import { useModels } from './model-queries';

/**
 * Starts a chat, on the model picked beside the button (the server's default to begin with). With
 * one model, or while the list is unknown, there is nothing to pick and the server decides.
 */
export function NewChatButton({ className }: { className?: string }) {
  const createChat = useCreateChat();
  const models = useModels();
  const [picked, setPicked] = useState<string | null>(null);
  const items = models.data?.items ?? [];
  const model = items.some((item) => item.id === picked) ? (picked as string) : models.data?.default_model;

  return (
    <div className="flex flex-col gap-2">
      <Button
        onClick={() => createChat.mutate(items.length > 1 ? model : undefined)}
        disabled={createChat.isPending}
        className={className}
      >
        <PlusIcon />
        New chat
      </Button>
      {items.length > 1 && model && (
        <ModelPicker models={items} value={model} onChange={setPicked} disabled={createChat.isPending} />
      )}
      {createChat.error && (
        <p role="alert" className="text-sm text-red-700 dark:text-red-400">
          {createChat.error.message}
        </p>
      )}
    </div>
  );
}
