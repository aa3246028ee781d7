import { type Head, readHead } from '@/lib/attachments/byte-stream';
import { CONTENT_HEAD_BYTES, checkContentHead } from '@/lib/attachments/content-check';
import { gatePurposes, type UploadContext } from '@/lib/attachments/context';
import type { AttachmentDeps } from '@/lib/attachments/deps';
import { fileStoreFailure } from '@/lib/attachments/file-store-errors';
import { sanitizeFilename } from '@/lib/attachments/filename';
import {
  acceptedTypeOf,
  type FileTypeRule,
  type Purpose,
  requestedMime,
  resolveFileType,
} from '@/lib/attachments/mime';
import { AppError } from '@/lib/errors';
import type { FileStore, FileStoreId } from '@/lib/file-stores/ports';
import { tooLarge } from './errors';

/**
 * The stages that can refuse a file before anything is written. A declared size is what the
 * client says the file holds, at most (null when it says nothing): a file that declares too much
 * is refused before a byte of it is read.
 */

/** A file the upload's type, switches and tools let through. */
export interface AdmittedFile {
  filename: string;
  rule: FileTypeRule;
  purposes: Purpose[];
  /** The most bytes a file of its kind may hold in this chat. */
  maxBytes: number;
}

/** Uploads switched on for the tenant, and a declared size that no kind of file allows refused. */
export function admitUpload(ctx: UploadContext, declaredSize: number | null): void {
  if (!ctx.uploadsEnabled)
    throw new AppError('uploads_disabled', 'Uploads are turned off for your organisation.');
  const largest = Math.max(ctx.maxBytes.document, ctx.maxBytes.image);
  if (declaredSize !== null && declaredSize > largest) throw tooLarge('file', largest);
}

/**
 * The file's type from its declared content type and name, the purposes the chat's model and the
 * tenant's switches leave it, and its kind's size limit against the declared size.
 */
export function resolveType(
  deps: Pick<AttachmentDeps, 'config' | 'metrics'>,
  ctx: UploadContext,
  declared: { filename: string | null | undefined; contentType: string },
  declaredSize: number | null,
): AdmittedFile {
  const filename = sanitizeFilename(declared.filename);
  let rule: FileTypeRule;
  try {
    rule = resolveFileType(declared.contentType, filename, { allowCsv: deps.config.allowCsvUpload });
    refuseTypeOffList(ctx, requestedMime(declared.contentType, filename), rule);
  } catch (err) {
    deps.metrics.upload('document', 'unsupported_type');
    throw err;
  }
  const purposes = gatePurposes(rule, ctx);
  const maxBytes = ctx.maxBytes[rule.kind];
  if (declaredSize !== null && declaredSize > maxBytes) {
    deps.metrics.upload(rule.kind, 'file_too_large');
    throw tooLarge(rule.kind, maxBytes);
  }
  return { filename, rule, purposes, maxBytes };
}

/** A type the deployment accepts but the tenant's admin took off its list. */
function refuseTypeOffList(ctx: UploadContext, requested: string, rule: FileTypeRule): void {
  const allowed = ctx.limits.allowedTypes;
  const type = acceptedTypeOf(requested, rule);
  if (allowed && !allowed.includes(type)) {
    throw new AppError('unsupported_file_type', `Your organisation does not accept ${type} files.`);
  }
}

/** A place among this process's uploads in flight, and the user's; the function returned gives it back. */
export function enterGate(
  deps: Pick<AttachmentDeps, 'gate' | 'metrics'>,
  userId: string,
  kind: FileTypeRule['kind'],
) {
  try {
    return deps.gate.enter(userId);
  } catch (err) {
    deps.metrics.upload(kind, 'concurrency_limit');
    throw err;
  }
}

/** The first bytes of the body checked against the type: the head, with the rest still unread. */
export async function checkContent(
  deps: Pick<AttachmentDeps, 'metrics'>,
  body: AsyncIterable<Uint8Array>,
  rule: FileTypeRule,
): Promise<Head> {
  const head = await readHead(body, CONTENT_HEAD_BYTES);
  try {
    await checkContentHead(head.head, rule, head.ended);
  } catch (err) {
    deps.metrics.upload(rule.kind, 'content_mismatch');
    throw err;
  }
  return head;
}

export function resolveFileStore(deps: Pick<AttachmentDeps, 'fileStores'>, id: FileStoreId): FileStore {
  try {
    return deps.fileStores(id);
  } catch (err) {
    throw fileStoreFailure(err, 'provider_unavailable');
  }
}
