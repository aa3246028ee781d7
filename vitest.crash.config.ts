import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * The crash suite (tests/crash): `next start` on PostgreSQL killed and restarted. Its own config,
 * not a project of vitest.config.ts, so that `npx vitest run` leaves it out: it needs a production
 * build and TEST_DATABASE_URL, and scripts/test.sh runs it after the browser tests' build.
 */
export default mergeConfig(
  { ...base, test: { ...base.test, projects: undefined } },
  defineConfig({
    test: {
      name: 'crash',
      include: ['tests/crash/**/*.test.ts'],
      globalSetup: ['tests/crash/build.ts'],
      fileParallelism: false,
      testTimeout: 240_000,
      hookTimeout: 180_000,
    },
  }),
);
