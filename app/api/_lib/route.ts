import { randomUUID } from 'node:crypto';
import { auth } from '@/auth';
import { type Db, getDb } from '@/lib/db';
import { resolveCaller } from '@/lib/http/caller';
import { problemResponse } from '@/lib/http/problem';
import type { Caller } from '@/lib/policy';

export interface ApiContext<P> {
  request: Request;
  params: P;
  caller: Caller | null;
  db: Db;
}

/**
 * Every /api handler goes through here: resolve the caller (bearer token or session), run the
 * service call, and map whatever it throws to problem JSON in one place.
 */
export function apiRoute<P = Record<string, never>>(
  handler: (ctx: ApiContext<P>) => Promise<Response>,
): (request: Request, context: { params: Promise<P> }) => Promise<Response> {
  return async (request, context) => {
    const requestId = clientRequestId(request) ?? randomUUID();
    try {
      const db = await getDb();
      const caller = await resolveCaller(request, db, async () => (await auth())?.user?.id);
      const response = await handler({ request, params: await context.params, caller, db });
      response.headers.set('x-request-id', requestId);
      return response;
    } catch (err) {
      const response = problemResponse(err, requestId);
      response.headers.set('x-request-id', requestId);
      return response;
    }
  };
}

/** A caller-supplied id is echoed into logs, so only a short plain token is accepted. */
function clientRequestId(request: Request): string | undefined {
  const id = request.headers.get('x-request-id');
  return id && /^[\w-]{1,64}$/.test(id) ? id : undefined;
}
