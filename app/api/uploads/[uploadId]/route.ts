import { apiRoute } from '@/app/api/_lib/route';
import { cancelUpload, getUpload } from '@/lib/attachments/chunked/cancel';
import { json } from '@/lib/http/json';
import { attachmentDeps } from '@/lib/runtime';

type Params = { uploadId: string };

export const GET = apiRoute<Params>(async ({ caller, params }) =>
  json(await getUpload(await attachmentDeps(), caller, params.uploadId)),
);

export const DELETE = apiRoute<Params>(async ({ caller, params }) => {
  await cancelUpload(await attachmentDeps(), caller, params.uploadId);
  return new Response(null, { status: 204 });
});
