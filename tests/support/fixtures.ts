import { randomBytes } from 'node:crypto';
import { newSessionTokenClaims, parseSessionClaims, type SessionClaims } from '@/lib/auth/sessions';
import { createTokenForUser } from '@/lib/auth/tokens';
import { createUser } from '@/lib/auth/users';
import type { Db } from '@/lib/db';
import { AppError } from '@/lib/errors';
import type { Caller } from '@/lib/policy';
import { getDb } from '@/lib/runtime';

export const PASSWORD = 'correct horse battery';

const unique = () => randomBytes(4).toString('hex');

export interface TestUser {
  caller: Caller;
  email: string;
  tenant: string;
  token: string;
}

/** A user (in a new tenant unless one is named) with a personal API token. */
export async function makeUser(
  options: { tenant?: string; role?: 'admin' | 'member' } = {},
): Promise<TestUser> {
  const db = await getDb();
  const tenant = options.tenant ?? `t-${unique()}`;
  const email = `u-${unique()}@example.test`;
  const { user } = await createUser(db, {
    email,
    password: PASSWORD,
    tenant,
    role: options.role ?? 'member',
  });
  const { token } = await createTokenForUser(db, user.id, 'test');
  return { caller: { userId: user.id, tenantId: user.tenantId, role: user.role }, email, tenant, token };
}

export const db = (): Promise<Db> => getDb();

/** The claims of a session cookie the user would get by signing in now (at `sessionVersion`). */
export function sessionOf(caller: Caller, sessionVersion = 0, now = new Date()): SessionClaims {
  const claims = parseSessionClaims({ sub: caller.userId, ...newSessionTokenClaims(sessionVersion, now) });
  if (!claims) throw new Error('unparseable session claims');
  return claims;
}

type Handler<P> = (request: Request, context: { params: Promise<P> }) => Promise<Response>;

/** Invokes a route handler the way Next does, with a bearer token when one is given. */
export async function callRoute<P extends Record<string, string>>(
  handler: Handler<P>,
  options: { method?: string; path?: string; token?: string; auth?: string; body?: unknown; params?: P } = {},
): Promise<{ status: number; headers: Headers; body: unknown }> {
  const headers = new Headers({ 'content-type': 'application/json' });
  if (options.auth !== undefined) headers.set('authorization', options.auth);
  else if (options.token) headers.set('authorization', `Bearer ${options.token}`);
  const request = new Request(`http://localhost${options.path ?? '/api/test'}`, {
    method: options.method ?? 'GET',
    headers,
    body:
      options.body === undefined
        ? undefined
        : typeof options.body === 'string'
          ? options.body
          : JSON.stringify(options.body),
  });
  const response = await handler(request, { params: Promise.resolve((options.params ?? {}) as P) });
  const text = await response.text();
  const isJson = (response.headers.get('content-type') ?? '').includes('json');
  return {
    status: response.status,
    headers: response.headers,
    body: isJson && text ? JSON.parse(text) : text,
  };
}

/** The AppError a service call was refused with; anything else (or success) fails the test. */
export async function failure(promise: Promise<unknown>): Promise<AppError> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof AppError) return err;
    throw err;
  }
  throw new Error('expected an AppError');
}
