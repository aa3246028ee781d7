import { apiRoute } from '@/app/api/_lib/route';
import { getUploadLimits } from '@/lib/attachments/limits';
import { attachmentDeps } from '@/lib/attachments/runtime';
import { json } from '@/lib/http/json';

export const GET = apiRoute<{ id: string }>(async ({ caller, params }) =>
  json(await getUploadLimits(await attachmentDeps(), caller, params.id)),
);
