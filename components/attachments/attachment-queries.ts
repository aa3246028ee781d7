import { type QueryClient, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, apiFetch } from '@/components/api';
import type { UploadLimits } from '@/lib/attachments/limits';
import type { AttachmentView } from '@/lib/attachments/view';

export type { AttachmentView, UploadLimits };

const chatApi = (chatId: string) => `/api/chats/${encodeURIComponent(chatId)}`;
const attachmentApi = (chatId: string, id: string) =>
  `${chatApi(chatId)}/attachments/${encodeURIComponent(id)}`;

export const attachmentKeys = {
  list: (chatId: string) => ['attachments', chatId, 'list'] as const,
  poll: (chatId: string, ids: string) => ['attachments', chatId, 'poll', ids] as const,
  limits: (chatId: string) => ['attachments', chatId, 'limits'] as const,
};

const isInProgress = (a: Pick<AttachmentView, 'status'>) => a.status === 'pending' || a.status === 'uploaded';

/** Up to this many attachments in progress are polled one by one; more, and the list is polled once. */
const MAX_SINGLE_POLLS = 3;

/** 0.5 s, then half as long again each time, up to 3 s. */
const pollDelay = (polls: number) => Math.min(3000, 500 * 1.5 ** Math.max(0, polls - 1));

const fetchList = (chatId: string) =>
  apiFetch<{ items: AttachmentView[] }>(`${chatApi(chatId)}/attachments`).then((body) => body.items);

export function useUploadLimits(chatId: string) {
  return useQuery(uploadLimitsQuery(chatId));
}

export const uploadLimitsQuery = (chatId: string) => ({
  queryKey: attachmentKeys.limits(chatId),
  queryFn: () => apiFetch<UploadLimits>(`${chatApi(chatId)}/upload-limits`),
  // Another tab may have used up what is left: checks before an upload want a fresh answer.
  staleTime: 5_000,
});

/** Puts a fresh view of one attachment into the chat's list (appending it when new), or drops it. */
export function storeAttachment(
  client: QueryClient,
  chatId: string,
  id: string,
  view: AttachmentView | null,
) {
  client.setQueryData<AttachmentView[]>(attachmentKeys.list(chatId), (items = []) => {
    if (!view) return items.filter((item) => item.id !== id);
    return items.some((item) => item.id === id)
      ? items.map((item) => (item.id === id ? view : item))
      : [...items, view];
  });
}

/** The chat's attachments, oldest first; while any is in progress, its status is polled. */
export function useChatAttachments(chatId: string) {
  const list = useQuery({
    queryKey: attachmentKeys.list(chatId),
    queryFn: () => fetchList(chatId),
    staleTime: 5_000,
  });
  useInProgressPolling(chatId, list.data);
  return list;
}

/**
 * One poll loop for everything in progress, keyed by the set of ids: a new upload or a settled one
 * starts a new loop at the short delay, and none runs when nothing is in progress.
 */
function useInProgressPolling(chatId: string, items: AttachmentView[] | undefined) {
  const client = useQueryClient();
  const ids = (items ?? []).filter(isInProgress).map((item) => item.id);
  useQuery({
    queryKey: attachmentKeys.poll(chatId, ids.join(',')),
    enabled: ids.length > 0,
    queryFn: async () => {
      // Only the polled ids are written back: a list read while another upload landed must not drop it.
      const views =
        ids.length > MAX_SINGLE_POLLS
          ? await fetchList(chatId).then((items) =>
              ids.map((id) => items.find((item) => item.id === id) ?? null),
            )
          : await Promise.all(ids.map((id) => fetchOne(chatId, id)));
      for (const [index, id] of ids.entries()) storeAttachment(client, chatId, id, views[index] ?? null);
      // A file that failed no longer counts against the limits; one that landed shows in them.
      const now = client.getQueryData<AttachmentView[]>(attachmentKeys.list(chatId)) ?? [];
      if (ids.some((id) => !now.some((item) => item.id === id && isInProgress(item)))) {
        void client.invalidateQueries({ queryKey: attachmentKeys.limits(chatId) });
      }
      return Date.now();
    },
    refetchInterval: (query) => pollDelay(query.state.dataUpdateCount),
    staleTime: 0,
    gcTime: 0,
  });
}

/** One attachment, or null once it is gone (deleted in another tab). */
async function fetchOne(chatId: string, id: string): Promise<AttachmentView | null> {
  try {
    return await apiFetch<AttachmentView>(attachmentApi(chatId, id));
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return null;
    throw err;
  }
}

/** Deletes an attachment; a 409 `attachment_locked` is left to the caller to show. */
export function useDeleteAttachment(chatId: string) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => deleteAttachment(chatId, id),
    onSuccess: (_, id) => {
      storeAttachment(client, chatId, id, null);
      void client.invalidateQueries({ queryKey: attachmentKeys.limits(chatId) });
    },
  });
}

export const deleteAttachment = (chatId: string, id: string) =>
  apiFetch<void>(attachmentApi(chatId, id), { method: 'DELETE' });

/**
 * The original's bytes: to save, or with `inline` to show in a tab (the server sends only PDFs and
 * images inline); `page` opens a PDF there.
 */
export const contentUrl = (chatId: string, id: string, options: { inline?: boolean; page?: number } = {}) =>
  `${attachmentApi(chatId, id)}/content${options.inline ? '?disposition=inline' : ''}${
    options.inline && options.page ? `#page=${options.page}` : ''
  }`;

export const thumbnailSrc = (view: AttachmentView) =>
  view.img_thumbnail
    ? `data:${view.img_thumbnail.content_type};base64,${view.img_thumbnail.data_base64}`
    : undefined;
