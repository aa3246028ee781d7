import type { NextConfig } from 'next';
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
        source: '/api/:path*',
        headers: [{ key: 'Content-Security-Policy', value: API_CONTENT_SECURITY_POLICY }],
      },
    ];
  },
};

export default nextConfig;
