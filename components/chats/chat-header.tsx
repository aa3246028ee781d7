'use client';

import type { ChatDetail } from '@/lib/chats/service';
import { chatTitle, useChatDetail } from './chat-queries';
import type { ChatModelsView } from './model-queries';
import { ModelSwitcher } from './model-switcher';

/** The open chat's title, which follows renames made in the sidebar, and its model, which can be switched. */
export function ChatHeader({ chat, models }: { chat: ChatDetail; models: ChatModelsView }) {
  const { data } = useChatDetail(chat);
  return (
    <header className="border-b border-zinc-200 px-4 py-3 md:px-6 dark:border-zinc-800">
      <h1 className="truncate text-lg font-semibold">{chatTitle(data)}</h1>
      <ModelSwitcher chatId={chat.id} initial={models} />
    </header>
  );
}
