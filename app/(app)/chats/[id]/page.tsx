import { notFound } from 'next/navigation';
import { requireActiveSession } from '@/app/_lib/session';
import { ChatHeader } from '@/components/chats/chat-header';
import { listChatModels } from '@/lib/chats/models';
import { getChat } from '@/lib/chats/service';
import { AppError } from '@/lib/errors';
import type { Caller } from '@/lib/policy';
import { getDb, modelCatalog, modelChoice } from '@/lib/runtime';
import { ChatBody } from './chat-body';

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
  const model = modelCatalog().findModel(chat.model);
  const models = await listChatModels(await getDb(), modelChoice(), caller, chat.id);
  return (
    <>
      <ChatHeader chat={chat} models={models} />
      {/* Keyed: the selected files and uploads belong to one chat, not to the page component. */}
      <ChatBody key={chat.id} chatId={chat.id} offline={model?.provider === 'offline'} />
    </>
  );
}
