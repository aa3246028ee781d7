import { pgErrorCode } from '@/lib/db/errors';
import { FileStoreError } from '@/lib/file-stores/ports';
import type { FailureReason } from '@/lib/metrics';

/** A failure's bounded metric label: the kind of trouble, never its text. */
export function failureReason(err: unknown): FailureReason {
  if (err instanceof FileStoreError) {
    if (err.status === 429) return 'rate_limited';
    if (err.code === 'configuration_error') return 'not_configured';
    return err.code === 'provider_unavailable' ? 'provider_unavailable' : 'provider_rejected';
  }
  return pgErrorCode(err) ? 'database' : 'internal';
}
