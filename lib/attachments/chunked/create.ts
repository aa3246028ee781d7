import { z } from 'zod';
import { resolveUploadContext } from '@/lib/attachments/context';
import type { AttachmentDeps } from '@/lib/attachments/deps';
import { fileStoreFailure } from '@/lib/attachments/file-store-errors';
import { storedFilename } from '@/lib/attachments/mime';
import { transition } from '@/lib/attachments/store';
import { admitUpload, resolveFileStore, resolveType } from '@/lib/attachments/upload/admit';
import { insertPending } from '@/lib/attachments/upload/pending';
import { toAttachmentView } from '@/lib/attachments/view';
import { type Upload, uploads } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import type { UploadStaging } from '@/lib/file-stores/ports';
import { refuseWhileDraining } from '@/lib/lifecycle';
import { errorFields, log } from '@/lib/log';
import { authorize, type Caller } from '@/lib/policy';
import { parseInput } from '@/lib/validation';
import { sweepUploads } from './close';
import { MAX_PARTS, PART_SIZE, partCountFor, UPLOAD_TTL_MS } from './protocol';
import { setStagingRef, setUploadState } from './store';
import { type UploadView, uploadView } from './view';

const createSchema = z.object({
  filename: z.string().min(1).max(1024),
  size_bytes: z
    .number()
    .int()
    .nonnegative()
    .max(PART_SIZE * MAX_PARTS),
  content_type: z.string().min(1).max(255),
});

/** Expired uploads swept by each new one: bounded, so a backlog never makes one request slow. */
const SWEEP_ON_CREATE = 5;

/**
 * Starts a chunked upload. Everything a single-request upload checks is checked here, with the
 * declared size standing for the file: switches, type, the kind's size limit, then under the
 * upload locks the chat's document count, its bytes and the quotas, which the `uploading` row
 * then holds (its size counts like any stored file's) until it completes or fails. Then the file
 * store opens the staging area.
 */
export async function createUpload(
  deps: AttachmentDeps,
  caller: Caller | null,
  chatId: string,
  body: unknown,
): Promise<UploadView> {
  const scope = authorize(caller, 'upload.create');
  refuseWhileDraining();
  const input = parseInput(createSchema, body);
  const ctx = await resolveUploadContext(deps, scope, chatId);
  admitUpload(ctx, input.size_bytes);
  if (input.size_bytes === 0) throw new AppError('empty_file', 'The file is empty.');
  const file = resolveType(
    deps,
    ctx,
    { filename: input.filename, contentType: input.content_type },
    input.size_bytes,
  );
  const fileStore = resolveFileStore(deps, ctx.provider);
  const staging = fileStore.files.staging;
  if (!staging) throw new AppError('provider_unavailable', 'This file store cannot take uploads in parts.');
  await sweepUploads(deps, new Date(), SWEEP_ON_CREATE);

  const partCount = partCountFor(input.size_bytes);
  let upload: Upload | undefined;
  const row = await insertPending(
    deps,
    { tenantId: scope.tenantId, chatId: ctx.chat.id, userId: scope.userId },
    {
      file,
      fileStore,
      estimate: input.size_bytes,
      status: 'uploading',
      alongside: async (tx, attachment) => {
        [upload] = await tx
          .insert(uploads)
          .values({
            attachmentId: attachment.id,
            tenantId: scope.tenantId,
            userId: scope.userId,
            chatId: ctx.chat.id,
            sizeBytes: input.size_bytes,
            partSize: PART_SIZE,
            partCount,
            contentType: input.content_type.slice(0, 128),
            filename: file.filename,
            provider: fileStore.id,
            expiresAt: new Date(Date.now() + UPLOAD_TTL_MS),
          })
          .returning();
      },
    },
  );
  if (!upload) throw new Error('the upload row was not written');
  const opened = await openStaging(deps, staging, upload, {
    attachmentId: row.id,
    filename: storedFilename(row.chatId, row.id, file.rule),
    contentType: file.rule.mime,
    sizeBytes: input.size_bytes,
    partSize: PART_SIZE,
    partCount,
  });
  return uploadView(opened, toAttachmentView(row), []);
}

/**
 * Opens the staging area and records it on the upload, with the staging's own expiry when that is
 * sooner. A failure fails the attachment (releasing its reservation); a cancel that came first
 * leaves the new staging area to be aborted at once.
 */
async function openStaging(
  deps: AttachmentDeps,
  staging: UploadStaging,
  upload: Upload,
  input: Parameters<UploadStaging['begin']>[0],
): Promise<Upload> {
  let staged: Awaited<ReturnType<UploadStaging['begin']>>;
  try {
    staged = await staging.begin(input);
  } catch (err) {
    await transition(deps.db, upload.attachmentId, 'uploading', {
      status: 'failed',
      errorCode: 'upload_failed',
    });
    await setUploadState(deps.db, upload.id, ['uploading'], 'cancelled', { stagingReleasedAt: new Date() });
    const error = fileStoreFailure(err, 'upload_failed');
    error.extensions.attachment_id = upload.attachmentId;
    throw error;
  }
  const expiresAt =
    staged.expiresAt && staged.expiresAt < upload.expiresAt ? staged.expiresAt : upload.expiresAt;
  const recorded = await setStagingRef(deps.db, upload.id, staged.ref, expiresAt);
  if (recorded) return recorded;
  await staging
    .abort(staged.ref)
    .catch((err: unknown) =>
      log.warn({ upload_id: upload.id, err: errorFields(err) }, 'staging of a cancelled upload not aborted'),
    );
  throw new AppError('upload_cancelled', 'This upload was cancelled.');
}
