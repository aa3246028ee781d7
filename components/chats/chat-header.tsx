'use client';

import type { ChatDetail } from '@/lib/chats/service';
import { chatTitle, useChatDetail } from './chat-queries';

/** The open chat's title and model; follows renames made in the sidebar. */
export function ChatHeader({ chat, modelName }: { chat: ChatDetail; modelName: string }) {
  const { data } = useChatDetail(chat);
  return (
    <header className="border-b border-zinc-200 px-4 py-3 md:px-6 dark:border-zinc-800">
      <h1 className="truncate text-lg font-semibold">{chatTitle(data)}</h1>
      <p className="truncate text-sm text-zinc-600 dark:text-zinc-400">{modelName}</p>
    </header>
  );
}
