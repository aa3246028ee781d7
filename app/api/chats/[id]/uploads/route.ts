import { apiRoute } from '@/app/api/_lib/route';
import { createUpload } from '@/lib/attachments/chunked/create';
import { json, readJson } from '@/lib/http/json';
import { attachmentDeps } from '@/lib/runtime';

type Params = { id: string };

/** Starts a chunked upload (docs/chat-api.md, "Uploads in parts"). */
export const POST = apiRoute<Params>(async ({ request, caller, params }) => {
  const upload = await createUpload(await attachmentDeps(), caller, params.id, await readJson(request));
  return json(upload, 201, { location: `/api/uploads/${upload.upload_id}` });
});
