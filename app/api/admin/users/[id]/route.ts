import { apiRoute } from '@/app/api/_lib/route';
import { updateUser } from '@/lib/admin/users';
import { json, readJson } from '@/lib/http/json';

/** `{role?, disabled?}`: change the role, disable or re-enable. */
export const PATCH = apiRoute<{ id: string }>(async ({ request, db, caller, params, requestId }) =>
  json(await updateUser(db, caller, params.id, await readJson(request), requestId)),
);
