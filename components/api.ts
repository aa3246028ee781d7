/** A failed API call, carrying the problem document's `detail` (as the message) and `code`. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    /** The whole problem document, for extension members such as `max_bytes` or `quota_scope`. */
    readonly problem: Record<string, unknown> = {},
    /** From a Retry-After header in seconds, when the server sent one. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Builds the ApiError for a non-2xx answer from its parsed body (anything) and Retry-After header. */
export function toApiError(status: number, body: unknown, retryAfter: string | null = null): ApiError {
  const problem = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const seconds = retryAfter === null ? Number.NaN : Number(retryAfter);
  return new ApiError(
    typeof problem.detail === 'string' ? problem.detail : `The request failed (HTTP ${status}).`,
    status,
    typeof problem.code === 'string' ? problem.code : 'unknown',
    problem,
    Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : null,
  );
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
    const body: unknown = await response.json().catch(() => ({}));
    throw toApiError(response.status, body, response.headers.get('retry-after'));
  }
  return response.status === 204 ? (undefined as T) : ((await response.json()) as T);
}
