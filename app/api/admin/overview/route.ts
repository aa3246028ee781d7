import { apiRoute } from '@/app/api/_lib/route';
import { getOverview } from '@/lib/admin/overview';
import { json } from '@/lib/http/json';
import { settingsDeps } from '@/lib/runtime';

export const GET = apiRoute(async ({ request, caller }) =>
  json(await getOverview(await settingsDeps(), caller, new URL(request.url).searchParams)),
);
