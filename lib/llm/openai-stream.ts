import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';
import { ModelError, type ModelErrorCode, type Passage } from './ports';

/** What both OpenAI SDK adapters share: the passages block of a prompt, and SDK errors as ours. */

/** Passages as both adapters put them in a prompt: numbered, so an answer can cite them as [1]. */
export const numberedPassages = (passages: Passage[]): string =>
  passages.map((passage, i) => `[${i + 1}] ${passage.filename}: ${passage.text}`).join('\n\n');

/** `insufficient_quota` is what the API answers with a 429 before a stream, so it is treated alike. */
const RATE_LIMIT_CODES = new Set(['rate_limit_exceeded', 'insufficient_quota']);

/** Our code for a provider's error code; the provider's own never leaves the adapter. */
export function codeFor(providerCode: unknown): ModelErrorCode {
  if (typeof providerCode !== 'string') return 'provider_error';
  if (RATE_LIMIT_CODES.has(providerCode)) return 'rate_limited';
  if (providerCode === 'context_length_exceeded') return 'context_too_long';
  // Azure refuses a filtered prompt with a 400 of this code.
  if (providerCode === 'content_filter') return 'content_filtered';
  return 'provider_error';
}

function toModelError(err: unknown): ModelError {
  if (err instanceof ModelError) return err;
  // Before APIConnectionError, of which it is a subclass.
  if (err instanceof APIConnectionTimeoutError) {
    return new ModelError('provider_timeout', `timeout: ${err.message}`, { cause: err });
  }
  if (err instanceof APIConnectionError) {
    return new ModelError('provider_unavailable', `connection: ${err.message}`, { cause: err });
  }
  if (err instanceof APIError) {
    // No status: an error event inside the stream, which the SDK throws as it reads it.
    const code = err.status === 429 ? 'rate_limited' : codeFor(err.code);
    return new ModelError(code, `${err.status ?? 'in stream'}: ${err.message}`, { cause: err });
  }
  // Not the SDK's: the body broke off mid-answer (undici's "terminated" when the connection drops).
  return new ModelError('provider_unavailable', `stream: ${err}`, { cause: err });
}

/**
 * Iterates an SDK stream, turning its failures into ModelErrors. On abort it ends quietly, without
 * throwing and without passing on events already read: the SDK throws APIUserAbortError only when
 * the abort comes before the response, and ends its iteration silently after.
 */
export async function* guarded<T>(
  open: () => Promise<AsyncIterable<T>>,
  signal: AbortSignal,
): AsyncGenerator<T> {
  try {
    for await (const event of await open()) {
      if (signal.aborted) return;
      yield event;
    }
  } catch (err) {
    if (signal.aborted) return;
    throw toModelError(err);
  }
}
