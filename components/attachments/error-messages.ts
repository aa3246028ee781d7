import { ApiError } from '@/components/api';
import { formatBytes } from './file-format';

export type AttachmentKind = 'document' | 'image';

interface Context {
  filename: string;
  kind: AttachmentKind;
  /** The file's size, when the browser knows it. */
  size?: number;
  /** The problem document's extension members (`max_bytes`, `quota_scope`), or the browser's own figures. */
  problem?: Record<string, unknown>;
}

const plural = (kind: AttachmentKind) => (kind === 'image' ? 'images' : 'documents');

/**
 * One sentence per code, for the problem codes of a refused upload and the `error_code` of a
 * failed attachment row alike: the server's `detail` is written for developers and may be missing.
 */
const sentences: Record<string, (ctx: Context) => string> = {
  file_too_large: ({ filename, kind, size, problem }) => {
    const max = typeof problem?.max_bytes === 'number' ? formatBytes(problem.max_bytes) : undefined;
    if (max === undefined) return `The file is larger than the limit for ${plural(kind)}.`;
    return size === undefined
      ? `The file is larger than ${max}, the limit for ${plural(kind)}.`
      : `${filename} is ${formatBytes(size)}; ${plural(kind)} can be at most ${max}.`;
  },
  empty_file: () => 'The file is empty.',
  filename_too_long: () => 'The file name is too long.',
  unsupported_file_type: () => 'This file type is not supported.',
  content_type_mismatch: () =>
    "The file's content does not match its type; it may be damaged or have the wrong extension.",
  images_disabled: () => 'Images are turned off for your organisation.',
  uploads_disabled: () => 'Uploads are turned off for your organisation.',
  document_limit_exceeded: ({ problem }) =>
    typeof problem?.limit === 'number'
      ? `This chat already has ${problem.limit} documents, its limit. Remove one to add another.`
      : 'This chat holds as many documents as it can. Remove one to add another.',
  storage_limit_exceeded: ({ problem }) =>
    typeof problem?.limit === 'number' && typeof problem.remaining === 'number'
      ? `Files in this chat can take up ${formatBytes(problem.limit)} and only ${formatBytes(problem.remaining)} is left. Remove files to make room.`
      : 'The file would take this chat over its storage limit. Remove files to make room.',
  storage_quota_exceeded: ({ problem }) =>
    problem?.quota_scope === 'tenant'
      ? 'The file would take your organisation over its storage quota.'
      : problem?.quota_scope === 'user'
        ? 'The file would take you over your storage quota. Delete files you no longer need.'
        : 'The file would go over your storage quota.',
  code_interpreter_unavailable: () =>
    "Spreadsheets need the code interpreter, which this chat's model cannot use.",
  file_search_unavailable: () => 'File search is not available in this chat, so documents cannot be added.',
  service_unavailable: () => "The server could not check this chat's tools just now.",
  upload_concurrency_limit: ({ problem }) =>
    problem?.limit_scope === 'user'
      ? 'Your other uploads are still in progress.'
      : 'The server is busy with other uploads.',
  upload_timeout: () =>
    'The connection sent too little of the file for too long, so the upload was stopped. Try again on a steadier connection.',
  vector_store_timeout: () => "The chat's search index is still being set up.",
  provider_unavailable: () => 'The file provider is unavailable right now.',
  upload_failed: () => 'The file provider could not store the file.',
  upload_cancelled: () => 'The upload was cancelled before it finished.',
  vector_store_failed: () => "The chat's search index could not be set up.",
  indexing_failed: () => 'The file could not be read for search.',
  document_too_complex: () =>
    'The file is too large or too complex to read for search. Try splitting it or saving a simpler copy.',
  attachment_locked: () => 'It was sent with a message, so it stays in the chat.',
  not_found: () => 'The chat or the file no longer exists.',
  // Not a server code: upload-request.ts names a request that never got an answer so.
  network_error: () => 'The connection was lost before the upload finished.',
  unauthorized: () => 'Your session has ended. Sign in again to upload.',
};

/** Codes whose outcome a retry cannot change: the file itself or the chat's settings refuse it. */
const PERMANENT = new Set([
  'file_too_large',
  'empty_file',
  'filename_too_long',
  'unsupported_file_type',
  'content_type_mismatch',
  'images_disabled',
  'uploads_disabled',
  'code_interpreter_unavailable',
  'file_search_unavailable',
  'attachment_locked',
  'not_found',
  'document_too_complex',
]);

export const isRetryable = (code: string) => !PERMANENT.has(code);

/** The sentence for a code: a failed row's `error_code`, or a refusal the browser found itself. */
export function failureSentence(code: string | undefined, ctx: Context): string {
  const sentence = code ? sentences[code] : undefined;
  return sentence ? sentence(ctx) : 'Something went wrong on our side.';
}

/** The sentence for an error thrown by an attachment request; unknown codes keep the server's words. */
export function errorSentence(error: unknown, ctx: Context): string {
  if (!(error instanceof ApiError)) return failureSentence(undefined, ctx);
  const sentence = sentences[error.code];
  return sentence ? sentence({ ...ctx, problem: { ...ctx.problem, ...error.problem } }) : error.message;
}
