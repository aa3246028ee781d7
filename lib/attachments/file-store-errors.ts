import { AppError, type ErrorCode } from '@/lib/errors';
import { FileStoreError } from '@/lib/file-stores/ports';
import { errorFields, log } from '@/lib/log';

/**
 * A provider failure as a client may see it: a sanitized code and a sentence of ours. The
 * provider's own words, status and ids stay in the log.
 */
export function fileStoreFailure(err: unknown, fallback: ErrorCode & ProviderCode): AppError {
  if (err instanceof AppError) return err;
  const code: ProviderCode =
    err instanceof FileStoreError
      ? err.code === 'configuration_error'
        ? 'provider_unavailable'
        : err.code
      : fallback;
  log.error({ code, err: errorFields(err) }, 'provider call failed');
  return new AppError(code, sentences[code], { cause: err });
}

type ProviderCode = 'provider_unavailable' | 'upload_failed' | 'vector_store_failed' | 'indexing_failed';

const sentences: Record<ProviderCode, string> = {
  provider_unavailable: 'The file provider is unavailable right now; try again.',
  upload_failed: 'The file provider refused the file.',
  vector_store_failed: "The chat's search index could not be set up.",
  indexing_failed: 'The file could not be indexed for search.',
};
