import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '@/components/api';
import type { TokenSummary } from '@/lib/auth/tokens';

const tokensKey = ['tokens'] as const;

/** A just-created token: the only time its plaintext is available. */
export type CreatedToken = TokenSummary & { token: string };

export function useTokens() {
  return useQuery({
    queryKey: tokensKey,
    queryFn: async () => (await apiFetch<{ items: TokenSummary[] }>('/api/tokens')).items,
  });
}

export function useCreateToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => apiFetch<CreatedToken>('/api/tokens', { method: 'POST', body: { name } }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokensKey }),
  });
}

export function useRevokeToken() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => apiFetch<void>(`/api/tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: tokensKey }),
  });
}
