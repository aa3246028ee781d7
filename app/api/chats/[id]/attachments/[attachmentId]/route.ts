import { apiRoute } from '@/app/api/_lib/route';
import { deleteAttachment, getAttachment } from '@/lib/attachments/service';
import { json } from '@/lib/http/json';
import { attachmentDeps } from '@/lib/runtime';

type Params = { id: string; attachmentId: string };

export const GET = apiRoute<Params>(async ({ caller, params }) =>
  json(await getAttachment(await attachmentDeps(), caller, params.id, params.attachmentId)),
);

export const DELETE = apiRoute<Params>(async ({ caller, params }) => {
  await deleteAttachment(await attachmentDeps(), caller, params.id, params.attachmentId);
  return new Response(null, { status: 204 });
});
