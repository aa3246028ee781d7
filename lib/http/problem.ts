import { AppError } from '@/lib/errors';
import { errorFields, log } from '@/lib/log';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/**
 * The one mapping from errors to RFC 9457 problem documents. Anything that is not an AppError is
 * an internal fault: it is logged with the request id and answered with a generic 500, so no stack
 * trace, SQL or internal id reaches a client.
 */
export function problemResponse(err: unknown, requestId?: string): Response {
  const appError =
    err instanceof AppError ? err : new AppError('internal', 'Something went wrong on our side. Try again.');
  if (!(err instanceof AppError)) {
    log.error({ request_id: requestId, err: errorFields(err) }, 'unhandled error');
  }
  const body = {
    type: `urn:mini-chat:problem:${appError.code}`,
    title: appError.title,
    status: appError.status,
    detail: appError.message,
    code: appError.code,
    ...appError.extensions,
    ...(requestId ? { request_id: requestId } : {}),
  };
  const headers = new Headers({ 'content-type': PROBLEM_CONTENT_TYPE, 'cache-control': 'no-store' });
  for (const [name, value] of Object.entries(appError.headers)) headers.set(name, value);
  // RFC 9110 §15.5.2: a 401 names the scheme that would be accepted.
  if (appError.status === 401 && !headers.has('www-authenticate')) headers.set('www-authenticate', 'Bearer');
  return new Response(JSON.stringify(body), { status: appError.status, headers });
}
