import 'server-only';
import NextAuth, { AuthError, CredentialsSignin, type DefaultSession } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { clientAddress } from '@/lib/auth/client-address';
import { resolveAuthSecret } from '@/lib/auth/secret';
import {
  newSessionTokenClaims,
  parseSessionClaims,
  revokeSession,
  SESSION_MAX_AGE_SECONDS,
  type SessionClaims,
} from '@/lib/auth/sessions';
import { signInWithPassword } from '@/lib/auth/sign-in';
import { retryAfterSeconds } from '@/lib/auth/throttle';
import type { UserRole } from '@/lib/db/schema';
import { AppError } from '@/lib/errors';
import { authConfig, getDb } from '@/lib/runtime';

declare module 'next-auth' {
  interface User {
    tenantId?: string;
    role?: UserRole;
    sessionVersion?: number;
  }
  interface Session {
    user: { id: string; tenantId: string; role: UserRole } & DefaultSession['user'];
    /** Checked against the database on every request (loadActiveCaller); null for an outdated cookie. */
    claims: SessionClaims | null;
  }
}

const TOO_MANY_ATTEMPTS = 'too_many_attempts';

/**
 * A sign-in refused by the throttle before the password was looked at. Its `code` reaches the
 * sign-in form (and the `code` query parameter of the credentials endpoint's redirect).
 */
class TooManySignInAttempts extends CredentialsSignin {
  code = TOO_MANY_ATTEMPTS;
  constructor(readonly retryAfterSeconds: number) {
    super();
  }
}

/** The throttle's refusal, told apart from a wrong password by its code. */
export const throttledSignIn = (err: unknown): { retryAfterSeconds: number } | null =>
  err instanceof AuthError && (err as CredentialsSignin).code === TOO_MANY_ATTEMPTS
    ? { retryAfterSeconds: (err as TooManySignInAttempts).retryAfterSeconds }
    : null;

// Lazy so that the secret is resolved at request time, never while `next build` collects pages.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: resolveAuthSecret(),
  trustHost: true,
  session: { strategy: 'jwt', maxAge: SESSION_MAX_AGE_SECONDS },
  pages: { signIn: '/signin' },
  // A wrong password is an expected outcome, not a server error worth a stack trace in the log.
  // (`type`, not `name`: class names are minified in production builds.)
  logger: { error: (error) => (error as AuthError).type !== 'CredentialsSignin' && console.error(error) },
  providers: [
    Credentials({
      credentials: { email: { type: 'email' }, password: { type: 'password' } },
      // Both the sign-in form's server action and POST /api/auth/callback/credentials come here,
      // with the browser's request headers.
      authorize: async (credentials, request) => {
        const config = authConfig();
        try {
          const user = await signInWithPassword(await getDb(), config.signIn, {
            email: credentials?.email,
            password: credentials?.password,
            clientAddress: clientAddress(request.headers, config.proxyHops),
          });
          if (!user) return null;
          return {
            id: user.caller.userId,
            email: String(credentials.email).trim().toLowerCase(),
            tenantId: user.caller.tenantId,
            role: user.caller.role,
            sessionVersion: user.sessionVersion,
          };
        } catch (err) {
          if (err instanceof AppError && err.code === 'too_many_attempts') {
            throw new TooManySignInAttempts(retryAfterSeconds(err));
          }
          throw err;
        }
      },
    }),
  ],
  callbacks: {
    jwt: ({ token, user }) => {
      if (user) {
        token.sub = user.id;
        token.tenantId = user.tenantId;
        token.role = user.role;
        Object.assign(token, newSessionTokenClaims(user.sessionVersion ?? 0));
      }
      return token;
    },
    session: ({ session, token }) => {
      session.user.id = token.sub as string;
      session.user.tenantId = token.tenantId as string;
      session.user.role = token.role as UserRole;
      session.claims = parseSessionClaims(token);
      return session;
    },
  },
  events: {
    // Both the sign-out button and POST /api/auth/signout: the cookie is deleted in the browser,
    // and revoked here in case a copy of it lives on elsewhere.
    signOut: async (message) => {
      const claims = 'token' in message ? parseSessionClaims(await message.token) : null;
      if (claims) await revokeSession(await getDb(), claims);
    },
  },
}));

/** The claims of this request's session cookie, for resolving its caller. */
export const sessionClaims = async (): Promise<SessionClaims | null> => (await auth())?.claims ?? null;
