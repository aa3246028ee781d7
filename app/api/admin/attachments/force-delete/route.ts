import { apiRoute } from '@/app/api/_lib/route';
import { forceDelete } from '@/lib/admin/force-delete';
import { json, readJson } from '@/lib/http/json';

/** A POST, not a DELETE: it names its targets in a body (many ids, or a user or chat). */
export const POST = apiRoute(async ({ request, db, caller, requestId }) =>
  json(await forceDelete(db, caller, await readJson(request), requestId)),
);
