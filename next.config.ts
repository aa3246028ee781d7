import type { NextConfig } from 'next';
import { PHASE_PRODUCTION_BUILD } from 'next/constants';
import { assertDeployEnv } from './lib/deploy-env';
import { API_CONTENT_SECURITY_POLICY, SECURITY_HEADERS } from './lib/http/csp';

const nextConfig: NextConfig = {
  // The embedded database and the Postgres drivers are Node-only; keep them out of the bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', 'ws', '@node-rs/argon2'],
  // The local index's extraction sandbox is a plain script that `node` runs, never imported, so
  // tracing cannot see it or what it imports: ship them with the API routes (uploads, cron).
  outputFileTracingIncludes: {
    '/api/**/*': [
      './lib/file-stores/local/sandbox/**',
      './node_modules/fflate/**',
      './node_modules/unpdf/**',
    ],
  },
  poweredByHeader: false,
  async headers() {
    return [
      { source: '/:path*', headers: [...SECURITY_HEADERS] },
      {
        // Every API answer but a file's original, which may set a policy of its own (a sandbox that
        // lets a PDF or image show inline): a header set here would win over the route's, and
        // `apiRoute` gives the route's other answers the API's policy.
        source: '/api/:path((?!chats/[^/]+/attachments/[^/]+/content$).*)',
        headers: [{ key: 'Content-Security-Policy', value: API_CONTENT_SECURITY_POLICY }],
      },
    ];
  },
};

/**
 * A Vercel build (VERCEL=1) stops here, before compiling, when the deployment lacks what it needs
 * at run time: the same list the functions would refuse to start with (lib/deploy-env.ts).
 */
export default function config(phase: string): NextConfig {
  if (phase === PHASE_PRODUCTION_BUILD) assertDeployEnv('build', process.env);
  return nextConfig;
}
