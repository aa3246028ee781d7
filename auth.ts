import 'server-only';
import NextAuth, { type AuthError, type DefaultSession } from 'next-auth';
import Credentials from 'next-auth/providers/credentials';
import { resolveAuthSecret } from '@/lib/auth/secret';
import { verifyCredentials } from '@/lib/auth/users';
import type { UserRole } from '@/lib/db/schema';
import { getDb } from '@/lib/runtime';

declare module 'next-auth' {
  interface User {
    tenantId?: string;
    role?: UserRole;
  }
  interface Session {
    user: { id: string; tenantId: string; role: UserRole } & DefaultSession['user'];
  }
}

// Lazy so that the secret is resolved at request time, never while `next build` collects pages.
export const { handlers, auth, signIn, signOut } = NextAuth(() => ({
  secret: resolveAuthSecret(),
  trustHost: true,
  session: { strategy: 'jwt' },
  pages: { signIn: '/signin' },
  // A wrong password is an expected outcome, not a server error worth a stack trace in the log.
  // (`type`, not `name`: class names are minified in production builds.)
  logger: { error: (error) => (error as AuthError).type !== 'CredentialsSignin' && console.error(error) },
  providers: [
    Credentials({
      credentials: { email: { type: 'email' }, password: { type: 'password' } },
      authorize: async (credentials) => {
        const caller = await verifyCredentials(await getDb(), credentials?.email, credentials?.password);
        if (!caller) return null;
        return {
          id: caller.userId,
          email: String(credentials.email).trim().toLowerCase(),
          tenantId: caller.tenantId,
          role: caller.role,
        };
      },
    }),
  ],
  callbacks: {
    jwt: ({ token, user }) => {
      if (user) {
        token.sub = user.id;
        token.tenantId = user.tenantId;
        token.role = user.role;
      }
      return token;
    },
    session: ({ session, token }) => {
      session.user.id = token.sub as string;
      session.user.tenantId = token.tenantId as string;
      session.user.role = token.role as UserRole;
      return session;
    },
  },
}));
