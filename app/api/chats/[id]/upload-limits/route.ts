import { apiRoute } from '@/app/api/_lib/route';
import { getUploadLimits } from '@/lib/attachments/limits';
import { json } from '@/lib/http/json';
import { attachmentDeps } from '@/lib/runtime';

export const GET = apiRoute<{ id: string }>(async ({ caller, params }) =>
  json(await getUploadLimits(await attachmentDeps(), caller, params.id)),
);
