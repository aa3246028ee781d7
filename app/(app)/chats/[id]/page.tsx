import { notFound } from 'next/navigation';
import { ChatHeader } from '@/components/chats/chat-header';
import { ComposerPlaceholder } from '@/components/chats/composer-placeholder';
import { getChat } from '@/lib/chats/service';
import { getDb } from '@/lib/db';
import { AppError } from '@/lib/errors';
import { findModel } from '@/lib/models/catalog';
import type { Caller } from '@/lib/policy';
import { requireActiveSession } from '../../../_lib/session';

async function loadChatOr404(caller: Caller, id: string) {
  try {
    return await getChat(await getDb(), caller, id);
  } catch (err) {
    if (err instanceof AppError && err.code === 'not_found') notFound();
    throw err;
  }
}

export default async function ChatPage({ params }: PageProps<'/chats/[id]'>) {
  const { id } = await params;
  const { caller } = await requireActiveSession();
  const chat = await loadChatOr404(caller, id);
  return (
    <>
      <ChatHeader chat={chat} modelName={findModel(chat.model)?.displayName ?? chat.model} />
      <section
        aria-label="Messages"
        className="flex flex-1 items-center justify-center overflow-y-auto p-6 text-center"
      >
        <p className="text-sm text-zinc-600 dark:text-zinc-400">Messages will appear here.</p>
      </section>
      <ComposerPlaceholder />
    </>
  );
}
