'use client';

import { createContext, useContext } from 'react';

/**
 * The chat a part of the chat page belongs to, for the few leaves deep in it that link into the
 * chat's API (a file's original from a composer chip or a citation) without every layer between
 * passing the id along.
 */
export const CurrentChat = createContext<string | null>(null);

export function useCurrentChat(): string {
  const chatId = useContext(CurrentChat);
  if (!chatId) throw new Error('useCurrentChat is used outside a chat page');
  return chatId;
}
