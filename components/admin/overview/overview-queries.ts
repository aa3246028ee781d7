import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '@/components/api';
import type { Overview } from '@/lib/admin/overview';

export type UsersSort = 'bytes' | 'files';

export function useOverview(sort: UsersSort) {
  return useQuery({
    queryKey: ['admin', 'overview', sort],
    queryFn: () => apiFetch<Overview>(`/api/admin/overview?users_sort=${sort}`),
  });
}

export function useRetryDeadJobs() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => apiFetch<{ retried: number }>('/api/admin/jobs/retry', { method: 'POST' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['admin', 'overview'] }),
  });
}
