/** A failed API call, carrying the problem document's `detail` (as the message) and `code`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

interface Problem {
  detail?: unknown;
  code?: unknown;
}

/**
 * Calls the JSON API with the browser session. Resolves to the parsed body (undefined for 204) and
 * throws an ApiError for any non-2xx answer.
 */
export async function apiFetch<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: init.body === undefined ? undefined : { 'content-type': 'application/json' },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  if (!response.ok) {
    const problem: Problem = await response.json().catch(() => ({}));
    throw new ApiError(
      typeof problem.detail === 'string' ? problem.detail : `The request failed (HTTP ${response.status}).`,
      response.status,
      typeof problem.code === 'string' ? problem.code : 'unknown',
    );
  }
  return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
}
