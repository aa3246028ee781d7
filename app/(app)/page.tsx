import { requireActiveSession } from '@/app/_lib/session';
import { NewChatButton } from '@/components/chats/new-chat-button';

export default async function HomePage() {
  await requireActiveSession();
  return (
    <div className="flex flex-1 flex-col items-center justify-center gap-4 p-8 text-center">
      <h1 className="text-lg font-medium text-zinc-700 dark:text-zinc-300">
        Select a chat or start a new one
      </h1>
      <NewChatButton />
    </div>
  );
}
