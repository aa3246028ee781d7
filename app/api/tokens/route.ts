import { apiRoute } from '@/app/api/_lib/route';
import { createToken, listTokens } from '@/lib/auth/tokens';
import { json, readJson } from '@/lib/http/json';
import { rateLimits } from '@/lib/runtime';

export const GET = apiRoute(async ({ db, caller }) => json({ items: await listTokens(db, caller) }));

export const POST = apiRoute(async ({ request, db, caller }) =>
  json(await createToken({ db, rateLimits: rateLimits() }, caller, await readJson(request)), 201),
);
