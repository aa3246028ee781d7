import { type QueryClient, useInfiniteQuery, useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { ApiError, apiFetch } from '@/components/api';
import { attachmentKeys } from '@/components/attachments/attachment-queries';
import { chatKeys } from '@/components/chats/chat-queries';
import type { Message, MessagePage, Turn } from './message-types';

export const chatApi = (chatId: string) => `/api/chats/${encodeURIComponent(chatId)}`;
export const messagesUrl = (chatId: string) => `${chatApi(chatId)}/messages`;
const turnUrl = (chatId: string, requestId: string) =>
  `${chatApi(chatId)}/turns/${encodeURIComponent(requestId)}`;
export const retryUrl = (chatId: string, requestId: string) => `${turnUrl(chatId, requestId)}/retry`;

/**
 * Stops a turn this tab is not reading (another tab's, or one from before a reload); the answer
 * shows as stopped once the turn's status says it ended. A failure leaves the polling to tell.
 */
export async function cancelTurn(client: QueryClient, chatId: string, requestId: string) {
  try {
    const turn = await apiFetch<Turn>(`${turnUrl(chatId, requestId)}/cancel`, { method: 'POST' });
    client.setQueryData(messageKeys.turn(chatId, requestId), turn);
  } catch {
    // The turn's status, polled, still says whether it runs.
  }
}

export const messageKeys = {
  list: (chatId: string) => ['messages', chatId, 'list'] as const,
  turn: (chatId: string, requestId: string) => ['messages', chatId, 'turn', requestId] as const,
};

const PAGE_SIZE = 50;
/** How often a turn this tab is not streaming (another tab's, or one from before a reload) is checked. */
const TURN_POLL_MS = 1_500;

/**
 * The chat's messages, oldest first. Pages are read newest first (`order=desc`), so the first page
 * is the end of the conversation and each further page goes back in time.
 */
export function useMessages(chatId: string) {
  const query = useInfiniteQuery({
    queryKey: messageKeys.list(chatId),
    queryFn: ({ pageParam }) => {
      const params = new URLSearchParams({ order: 'desc', limit: String(PAGE_SIZE) });
      if (pageParam) params.set('cursor', pageParam);
      return apiFetch<MessagePage>(`${messagesUrl(chatId)}?${params}`);
    },
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.next_cursor,
    staleTime: 5_000,
  });
  const messages = useMemo(() => {
    // A refetch reads every page again from its old cursor: after new messages the pages overlap.
    const seen = new Set<string>();
    const newestFirst = (query.data?.pages ?? [])
      .flatMap((page) => page.items)
      .filter((message) => !seen.has(message.id) && seen.add(message.id));
    return newestFirst.reverse();
  }, [query.data]);
  return { ...query, messages };
}

/**
 * A turn's state, polled while it runs; null once the server no longer knows it. Disabled without
 * a request id.
 */
export function useTurnPolling(chatId: string, requestId: string | null) {
  return useQuery({
    queryKey: messageKeys.turn(chatId, requestId ?? ''),
    enabled: requestId !== null,
    queryFn: async (): Promise<Turn | null> => {
      try {
        return await apiFetch<Turn>(turnUrl(chatId, requestId as string));
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return null;
        throw error;
      }
    },
    refetchInterval: (query) =>
      query.state.data === null || (query.state.data && query.state.data.state !== 'running')
        ? false
        : TURN_POLL_MS,
    staleTime: 0,
    gcTime: 0,
  });
}

/**
 * After a turn ends: its messages come from the server again, the chat (titled by its first
 * message) moves to the top of the sidebar, and its files show as locked.
 */
export function refreshAfterTurn(client: QueryClient, chatId: string) {
  return Promise.all([
    client.invalidateQueries({ queryKey: messageKeys.list(chatId) }),
    client.invalidateQueries({ queryKey: chatKeys.list }),
    client.invalidateQueries({ queryKey: chatKeys.detail(chatId) }),
    client.invalidateQueries({ queryKey: attachmentKeys.list(chatId) }),
  ]);
}

/** The last message, when it is a user message still waiting for its answer. */
export const unansweredTurn = (messages: Message[]) => {
  const last = messages.at(-1);
  return last?.role === 'user' ? last.request_id : null;
};
