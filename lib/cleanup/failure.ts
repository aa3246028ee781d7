import { pgErrorCode } from '../db/errors';
import type { FailureReason } from '../metrics';
import { ProviderError } from '../providers/ports';

/** A failure's bounded metric label: the kind of trouble, never its text. */
export function failureReason(err: unknown): FailureReason {
  if (err instanceof ProviderError) {
    if (err.status === 429) return 'rate_limited';
    if (err.code === 'configuration_error') return 'not_configured';
    return err.code === 'provider_unavailable' ? 'provider_unavailable' : 'provider_rejected';
  }
  return pgErrorCode(err) ? 'database' : 'internal';
}
