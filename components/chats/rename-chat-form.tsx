'use client';

import { type FormEvent, type KeyboardEvent, useId, useState } from 'react';
import { Button } from '@/components/ui/button';
import { CheckIcon, CloseIcon } from '@/components/ui/icons';
import type { ChatDetail } from '@/lib/chats/service';
import { useRenameChat } from './chat-queries';

/** Inline title editor: Enter saves, Escape cancels; the server's validation message shows below. */
export function RenameChatForm({ chat, onDone }: { chat: ChatDetail; onDone: () => void }) {
  const renameChat = useRenameChat();
  const [title, setTitle] = useState(chat.title ?? '');
  const errorId = useId();

  const save = (event: FormEvent) => {
    event.preventDefault();
    renameChat.mutate({ id: chat.id, title }, { onSuccess: onDone });
  };
  const cancelOnEscape = (event: KeyboardEvent) => {
    if (event.key !== 'Escape') return;
    // Handled here: the mobile sidebar must not close as well.
    event.preventDefault();
    onDone();
  };

  return (
    <form onSubmit={save} className="px-1 py-1">
      <div className="flex items-center gap-1">
        <input
          aria-label="Chat title"
          value={title}
          onChange={(event) => setTitle(event.target.value)}
          onKeyDown={cancelOnEscape}
          readOnly={renameChat.isPending}
          // biome-ignore lint/a11y/noAutofocus: the user just asked to edit this title.
          autoFocus
          onFocus={(event) => event.target.select()}
          aria-invalid={renameChat.isError || undefined}
          aria-describedby={renameChat.isError ? errorId : undefined}
          className="min-w-0 flex-1 rounded-md border border-zinc-300 bg-white px-2 py-1.5 text-sm aria-invalid:border-red-600 dark:border-zinc-700 dark:bg-zinc-950 dark:aria-invalid:border-red-400"
        />
        <Button type="submit" variant="icon" aria-label="Save title" disabled={renameChat.isPending}>
          <CheckIcon />
        </Button>
        <Button variant="icon" aria-label="Cancel rename" onClick={onDone}>
          <CloseIcon />
        </Button>
      </div>
      {renameChat.error && (
        <p id={errorId} role="alert" className="px-1 pt-1 text-xs text-red-700 dark:text-red-400">
          {renameChat.error.message}
        </p>
      )}
    </form>
  );
}
