import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    tsconfigPaths: true,
    // Tests run server code: `server-only` resolves as in Next's server bundles, to Next's empty
    // module (its own copy throws, being meant for the browser's bundles).
    alias: { 'server-only': 'next/dist/compiled/server-only/empty.js' },
  },
  test: {
    // PGlite costs seconds to start in each worker; give slow database tests room.
    testTimeout: 30_000,
    // next-auth imports `next/server` without an extension, which only a bundler resolves.
    server: { deps: { inline: ['next-auth'] } },
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: { name: 'unit', include: ['tests/unit/**/*.test.ts'] },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/integration/**/*.test.ts'],
          globalSetup: ['tests/support/global-setup.ts'],
          setupFiles: ['tests/support/database-env.ts'],
        },
      },
      {
        extends: true,
        // Production servers of the build in .next: run after `next build` (scripts/test.sh).
        test: { name: 'multi', include: ['tests/multi/**/*.test.ts'], testTimeout: 120_000 },
      },
    ],
  },
});
