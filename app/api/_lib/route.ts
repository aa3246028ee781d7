import 'server-only';
import { createHash, randomUUID, timingSafeEqual } from 'node:crypto';
import { sessionClaims } from '@/auth';
import type { Db } from '@/lib/db';
import { AppError, notFound } from '@/lib/errors';
import { bearerToken, resolveCaller } from '@/lib/http/caller';
import { API_CONTENT_SECURITY_POLICY } from '@/lib/http/csp';
import { problemResponse } from '@/lib/http/problem';
import { checkCookieRequest, configuredOrigins } from '@/lib/http/same-origin';
import { log, withLogContext } from '@/lib/log';
import type { Caller } from '@/lib/policy';
import { getDb } from '@/lib/runtime';

export interface ApiContext<P> {
  request: Request;
  params: P;
  caller: Caller | null;
  db: Db;
  /** This request's id (also in its response's `x-request-id`): what audit entries cite. */
  requestId: string;
}

/**
 * Every /api handler goes through here: refuse cookie requests other sites made the browser send,
 * resolve the caller (bearer token or session), run the service call, and map whatever it throws
 * to problem JSON in one place.
 */
export function apiRoute<P = Record<string, never>>(
  handler: (ctx: ApiContext<P>) => Promise<Response>,
): (request: Request, context: { params: Promise<P> }) => Promise<Response> {
  return (request, context) =>
    handled(request, async (requestId) => {
      const db = await getDb();
      const caller = await resolveCaller(request, db, sessionClaims);
      // Only a request the session cookie signed in can have been forged by another site; one with
      // no credentials at all is answered 401 like any other.
      if (caller) checkCookieRequest(request, configuredOrigins());
      return handler({ request, params: await context.params, caller, db, requestId });
    });
}

/**
 * Routes for machines (Prometheus, Vercel Cron) rather than users: the shared secret in `secretEnv`
 * must come as `Authorization: Bearer <secret>`. With the variable unset the route is off and
 * answers 404, so that nothing is exposed by a deployment that did not ask for it.
 */
export function secretRoute(
  secretEnv: 'CRON_SECRET' | 'METRICS_TOKEN',
  handler: (request: Request) => Promise<Response>,
): (request: Request) => Promise<Response> {
  return (request) =>
    handled(request, async () => {
      const secret = process.env[secretEnv]?.trim();
      if (!secret) throw notFound('Route');
      const sent = bearerToken(request);
      if (!sent || !sameSecret(sent, secret)) {
        throw new AppError('unauthorized', 'Send the configured secret as a bearer token.', {
          headers: { 'www-authenticate': 'Bearer' },
        });
      }
      return handler(request);
    });
}

/** Compared as digests, in constant time: neither the secret's content nor its length leaks. */
function sameSecret(sent: string, secret: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(sent), digest(secret));
}

/**
 * The request id on every log line of the request (and in the response), errors as problem JSON,
 * and one access log line per request.
 */
function handled(request: Request, run: (requestId: string) => Promise<Response>): Promise<Response> {
  const requestId = clientRequestId(request) ?? randomUUID();
  return withLogContext({ request_id: requestId }, async () => {
    const started = performance.now();
    let response: Response;
    try {
      response = await run(requestId);
    } catch (err) {
      response = problemResponse(err, requestId);
    }
    response.headers.set('x-request-id', requestId);
    // next.config.ts sets this for the API too, except where a route answers with its own policy
    // (a file shown inline): its errors still get the API's.
    if (!response.headers.has('content-security-policy')) {
      response.headers.set('content-security-policy', API_CONTENT_SECURITY_POLICY);
    }
    log.info(
      {
        method: request.method,
        path: new URL(request.url).pathname,
        status: response.status,
        duration_ms: Math.round(performance.now() - started),
      },
      'request',
    );
    return response;
  });
}

/** A caller-supplied id is echoed into logs, so only a short plain token is accepted. */
function clientRequestId(request: Request): string | undefined {
  const id = request.headers.get('x-request-id');
  return id && /^[\w-]{1,64}$/.test(id) ? id : undefined;
}
