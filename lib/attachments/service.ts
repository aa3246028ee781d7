import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { AttachmentConfig } from '@/lib/config';
import type { Db, Queryable } from '@/lib/db';
import { type Attachment, type AttachmentStatus, attachments } from '@/lib/db/schema';
import { AppError, notFound } from '@/lib/errors';
import {
  type FileStore,
  FileStoreError,
  type FileStoreId,
  type IndexingFailure,
  type VectorStoreFileState,
} from '@/lib/file-stores/ports';
import { isUuid } from '@/lib/ids';
import { errorFields, log } from '@/lib/log';
import type { AttachmentMetrics } from '@/lib/metrics';
import { enqueue } from '@/lib/outbox/store';
import { wakeWorker } from '@/lib/outbox/wake';
import { type AccessScope, authorize, type Caller } from '@/lib/policy';
import { ByteLimitExceeded, type Head, meteredStream, readHead } from './byte-stream';
import { CONTENT_HEAD_BYTES, checkContentHead, createTextValidator, isTextType } from './content-check';
import {
  gatePurposes,
  loadLiveChat,
  lockForUpload,
  type ModelLookup,
  resolveUploadContext,
  type UploadContext,
} from './context';
import { fileStoreFailure } from './file-store-errors';
import { sanitizeFilename } from './filename';
import { type FileTypeRule, type Purpose, resolveFileType, storedFilename } from './mime';
import { DEFAULT_THUMBNAIL_CONFIG, makeThumbnail, type ThumbnailConfig } from './thumbnail';
import type { UploadGate } from './upload-gate';
import { byteBreach, type LimitBreach, readUsage } from './usage';
import { getOrCreateVectorStore } from './vector-store';
import { type AttachmentView, toAttachmentView } from './view';

export interface AttachmentDeps {
  db: Db;
  config: AttachmentConfig;
  models: ModelLookup;
  fileStores: (id: FileStoreId) => FileStore;
  metrics: AttachmentMetrics;
  gate: UploadGate;
  thumbnails?: ThumbnailConfig;
  sleep?: (ms: number) => Promise<void>;
}

export interface UploadInput {
  /** Content-Length of the whole request when known, multipart framing included. */
  sizeHint: number | null;
  /** Starts reading the request: called only once the upload may go ahead at all. */
  openFile: () => Promise<{
    filename: string | null | undefined;
    /** The part's declared Content-Type. */
    contentType: string;
    body: AsyncIterable<Uint8Array>;
  }>;
  /** Aborted when the client goes away. */
  signal?: AbortSignal;
}

export interface UploadOutcome {
  attachment: AttachmentView;
  /**
   * For a document being indexed: waits for the provider to finish and settles the attachment
   * (`ready` or `failed`). Never rejects; run it after the response.
   */
  indexing?: () => Promise<void>;
}

/** Content-Length counts the multipart framing too; upstream allows it 64 KiB. */
export const MULTIPART_OVERHEAD = 64 * 1024;

const sleeper = (deps: AttachmentDeps) =>
  deps.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));

const humanSize = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MB`;

const tooLarge = (kind: string, limit: number) =>
  new AppError('file_too_large', `The ${kind} is larger than the ${humanSize(limit)} limit for ${kind}s.`, {
    extensions: { max_bytes: limit },
  });

function breachError(breach: LimitBreach): AppError {
  if (breach.code === 'storage_limit_exceeded') {
    return new AppError(
      'storage_limit_exceeded',
      "This file would take the chat's attachments over its size limit.",
    );
  }
  return new AppError(
    'storage_quota_exceeded',
    breach.scope === 'user'
      ? 'This file would take you over your storage quota. Delete files you no longer need.'
      : 'This file would take your organisation over its storage quota.',
    { extensions: { quota_scope: breach.scope } },
  );
}

/**
 * Upstream's upload, with our order: everything that can refuse the file without writing
 * anything (type, size, content, switches) comes first; then one transaction checks the limits
 * and quotas under locks and writes the `pending` row; then the bytes stream to the provider.
 */
export async function uploadFile(
  deps: AttachmentDeps,
  caller: Caller | null,
  chatId: string,
  input: UploadInput,
): Promise<UploadOutcome> {
  const scope = authorize(caller, 'attachment.upload');
  const ctx = await resolveUploadContext(deps, scope, chatId);
  if (!ctx.uploadsEnabled)
    throw new AppError('uploads_disabled', 'Uploads are turned off for your organisation.');
  // Too large for any kind: refused before a byte of the body is read.
  const largest = Math.max(ctx.maxBytes.document, ctx.maxBytes.image);
  if (input.sizeHint !== null && input.sizeHint - MULTIPART_OVERHEAD > largest) {
    throw tooLarge('file', largest);
  }
  const file = await input.openFile();
  const filename = sanitizeFilename(file.filename);
  let rule: FileTypeRule;
  try {
    rule = resolveFileType(file.contentType, filename, { allowCsv: deps.config.allowCsvUpload });
  } catch (err) {
    deps.metrics.upload('document', 'unsupported_type');
    throw err;
  }
  const purposes = gatePurposes(rule, ctx);
  const maxBytes = ctx.maxBytes[rule.kind];
  if (input.sizeHint !== null && input.sizeHint - MULTIPART_OVERHEAD > maxBytes) {
    deps.metrics.upload(rule.kind, 'file_too_large');
    throw tooLarge(rule.kind, maxBytes);
  }
  let leave: () => void;
  try {
    leave = deps.gate.enter();
  } catch (err) {
    deps.metrics.upload(rule.kind, 'concurrency_limit');
    throw err;
  }
  try {
    return await storeFile(
      deps,
      scope,
      ctx,
      { body: file.body, filename, rule, purposes, maxBytes, sizeHint: input.sizeHint },
      input.signal,
    );
  } finally {
    leave();
  }
}

/** A file the upload's type, switches and tools let through. */
interface AdmittedFile {
  filename: string;
  rule: FileTypeRule;
  purposes: Purpose[];
}

/** The admitted upload: content check, the pending row, the bytes to the provider, then settling. */
async function storeFile(
  deps: AttachmentDeps,
  scope: AccessScope,
  ctx: UploadContext,
  file: AdmittedFile & { maxBytes: number; sizeHint: number | null; body: AsyncIterable<Uint8Array> },
  signal: AbortSignal | undefined,
): Promise<UploadOutcome> {
  const { filename, rule, purposes } = file;
  const head = await readHead(file.body, CONTENT_HEAD_BYTES);
  try {
    await checkContentHead(head.head, rule, head.ended);
  } catch (err) {
    deps.metrics.upload(rule.kind, 'content_mismatch');
    throw err;
  }
  const provider = resolveFileStore(deps, ctx.provider);

  const row = await insertPending(deps, scope, ctx, {
    filename,
    rule,
    purposes,
    provider,
    estimate: Math.max(0, (file.sizeHint ?? 0) - MULTIPART_OVERHEAD),
  });
  deps.metrics.pending(1);
  try {
    return await streamAndSettle(deps, scope, ctx, { ...file, head, provider, row }, signal);
  } catch (err) {
    // The row exists now, failed: name it, so the client can show, retry or delete that very row.
    if (err instanceof AppError && err.code !== 'not_found') err.extensions.attachment_id = row.id;
    throw err;
  } finally {
    deps.metrics.pending(-1);
  }
}

/** The bytes to the provider, then the row settled: uploaded, ready, or failed. */
async function streamAndSettle(
  deps: AttachmentDeps,
  scope: AccessScope,
  ctx: UploadContext,
  file: AdmittedFile & { maxBytes: number; head: Head; provider: FileStore; row: Attachment },
  signal: AbortSignal | undefined,
): Promise<UploadOutcome> {
  const { rule, purposes, maxBytes, head, provider, row } = file;
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
    ({ providerFileId } = await provider.files.upload({
      filename: storedFilename(ctx.chat.id, row.id, rule),
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

  const size = body.bytes;
  const settled = await settleUploaded(deps, scope, row, providerFileId, size);
  if (!('uploaded' in settled)) {
    await deleteQuietly(provider, providerFileId);
    deps.metrics.upload(rule.kind, settled.breach ? 'storage_limit_exceeded' : 'deleted');
    throw settled.breach ? breachError(settled.breach) : notFound('Attachment');
  }
  deps.metrics.upload(rule.kind, 'ok');
  deps.metrics.uploadBytes(rule.kind, size);

  if (imageChunks) {
    const thumbnail = await makeThumbnail(
      Buffer.concat(imageChunks),
      deps.thumbnails ?? DEFAULT_THUMBNAIL_CONFIG,
    );
    return { attachment: await markReady(deps, provider, row.id, providerFileId, thumbnail) };
  }
  if (!purposes.includes('file_search')) {
    return { attachment: await markReady(deps, provider, row.id, providerFileId, null) };
  }
  const vectorStoreId = await chatVectorStore(deps, provider, ctx, row.id, providerFileId);
  return {
    attachment: toAttachmentView(settled.uploaded),
    indexing: () => indexDocument(deps, { provider, vectorStoreId, id: row.id, providerFileId }),
  };
}

function resolveFileStore(deps: AttachmentDeps, id: FileStoreId): FileStore {
  try {
    return deps.fileStores(id);
  } catch (err) {
    throw fileStoreFailure(err, 'provider_unavailable');
  }
}

async function insertPending(
  deps: AttachmentDeps,
  scope: AccessScope,
  ctx: UploadContext,
  file: AdmittedFile & { provider: FileStore; estimate: number },
): Promise<Attachment> {
  const ids = { tenantId: scope.tenantId, chatId: ctx.chat.id, userId: scope.userId };
  try {
    return await deps.db.transaction(async (tx) => {
      await lockForUpload(tx, ids);
      const usage = await readUsage(tx, ids);
      if (file.rule.kind === 'document' && usage.chatDocuments >= deps.config.maxDocumentsPerChat) {
        throw new AppError(
          'document_limit_exceeded',
          `This chat already has ${deps.config.maxDocumentsPerChat} documents, its limit. Delete one to add another.`,
        );
      }
      const breach = file.estimate > 0 ? byteBreach(usage, file.estimate, deps.config) : null;
      if (breach) throw breachError(breach);
      const [row] = await tx
        .insert(attachments)
        .values({
          tenantId: scope.tenantId,
          chatId: ctx.chat.id,
          uploadedByUserId: scope.userId,
          filename: file.filename,
          contentType: file.rule.mime,
          sizeBytes: file.estimate,
          provider: file.provider.id,
          storageBackend: file.provider.storageBackend,
          status: 'pending',
          kind: file.rule.kind,
          forFileSearch: file.purposes.includes('file_search'),
          forCodeInterpreter: file.purposes.includes('code_interpreter'),
        })
        .returning();
      return row as Attachment;
    });
  } catch (err) {
    if (err instanceof AppError && err.code !== 'not_found')
      deps.metrics.upload(file.rule.kind, 'limit_exceeded');
    throw err;
  }
}

function classifyUploadFailure(
  err: unknown,
  streamFailure: { from: 'check' | 'source'; error: unknown } | undefined,
  rule: FileTypeRule,
  maxBytes: number,
  signal: AbortSignal | undefined,
): {
  errorCode: string;
  metric: 'file_too_large' | 'content_mismatch' | 'cancelled' | 'provider_error';
  error: AppError;
} {
  const cause = streamFailure?.error;
  if (cause instanceof ByteLimitExceeded) {
    return { errorCode: 'file_too_large', metric: 'file_too_large', error: tooLarge(rule.kind, maxBytes) };
  }
  if (streamFailure?.from === 'check' && cause instanceof AppError) {
    return { errorCode: cause.code, metric: 'content_mismatch', error: cause };
  }
  if (signal?.aborted || streamFailure?.from === 'source') {
    // The client went away or sent a broken body: nothing for the provider to answer for.
    const error =
      cause instanceof AppError
        ? cause
        : new AppError('multipart_error', 'The upload ended before the file was complete.');
    return { errorCode: 'upload_cancelled', metric: 'cancelled', error };
  }
  const error = fileStoreFailure(err, 'upload_failed');
  return { errorCode: 'upload_failed', metric: 'provider_error', error };
}

/**
 * pending → uploaded with the exact size, re-checking the chat total and the quotas under the same
 * locks as the insert: a chunked upload had no size to check before, and concurrent uploads may
 * have landed since.
 */
async function settleUploaded(
  deps: AttachmentDeps,
  scope: AccessScope,
  row: Attachment,
  providerFileId: string,
  size: number,
): Promise<{ uploaded: Attachment } | { breach?: LimitBreach }> {
  const ids = { tenantId: scope.tenantId, chatId: row.chatId, userId: scope.userId };
  try {
    return await deps.db.transaction(async (tx) => {
      await lockForUpload(tx, ids);
      const breach = byteBreach(await readUsage(tx, ids, row.id), size, deps.config);
      const updated = await transition(tx, row.id, 'pending', {
        status: breach ? 'failed' : 'uploaded',
        errorCode: breach?.code ?? null,
        sizeBytes: size,
        providerFileId,
      });
      if (!updated) return {};
      return breach ? { breach } : { uploaded: updated };
    });
  } catch (err) {
    // The chat was deleted under us: the upload is as gone as the chat.
    if (err instanceof AppError && err.code === 'not_found') return {};
    throw err;
  }
}

async function markReady(
  deps: AttachmentDeps,
  provider: FileStore,
  id: string,
  providerFileId: string,
  thumbnail: { bytes: Buffer; width: number; height: number } | null,
): Promise<AttachmentView> {
  const ready = await transition(deps.db, id, 'uploaded', {
    status: 'ready',
    ...(thumbnail
      ? {
          imgThumbnail: thumbnail.bytes,
          imgThumbnailWidth: thumbnail.width,
          imgThumbnailHeight: thumbnail.height,
        }
      : {}),
  });
  if (!ready) {
    await deleteQuietly(provider, providerFileId);
    throw notFound('Attachment');
  }
  return toAttachmentView(ready);
}

/**
 * The chat's vector store, before answering: its failures (another provider's store, a creation
 * still in progress elsewhere) are the client's to see, and retry, now.
 */
async function chatVectorStore(
  deps: AttachmentDeps,
  provider: FileStore,
  ctx: UploadContext,
  id: string,
  providerFileId: string,
): Promise<string> {
  try {
    return await getOrCreateVectorStore(
      { db: deps.db, pollDelaysMs: deps.config.vectorStorePollDelaysMs, sleep: deps.sleep },
      { tenantId: ctx.chat.tenantId, chatId: ctx.chat.id },
      provider,
    );
  } catch (err) {
    await failIndexing(deps, provider, id, providerFileId, 'vector_store_failed');
    throw fileStoreFailure(err, 'vector_store_failed');
  }
}

/** Fails an uploaded document and removes its provider file (and its place in the store). */
async function failIndexing(
  deps: AttachmentDeps,
  provider: FileStore,
  id: string,
  providerFileId: string,
  errorCode: 'vector_store_failed' | 'indexing_failed' | IndexingFailure,
  vectorStoreId?: string,
): Promise<void> {
  if (!(await transition(deps.db, id, 'uploaded', { status: 'failed', errorCode }))) return;
  if (vectorStoreId) await provider.vectorStores.removeFile(vectorStoreId, providerFileId).catch(() => {});
  await deleteQuietly(provider, providerFileId);
}

/** A document on its way into the chat's vector store. */
interface IndexTarget {
  provider: FileStore;
  vectorStoreId: string;
  id: string;
  providerFileId: string;
}

/**
 * After the response: adds the document to the chat's store and waits until it is searchable.
 * Never rejects; whatever goes wrong ends as `failed` with `indexing_failed`, or the provider's
 * reason when it is one a client may see (`document_too_complex`).
 */
async function indexDocument(deps: AttachmentDeps, target: IndexTarget): Promise<void> {
  const { provider, vectorStoreId, id, providerFileId } = target;
  try {
    await provider.vectorStores.addFile(vectorStoreId, providerFileId, { attachment_id: id });
  } catch (err) {
    log.error({ attachment_id: id, err: errorFields(err) }, 'adding to the vector store failed');
    await failIndexing(deps, provider, id, providerFileId, 'indexing_failed').catch(() => {});
    return;
  }
  await waitUntilIndexed(deps, target);
}

/**
 * Ready means searchable: the document turns `ready` only once the provider reports its
 * vector-store file `completed`. If this process dies first, the row stays `uploaded` and the
 * reaper asks the provider again.
 */
async function waitUntilIndexed(deps: AttachmentDeps, target: IndexTarget): Promise<void> {
  const { provider, vectorStoreId, id, providerFileId } = target;
  const deadline = Date.now() + deps.config.indexingTimeoutMs;
  try {
    while (Date.now() < deadline) {
      const state = await provider.vectorStores
        .fileStatus(vectorStoreId, providerFileId)
        .catch((err: unknown): VectorStoreFileState | null => {
          // The store or the file is gone at the provider: asking again will not bring it back.
          if (err instanceof FileStoreError && err.status === 404) return { status: 'failed' };
          log.warn({ attachment_id: id, err: errorFields(err) }, 'indexing status unavailable');
          return null;
        });
      if (state?.status === 'completed') {
        await transition(deps.db, id, 'uploaded', { status: 'ready' });
        return;
      }
      if (state?.status === 'failed' || state?.status === 'cancelled') {
        const errorCode = state.error ?? 'indexing_failed';
        await failIndexing(deps, provider, id, providerFileId, errorCode, vectorStoreId);
        return;
      }
      await sleeper(deps)(deps.config.indexingPollIntervalMs);
    }
  } catch (err) {
    log.error({ attachment_id: id, err: errorFields(err) }, 'indexing follow-up failed');
  }
}

/** Every status change is a compare-and-set on the expected status of a row that is not deleted. */
async function transition(
  q: Queryable,
  id: string,
  from: AttachmentStatus,
  set: Partial<typeof attachments.$inferInsert>,
): Promise<Attachment | undefined> {
  const [row] = await q
    .update(attachments)
    .set({ ...set, updatedAt: sql`now()` })
    .where(and(eq(attachments.id, id), eq(attachments.status, from), isNull(attachments.deletedAt)))
    .returning();
  return row;
}

async function deleteQuietly(provider: FileStore, providerFileId: string): Promise<void> {
  await provider.files.delete(providerFileId).catch((err: unknown) => {
    // No live row references it: reconciliation finds it by its structured name.
    log.warn({ err: errorFields(err) }, 'provider file delete failed');
  });
}

async function findInChat(db: Db, scope: AccessScope, chatId: string, attachmentId: string) {
  await loadLiveChat(db, scope, chatId);
  if (!isUuid(attachmentId)) throw notFound('Attachment');
  const [row] = await db
    .select()
    .from(attachments)
    .where(
      and(
        eq(attachments.id, attachmentId),
        eq(attachments.chatId, chatId),
        eq(attachments.tenantId, scope.tenantId),
      ),
    );
  if (!row) throw notFound('Attachment');
  return row;
}

export async function listAttachments(deps: AttachmentDeps, caller: Caller | null, chatId: string) {
  const scope = authorize(caller, 'attachment.read');
  await loadLiveChat(deps.db, scope, chatId);
  const rows = await deps.db
    .select()
    .from(attachments)
    .where(
      and(
        eq(attachments.chatId, chatId),
        eq(attachments.tenantId, scope.tenantId),
        isNull(attachments.deletedAt),
      ),
    )
    .orderBy(asc(attachments.createdAt), asc(attachments.id));
  return rows.map(toAttachmentView);
}

export async function getAttachment(
  deps: AttachmentDeps,
  caller: Caller | null,
  chatId: string,
  attachmentId: string,
): Promise<AttachmentView> {
  const row = await findInChat(deps.db, authorize(caller, 'attachment.read'), chatId, attachmentId);
  if (row.deletedAt) throw notFound('Attachment');
  return toAttachmentView(row);
}

export async function getThumbnail(
  deps: AttachmentDeps,
  caller: Caller | null,
  chatId: string,
  attachmentId: string,
): Promise<Buffer> {
  const row = await findInChat(deps.db, authorize(caller, 'attachment.read'), chatId, attachmentId);
  if (row.deletedAt || !row.imgThumbnail) throw notFound('Thumbnail');
  return row.imgThumbnail;
}

/**
 * Upstream's delete: 404, 403 for someone else's upload, 204 when already deleted; then one
 * transaction soft-deletes (unless a message holds the attachment) and enqueues the provider
 * cleanup. Unlike upstream, the row's cleanup is marked pending so the worker can track retries.
 */
export async function deleteAttachment(
  deps: AttachmentDeps,
  caller: Caller | null,
  chatId: string,
  attachmentId: string,
): Promise<void> {
  const scope = authorize(caller, 'attachment.delete');
  const row = await findInChat(deps.db, scope, chatId, attachmentId);
  if (row.uploadedByUserId !== scope.userId)
    throw new AppError('forbidden', 'Only the uploader can delete this file.');
  if (row.deletedAt) return;

  const deleted = await deps.db.transaction(async (tx) => {
    const [hit] = await tx
      .update(attachments)
      .set({
        deletedAt: sql`now()`,
        cleanupStatus: 'pending',
        cleanupUpdatedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(
        and(
          eq(attachments.id, row.id),
          isNull(attachments.deletedAt),
          // A send that locks the row concurrently writes a new version; Postgres re-checks this
          // condition on it, so the delete either wins before the link or sees the lock.
          isNull(attachments.lockedAt),
        ),
      )
      .returning();
    if (hit) {
      await enqueue(tx, 'attachment_deleted', {
        tenant_id: hit.tenantId,
        chat_id: hit.chatId,
        attachment_id: hit.id,
      });
    }
    return hit;
  });
  if (deleted) {
    // Picked up now rather than at the next poll (upstream's attachment delete waited).
    wakeWorker();
    return;
  }
  const [again] = await deps.db.select().from(attachments).where(eq(attachments.id, row.id));
  if (!again || again.deletedAt) return;
  throw new AppError(
    'attachment_locked',
    'Attachment is referenced by one or more messages and cannot be deleted.',
  );
}
