import type { NextConfig } from 'next';

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
};

export default nextConfig;
