import { apiRoute } from '@/app/api/_lib/route';
import { retentionDryRun } from '@/lib/admin/retention';
import { json, readJson } from '@/lib/http/json';

export const POST = apiRoute(async ({ caller, db, request }) =>
  json(await retentionDryRun(db, caller, await readJson(request))),
);
