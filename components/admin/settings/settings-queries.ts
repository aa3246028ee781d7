import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { apiFetch } from '@/components/api';
import type { SettingsView } from '@/lib/admin/settings';

export const settingsKey = ['admin', 'settings'] as const;

export function useSettings() {
  return useQuery({ queryKey: settingsKey, queryFn: () => apiFetch<SettingsView>('/api/admin/settings') });
}

/** Saves some fields; the answer is the whole view again, which replaces the cached one. */
export function useSaveSettings() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (patch: Record<string, unknown>) =>
      apiFetch<SettingsView>('/api/admin/settings', { method: 'PATCH', body: patch }),
    onSuccess: (view) => queryClient.setQueryData(settingsKey, view),
  });
}

/** The problem's field errors, by field, to show beside each field. */
export function fieldErrors(error: unknown): Record<string, string> {
  const problem = (error as { problem?: { errors?: { field: string; message: string }[] } } | null)?.problem;
  return Object.fromEntries((problem?.errors ?? []).map((e) => [e.field, e.message]));
}
