import { getUploadLimits } from '@/lib/attachments/limits';
import { attachmentDeps } from '@/lib/attachments/runtime';
import { json } from '@/lib/http/json';
import { apiRoute } from '../../../_lib/route';

export const GET = apiRoute<{ id: string }>(async ({ caller, params }) =>
  json(await getUploadLimits(await attachmentDeps(), caller, params.id)),
);
