import { apiRoute } from '@/app/api/_lib/route';
import { getSettings, updateSettings } from '@/lib/admin/settings';
import { json, readJson } from '@/lib/http/json';
import { settingsDeps } from '@/lib/runtime';

export const GET = apiRoute(async ({ caller }) => json(await getSettings(await settingsDeps(), caller)));

export const PATCH = apiRoute(async ({ caller, request, requestId }) =>
  json(await updateSettings(await settingsDeps(), caller, await readJson(request), requestId)),
);
