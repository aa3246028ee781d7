import { createHash } from 'node:crypto';
import { fileJson } from './files';
import { ApiError, type Context, isRecord, type Router } from './http';
import { parseMultipart } from './multipart';
import { type FakeState, newId, nowSeconds } from './state';

/**
 * The Uploads API (openai-node `resources/uploads`): create an upload of a declared size, add parts
 * (at most 64 MB each, any order, in parallel), complete with the ordered part ids (their bytes must
 * add up to the declared size; an `md5` is checked when given) to get a File, or cancel. There is no
 * call that lists parts or fetches an upload. A pending upload expires 1 hour after creation.
 */

export interface StoredUpload {
  id: string;
  filename: string;
  purpose: string;
  mimeType: string;
  bytes: number;
  createdAt: number;
  expiresAt: number;
  status: 'pending' | 'completed' | 'cancelled' | 'expired';
  /** Each part's bytes, as the chunks they arrived in. */
  parts: Map<string, Buffer[]>;
  /** The File made at completion, as it was then (the upload must not keep a deleted file's bytes). */
  file: ReturnType<typeof fileJson> | null;
}

const MAX_UPLOAD_BYTES = 8 * 1024 ** 3;
const MAX_PART_BYTES = 64 * 1024 * 1024;
const UPLOAD_TTL_SECONDS = 3600;
const PURPOSES = new Set(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals']);

function uploadJson(upload: StoredUpload) {
  return {
    id: upload.id,
    object: 'upload',
    bytes: upload.bytes,
    created_at: upload.createdAt,
    filename: upload.filename,
    purpose: upload.purpose,
    status: upload.status,
    expires_at: upload.expiresAt,
    file: upload.file,
  };
}

/** Pending uploads past their time turn `expired`, and their parts go; runs before every request. */
export function expireUploads(state: FakeState, now = nowSeconds()) {
  for (const upload of state.uploads.values()) {
    if (upload.status === 'pending' && upload.expiresAt <= now) {
      upload.status = 'expired';
      upload.parts.clear();
    }
  }
}

function requireUpload(state: FakeState, id: string): StoredUpload {
  const upload = state.uploads.get(id);
  if (!upload) throw new ApiError(404, `No such Upload object: ${id}`, { param: 'upload_id' });
  return upload;
}

function requirePending(upload: StoredUpload): StoredUpload {
  if (upload.status !== 'pending') {
    throw new ApiError(400, `Upload ${upload.id} is ${upload.status} and no longer accepts changes.`);
  }
  return upload;
}

async function createUpload({ json, state }: Context) {
  const body = await json();
  const { bytes, filename, mime_type: mimeType, purpose } = body;
  if (typeof bytes !== 'number' || !Number.isInteger(bytes) || bytes < 1 || bytes > MAX_UPLOAD_BYTES) {
    throw new ApiError(400, `Invalid value for 'bytes': must be an integer from 1 to ${MAX_UPLOAD_BYTES}.`, {
      param: 'bytes',
    });
  }
  if (typeof filename !== 'string' || filename === '')
    throw new ApiError(400, "Missing required parameter: 'filename'.", { param: 'filename' });
  if (typeof mimeType !== 'string' || mimeType === '')
    throw new ApiError(400, "Missing required parameter: 'mime_type'.", { param: 'mime_type' });
  if (typeof purpose !== 'string' || !PURPOSES.has(purpose))
    throw new ApiError(400, `Invalid value for 'purpose': ${String(purpose)}.`, { param: 'purpose' });
  const seconds = isRecord(body.expires_after) ? Number(body.expires_after.seconds) : UPLOAD_TTL_SECONDS;
  const createdAt = nowSeconds();
  const upload: StoredUpload = {
    id: newId('upload_'),
    filename,
    purpose,
    mimeType,
    bytes,
    createdAt,
    expiresAt: createdAt + Math.min(seconds, UPLOAD_TTL_SECONDS),
    status: 'pending',
    parts: new Map(),
    file: null,
  };
  state.uploads.set(upload.id, upload);
  return uploadJson(upload);
}

async function addPart({ req, state, params }: Context) {
  const upload = requirePending(requireUpload(state, params.id));
  const { files } = await parseMultipart(req);
  const data = files.data;
  if (!data) throw new ApiError(400, "Missing required parameter: 'data'.", { param: 'data' });
  if (data.size > MAX_PART_BYTES) {
    throw new ApiError(400, `A part can have at most ${MAX_PART_BYTES} bytes.`, { param: 'data' });
  }
  // The upload may have been cancelled while the part was arriving.
  requirePending(upload);
  const id = newId('part_');
  upload.parts.set(id, data.chunks);
  return { id, object: 'upload.part', created_at: nowSeconds(), upload_id: upload.id };
}

async function complete({ json, state, params, azure }: Context) {
  const upload = requirePending(requireUpload(state, params.id));
  const { part_ids: partIds, md5 } = await json();
  if (!Array.isArray(partIds) || partIds.length === 0 || partIds.some((id) => typeof id !== 'string')) {
    throw new ApiError(400, "Invalid value for 'part_ids': a non-empty list of part ids.", {
      param: 'part_ids',
    });
  }
  if (new Set(partIds).size !== partIds.length) {
    throw new ApiError(400, "Invalid value for 'part_ids': a part is listed twice.", { param: 'part_ids' });
  }
  const chunks = (partIds as string[]).flatMap((id) => {
    const part = upload.parts.get(id);
    if (!part) throw new ApiError(400, `No such part ${id} in upload ${upload.id}.`, { param: 'part_ids' });
    return part;
  });
  const bytes = chunks.reduce((sum, chunk) => sum + chunk.length, 0);
  if (bytes !== upload.bytes) {
    throw new ApiError(
      400,
      `The parts add up to ${bytes} bytes, but the upload was created with ${upload.bytes}.`,
      { param: 'part_ids' },
    );
  }
  if (typeof md5 === 'string') {
    const hash = createHash('md5');
    for (const chunk of chunks) hash.update(chunk);
    if (md5 !== hash.digest('hex')) {
      throw new ApiError(400, 'The md5 checksum does not match the uploaded bytes.', { param: 'md5' });
    }
  }
  upload.file = fileJson(
    state.addFile({
      id: newId(azure ? 'assistant-' : 'file-'),
      filename: upload.filename,
      purpose: upload.purpose,
      chunks,
      expiresAt: null,
    }),
  );
  upload.status = 'completed';
  upload.parts.clear();
  return uploadJson(upload);
}

function cancel({ state, params }: Context) {
  const upload = requirePending(requireUpload(state, params.id));
  upload.status = 'cancelled';
  upload.parts.clear();
  return uploadJson(upload);
}

export function registerUploads(router: Router) {
  router
    .add('POST', '/uploads', 'uploads.create', createUpload)
    .add('POST', '/uploads/:id/parts', 'uploads.parts.create', addPart)
    .add('POST', '/uploads/:id/complete', 'uploads.complete', complete)
    .add('POST', '/uploads/:id/cancel', 'uploads.cancel', cancel);
}
