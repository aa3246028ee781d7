import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '@/components/api';
import type { AuditEntryView } from '@/lib/admin/audit-log';
import type { ForceDeleteResult } from '@/lib/admin/force-delete';
import type { InventoryItem } from '@/lib/admin/inventory';
import type { InvitationView } from '@/lib/admin/invitations';
import type { AdminUserView } from '@/lib/admin/users';

export type { AdminUserView, AuditEntryView, InventoryItem, InvitationView };

/** A list's filters as the query string the API and its CSV export read; blank ones left out. */
export function filterQuery(filters: Record<string, string>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(filters)) if (value) params.set(key, value);
  return params.toString();
}

interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

/** A keyset-paged admin list: the first page, then "Load more" fetches the next by its cursor. */
function usePagedList<T>(key: string, path: string, filters: Record<string, string>) {
  const query = filterQuery(filters);
  return useInfiniteQuery({
    queryKey: ['admin', key, query],
    initialPageParam: '',
    queryFn: ({ pageParam }) =>
      apiFetch<Page<T>>(`${path}?${filterQuery({ ...filters, cursor: pageParam })}`),
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

export const useInventory = (filters: Record<string, string>) =>
  usePagedList<InventoryItem>('attachments', '/api/admin/attachments', filters);

export const useAudit = (filters: Record<string, string>) =>
  usePagedList<AuditEntryView>('audit', '/api/admin/audit', filters);

export const useUsers = () => usePagedList<AdminUserView>('users', '/api/admin/users', { limit: '200' });

/** Deleting changes the inventory, users' usage and the audit log: all of the admin lists. */
function useAdminMutation<Input, Output>(run: (input: Input) => Promise<Output>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: run,
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin'] }),
  });
}

export type ForceDeleteTarget = { attachment_ids: string[] } | { user_id: string } | { chat_id: string };

export const useForceDelete = () =>
  useAdminMutation((target: ForceDeleteTarget) =>
    apiFetch<ForceDeleteResult>('/api/admin/attachments/force-delete', { method: 'POST', body: target }),
  );

export const useUpdateUser = () =>
  useAdminMutation(({ id, ...change }: { id: string; role?: 'admin' | 'member'; disabled?: boolean }) =>
    apiFetch<AdminUserView>(`/api/admin/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: change }),
  );

export const useInvitations = () =>
  useQuery({
    queryKey: ['admin', 'invitations'],
    queryFn: async () => (await apiFetch<{ items: InvitationView[] }>('/api/admin/invitations')).items,
  });

export const useCreateInvitation = () =>
  useAdminMutation((body: { role: 'admin' | 'member'; expires_in_days: number }) =>
    apiFetch<InvitationView & { url: string }>('/api/admin/invitations', { method: 'POST', body }),
  );

export const useRevokeInvitation = () =>
  useAdminMutation((id: string) =>
    apiFetch<void>(`/api/admin/invitations/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  );
