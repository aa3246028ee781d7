import type { NextConfig } from 'next';

const nextConfig: NextConfig = {
  // The embedded database and the Postgres drivers are Node-only; keep them out of the bundle.
  serverExternalPackages: ['@electric-sql/pglite', 'pg', 'ws', '@node-rs/argon2'],
  poweredByHeader: false,
};

export default nextConfig;
