import { ApiError, type Context, paginate, type Router } from './http';
import { parseMultipart } from './multipart';
import { newId, nowSeconds, type StoredFile } from './state';

const PURPOSES = new Set(['assistants', 'batch', 'fine-tune', 'vision', 'user_data', 'evals']);

export function fileJson(file: StoredFile) {
  return {
    id: file.id,
    object: 'file',
    bytes: file.bytes,
    created_at: file.createdAt,
    filename: file.filename,
    purpose: file.purpose,
    status: 'processed',
    expires_at: file.expiresAt,
    status_details: null,
  };
}

async function createFile({ req, state, azure }: Context) {
  const { fields, files } = await parseMultipart(req);
  const upload = files.file;
  if (!upload) throw new ApiError(400, "Missing required parameter: 'file'.", { param: 'file' });
  const { purpose } = fields;
  if (!purpose || !PURPOSES.has(purpose)) {
    throw new ApiError(400, `Invalid value for 'purpose': ${purpose ?? 'missing'}.`, { param: 'purpose' });
  }
  const expiresIn = fields['expires_after[seconds]'];
  const file = state.addFile({
    // Azure hands out `assistant-…` ids; apps that parse ids should see that in tests.
    id: newId(azure ? 'assistant-' : 'file-'),
    filename: upload.filename,
    purpose,
    chunks: upload.chunks,
    expiresAt: expiresIn ? nowSeconds() + Number(expiresIn) : null,
  });
  return fileJson(file);
}

export function registerFiles(router: Router) {
  router
    .add('POST', '/files', 'files.create', createFile)
    .add('GET', '/files', 'files.list', ({ state, query }) => {
      const purpose = query.get('purpose');
      const files = [...state.files.values()].filter((file) => !purpose || file.purpose === purpose);
      return paginate(files, query, (id) => state.cursorSeq(id), fileJson, {
        defaultLimit: 10_000,
        maxLimit: 10_000,
      });
    })
    .add('GET', '/files/:id', 'files.retrieve', ({ state, params }) => fileJson(state.requireFile(params.id)))
    .add(
      'GET',
      '/files/:id/content',
      'files.content',
      ({ state, params }) => state.requireFile(params.id).data,
    )
    .add('DELETE', '/files/:id', 'files.delete', ({ state, params }) => {
      state.deleteFile(params.id);
      return { id: params.id, object: 'file', deleted: true };
    });
}
