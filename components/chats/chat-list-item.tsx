'use client';

import Link from 'next/link';
import { useId, useRef, useState } from 'react';
import { flushSync } from 'react-dom';
import { Button } from '@/components/ui/button';
import { PencilIcon, TrashIcon } from '@/components/ui/icons';
import type { ChatDetail } from '@/lib/chats/service';
import { chatPath, chatTitle } from './chat-queries';
import { RenameChatForm } from './rename-chat-form';

interface ChatListItemProps {
  chat: ChatDetail;
  current: boolean;
  onDelete: (chat: ChatDetail) => void;
}

/** One chat in the sidebar: a link to it, with rename and delete buttons. */
export function ChatListItem({ chat, current, onDelete }: ChatListItemProps) {
  const [renaming, setRenaming] = useState(false);
  const renameButton = useRef<HTMLButtonElement>(null);
  const titleId = useId();

  const stopRenaming = () => {
    // Render the button again first, so the focus can go back to it.
    flushSync(() => setRenaming(false));
    renameButton.current?.focus();
  };

  if (renaming) {
    return (
      <li>
        <RenameChatForm chat={chat} onDone={stopRenaming} />
      </li>
    );
  }

  return (
    <li
      className={`group flex items-center rounded-md ${
        current ? 'bg-zinc-200 dark:bg-zinc-800' : 'hover:bg-zinc-100 dark:hover:bg-zinc-800/60'
      }`}
    >
      <Link
        id={titleId}
        href={chatPath(chat.id)}
        aria-current={current ? 'page' : undefined}
        className="min-w-0 flex-1 truncate rounded-md px-3 py-2 text-sm aria-[current=page]:font-medium"
      >
        {chatTitle(chat)}
      </Link>
      {/* With a mouse the buttons show on hover or focus; touch screens always show them. */}
      <div
        className={`flex shrink-0 pr-1 ${
          current
            ? ''
            : 'pointer-fine:opacity-0 pointer-fine:group-hover:opacity-100 pointer-fine:group-focus-within:opacity-100'
        }`}
      >
        <Button
          ref={renameButton}
          variant="icon"
          aria-label="Rename chat"
          aria-describedby={titleId}
          onClick={() => setRenaming(true)}
        >
          <PencilIcon />
        </Button>
        <Button
          variant="icon"
          aria-label="Delete chat"
          aria-describedby={titleId}
          onClick={() => onDelete(chat)}
        >
          <TrashIcon />
        </Button>
      </div>
    </li>
  );
}
