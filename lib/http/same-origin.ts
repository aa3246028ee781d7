import { AppError } from '@/lib/errors';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
/**
 * What our own pages send (octet-stream: a chunked upload's parts); a cross-site form can only send
 * the three "simple" types, and a cross-site fetch of any other type needs a preflight we never grant.
 */
const BODY_TYPES = ['application/json', 'multipart/form-data', 'application/octet-stream'];

const refuse = (detail: string) => new AppError('cross_site_request', detail);

/**
 * A browser attaches the session cookie to requests that other sites make it send (a form post, a
 * no-cors fetch), and SameSite=Lax does not stop a page on another port of the same host. So a
 * state-changing request that authenticates with the cookie must come from one of our own pages:
 * its Origin (else Sec-Fetch-Site) says so, and its body is of a type no cross-site form can send
 * without a preflight. Bearer-token callers carry their credential explicitly and are not checked.
 */
export function checkCookieRequest(request: Request, allowedOrigins: readonly string[] = []): void {
  if (SAFE_METHODS.has(request.method.toUpperCase())) return;
  if (request.headers.has('authorization')) return;
  const origin = request.headers.get('origin');
  if (origin !== null) {
    const own = new Set([new URL(request.url).origin, ...allowedOrigins]);
    if (!own.has(origin)) throw refuse('This request came from another site; send it from the app itself.');
  } else if (request.headers.get('sec-fetch-site') !== 'same-origin') {
    throw refuse('This request did not come from the app; send it from the app or with an API token.');
  }
  if (hasBody(request)) {
    const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
    if (!BODY_TYPES.includes(type)) {
      throw refuse(
        'Send the request body as application/json (multipart/form-data for files, application/octet-stream for a part).',
      );
    }
  }
}

/** From the headers: a framework may hand a route an empty stream for a request without a body. */
function hasBody(request: Request): boolean {
  const length = request.headers.get('content-length');
  if (length !== null) return Number(length) > 0;
  return request.headers.has('transfer-encoding');
}

/** The public URL configured for the app, when a proxy in front hides it from the request. */
export function configuredOrigins(env: Record<string, string | undefined> = process.env): string[] {
  const url = env.AUTH_URL?.trim();
  if (!url) return [];
  try {
    return [new URL(url).origin];
  } catch {
    return [];
  }
}
