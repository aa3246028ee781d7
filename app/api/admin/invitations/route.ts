import { apiRoute } from '@/app/api/_lib/route';
import { createInvitation, listInvitations } from '@/lib/admin/invitations';
import { json, readJson } from '@/lib/http/json';
import { configuredOrigins } from '@/lib/http/same-origin';

/** The app's public origin for the link: AUTH_URL's when a proxy hides it from the request. */
const appOrigin = (request: Request) => configuredOrigins()[0] ?? new URL(request.url).origin;

export const GET = apiRoute(async ({ db, caller }) => json(await listInvitations(db, caller)));

export const POST = apiRoute(async ({ request, db, caller, requestId }) =>
  json(
    await createInvitation(db, caller, await readJson(request), {
      origin: appOrigin(request),
      requestId,
    }),
    201,
  ),
);
