'use client';

import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { type ReactNode, useState } from 'react';
import { ApiError } from './api';

/** A 4xx answer will not change on a retry; network errors and 5xx get two more tries. */
const shouldRetry = (failures: number, error: Error) =>
  !(error instanceof ApiError && error.status < 500) && failures < 2;

export function Providers({ children }: { children: ReactNode }) {
  const [client] = useState(
    () => new QueryClient({ defaultOptions: { queries: { staleTime: 30_000, retry: shouldRetry } } }),
  );
  return <QueryClientProvider client={client}>{children}</QueryClientProvider>;
}
