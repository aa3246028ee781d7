import { useQuery } from '@tanstack/react-query';
import { apiFetch } from '@/components/api';
import type { ChatModelsView } from '@/lib/chats/models';

export type { ChatModelOption, ChatModelsView } from '@/lib/chats/models';

/** A model a chat can be created with, as `GET /api/models` describes it. */
export interface ModelInfo {
  id: string;
  display_name: string;
  capabilities: ('vision' | 'file_search' | 'code_interpreter')[];
  context_window?: number;
  max_file_size_mb?: number;
}

export interface ModelList {
  items: ModelInfo[];
  default_model: string;
}

export const modelKeys = {
  list: ['models'] as const,
  chat: (chatId: string) => ['models', 'chat', chatId] as const,
};

/** The models new chats can use; they change only with the server's settings. */
export function useModels() {
  return useQuery({
    queryKey: modelKeys.list,
    queryFn: () => apiFetch<ModelList>('/api/models'),
    staleTime: 5 * 60_000,
  });
}

/**
 * The models one chat may switch to, seeded with what the server rendered. Which are available
 * changes only with the server's settings (a chat's file store never changes).
 */
export function useChatModels(chatId: string, initial: ChatModelsView) {
  return useQuery({
    queryKey: modelKeys.chat(chatId),
    queryFn: () => apiFetch<ChatModelsView>(`/api/chats/${encodeURIComponent(chatId)}/models`),
    initialData: initial,
    staleTime: 5 * 60_000,
  });
}
