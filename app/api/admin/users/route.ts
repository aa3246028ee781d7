import { apiRoute } from '@/app/api/_lib/route';
import { listUsers } from '@/lib/admin/users';
import { json } from '@/lib/http/json';

export const GET = apiRoute(async ({ request, db, caller }) =>
  json(await listUsers(db, caller, new URL(request.url).searchParams)),
);
