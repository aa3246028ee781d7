import {
  type InfiniteData,
  useInfiniteQuery,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { useRouter } from 'next/navigation';
import { apiFetch } from '@/components/api';
import { attachmentKeys } from '@/components/attachments/attachment-queries';
import type { ChatDetail, ChatPage } from '@/lib/chats/service';
import { type ChatModelsView, modelKeys } from './model-queries';

export const chatKeys = {
  list: ['chats', 'list'] as const,
  detail: (id: string) => ['chats', 'detail', id] as const,
};

export const chatPath = (id: string) => `/chats/${encodeURIComponent(id)}`;
const chatApiPath = (id: string) => `/api${chatPath(id)}`;

export const chatTitle = (chat: Pick<ChatDetail, 'title'>) => chat.title ?? 'New chat';

/** One chat, seeded with what the server rendered, so that cache updates (a rename) show at once. */
export function useChatDetail(initial: ChatDetail) {
  return useQuery({
    queryKey: chatKeys.detail(initial.id),
    queryFn: () => apiFetch<ChatDetail>(chatApiPath(initial.id)),
    initialData: initial,
  });
}

/** My chats, newest activity first, a page at a time. */
export function useChatList() {
  return useInfiniteQuery({
    queryKey: chatKeys.list,
    queryFn: ({ pageParam }) =>
      apiFetch<ChatPage>(pageParam ? `/api/chats?cursor=${encodeURIComponent(pageParam)}` : '/api/chats'),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.page_info.next_cursor,
  });
}

type ChatListData = InfiniteData<ChatPage, string | null>;

function updateListedChats(
  data: ChatListData | undefined,
  update: (items: ChatDetail[]) => ChatDetail[],
): ChatListData | undefined {
  return data && { ...data, pages: data.pages.map((page) => ({ ...page, items: update(page.items) })) };
}

/** Creates an untitled chat (on `model`, or the server's default) and opens it. */
export function useCreateChat() {
  const queryClient = useQueryClient();
  const router = useRouter();
  return useMutation({
    mutationFn: (model?: string) =>
      apiFetch<ChatDetail>('/api/chats', { method: 'POST', body: model ? { model } : {} }),
    onSuccess: (chat) => {
      queryClient.setQueryData(chatKeys.detail(chat.id), chat);
      void queryClient.invalidateQueries({ queryKey: chatKeys.list });
      router.push(chatPath(chat.id));
    },
  });
}

export function useRenameChat() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, title }: { id: string; title: string }) =>
      apiFetch<ChatDetail>(chatApiPath(id), { method: 'PATCH', body: { title } }),
    onSuccess: (chat) => {
      queryClient.setQueryData(chatKeys.detail(chat.id), chat);
      // Show the new title at once; the refetch then moves the chat to the top.
      queryClient.setQueryData<ChatListData>(chatKeys.list, (data) =>
        updateListedChats(data, (items) => items.map((item) => (item.id === chat.id ? chat : item))),
      );
      void queryClient.invalidateQueries({ queryKey: chatKeys.list });
    },
  });
}

/**
 * Moves a chat to another model. The page is rendered again on the server, so that what depends
 * on the model (the composer's image rule, the offline hint) follows.
 */
export function useSwitchChatModel(chatId: string) {
  const queryClient = useQueryClient();
  const router = useRouter();
  return useMutation({
    mutationFn: (model: string) =>
      apiFetch<ChatDetail>(chatApiPath(chatId), { method: 'PATCH', body: { model } }),
    onSuccess: (chat) => {
      queryClient.setQueryData(chatKeys.detail(chat.id), chat);
      queryClient.setQueryData<ChatModelsView>(modelKeys.chat(chat.id), (data) =>
        data ? { ...data, current: chat.model } : data,
      );
      void queryClient.invalidateQueries({ queryKey: chatKeys.list });
      void queryClient.invalidateQueries({ queryKey: attachmentKeys.limits(chat.id) });
      router.refresh();
    },
  });
}

export function useDeleteChat() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(chatApiPath(id), { method: 'DELETE' }),
    onSuccess: (_, id) => {
      queryClient.setQueryData<ChatListData>(chatKeys.list, (data) =>
        updateListedChats(data, (items) => items.filter((item) => item.id !== id)),
      );
      void queryClient.invalidateQueries({ queryKey: chatKeys.list });
    },
  });
}
