import { apiRoute } from '@/app/api/_lib/route';
import { listInventory } from '@/lib/admin/inventory';
import { json } from '@/lib/http/json';

export const GET = apiRoute(async ({ request, db, caller }) =>
  json(await listInventory(db, caller, new URL(request.url).searchParams)),
);
