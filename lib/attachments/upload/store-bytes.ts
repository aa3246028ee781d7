import { ByteLimitExceeded, type Head, meteredStream } from '@/lib/attachments/byte-stream';
import { createTextValidator, isTextType } from '@/lib/attachments/content-check';
import type { AttachmentDeps } from '@/lib/attachments/deps';
import { fileStoreFailure } from '@/lib/attachments/file-store-errors';
import { type FileTypeRule, storedFilename } from '@/lib/attachments/mime';
import { transition } from '@/lib/attachments/store';
import type { Attachment } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import type { FileStore } from '@/lib/file-stores/ports';
import type { AdmittedFile } from './admit';
import { tooLarge } from './errors';

/** A file's bytes, stored. */
export interface StoredBytes {
  providerFileId: string;
  /** The exact byte count. */
  size: number;
  /** The whole image, for its thumbnail; null for a document. */
  image: Buffer | null;
}

/**
 * Streams the body (its checked head, then the rest) into the file store under the row's
 * structured name, counting bytes against the kind's limit and checking text as it passes. A
 * failure fails the `pending` row and is thrown as what really happened: our limit or check, the
 * client gone, or the file store.
 */
export async function storeBytes(
  deps: Pick<AttachmentDeps, 'db' | 'metrics'>,
  upload: { row: Attachment; file: AdmittedFile; fileStore: FileStore; head: Head; signal?: AbortSignal },
): Promise<StoredBytes> {
  const { row, file, fileStore, head, signal } = upload;
  const { rule, maxBytes } = file;
  const textValidator = isTextType(rule) ? createTextValidator() : null;
  const imageChunks: Uint8Array[] | null = rule.kind === 'image' ? [] : null;
  const body = meteredStream(
    head,
    maxBytes,
    (chunk) => {
      textValidator?.push(chunk);
      imageChunks?.push(chunk);
    },
    () => textValidator?.end(),
  );

  let providerFileId: string;
  try {
    ({ providerFileId } = await fileStore.files.upload({
      filename: storedFilename(row.chatId, row.id, rule),
      contentType: rule.mime,
      body,
      signal: signal,
    }));
  } catch (err) {
    const failure = classifyUploadFailure(err, body.failure, rule, maxBytes, signal);
    await transition(deps.db, row.id, 'pending', {
      status: 'failed',
      errorCode: failure.errorCode,
      // Nobody is left to see a cancelled upload fail: it goes, rather than count against the chat.
      ...(signal?.aborted ? { deletedAt: new Date() } : {}),
    });
    deps.metrics.upload(rule.kind, failure.metric);
    throw failure.error;
  }
  return { providerFileId, size: body.bytes, image: imageChunks && Buffer.concat(imageChunks) };
}

function classifyUploadFailure(
  err: unknown,
  streamFailure: { from: 'check' | 'source'; error: unknown } | undefined,
  rule: FileTypeRule,
  maxBytes: number,
  signal: AbortSignal | undefined,
): {
  errorCode: string;
  metric: 'file_too_large' | 'content_mismatch' | 'timeout' | 'cancelled' | 'provider_error';
  error: AppError;
} {
  const cause = streamFailure?.error;
  if (cause instanceof ByteLimitExceeded) {
    return { errorCode: 'file_too_large', metric: 'file_too_large', error: tooLarge(rule.kind, maxBytes) };
  }
  if (streamFailure?.from === 'check' && cause instanceof AppError) {
    return { errorCode: cause.code, metric: 'content_mismatch', error: cause };
  }
  if (streamFailure?.from === 'source' && cause instanceof AppError && cause.code === 'upload_timeout') {
    // The client stalled (lib/attachments/body-clock.ts): it may still be there to read why.
    return { errorCode: cause.code, metric: 'timeout', error: cause };
  }
  if (signal?.aborted || streamFailure?.from === 'source') {
    // The client went away or sent a broken body: nothing for the file store to answer for.
    const error =
      cause instanceof AppError
        ? cause
        : new AppError('multipart_error', 'The upload ended before the file was complete.');
    return { errorCode: 'upload_cancelled', metric: 'cancelled', error };
  }
  const error = fileStoreFailure(err, 'upload_failed');
  return { errorCode: 'upload_failed', metric: 'provider_error', error };
}
