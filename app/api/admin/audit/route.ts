import { apiRoute } from '@/app/api/_lib/route';
import { listAudit } from '@/lib/admin/audit-log';
import { json } from '@/lib/http/json';

/** Read-only: the app offers no way to change or delete an entry. */
export const GET = apiRoute(async ({ request, db, caller }) =>
  json(await listAudit(db, caller, new URL(request.url).searchParams)),
);
