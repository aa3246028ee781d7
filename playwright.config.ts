import { defineConfig } from '@playwright/test';

/** Where the fake OpenAI server listens during the browser tests (e2e/helpers.ts steers it). */
export const FAKE_OPENAI_PORT = 3199;
export const FAKE_OPENAI_ORIGIN = `http://127.0.0.1:${FAKE_OPENAI_PORT}`;
/**
 * `next start` itself. The browser and the API specs reach it through the Vercel-like proxy on
 * 3100 (tests/support/vercel-proxy), which refuses bodies over 4.5 MB as Vercel's edge does; the
 * specs of our own server's limits above that figure talk to it directly.
 */
export const APP_DIRECT_PORT = 3198;
export const E2E_METRICS_TOKEN = 'e2e-metrics-token';
/** Wrong passwords that lock an account (the default, set here so the specs can count on it). */
export const E2E_MAX_FAILURES = 5;
/** How long an upload may send nothing before it is given up (30 s by default; short for the specs). */
export const E2E_UPLOAD_IDLE_SECONDS = 8;

export default defineConfig({
  testDir: './e2e',
  workers: 1,
  fullyParallel: false,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  timeout: 30_000,
  expect: { timeout: 10_000 },
  use: {
    // localhost, not 127.0.0.1: next-auth builds its redirects from this host.
    baseURL: 'http://localhost:3100',
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--headless',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        '--disable-quic',
        '--disable-dev-shm-usage',
      ],
    },
  },
  webServer: [
    {
      // The fake OpenAI server the app talks to; tests steer it through its /__fake control plane.
      command: `node --import tsx tests/support/fake-openai/main.ts --port ${FAKE_OPENAI_PORT}`,
      url: `${FAKE_OPENAI_ORIGIN}/__fake/state`,
      reuseExistingServer: false,
      timeout: 30_000,
    },
    {
      command: `node node_modules/next/dist/bin/next start -p ${APP_DIRECT_PORT}`,
      url: `http://localhost:${APP_DIRECT_PORT}/signin`,
      reuseExistingServer: false,
      timeout: 120_000,
      env: {
        PGLITE_DIR: '.data/pglite-e2e',
        FILE_STORAGE_DIR: '.data/files-e2e',
        AUTH_SECRET: 'e2e-only-secret-not-for-production-use-000',
        // The public URL, as behind any proxy: Next builds a request's URL from its own port, so the
        // origin check and the sign-in redirects need to be told the one the browser sees.
        AUTH_URL: 'http://localhost:3100',
        NODE_ENV: 'production',
        OPENAI_API_KEY: 'e2e-test-key',
        OPENAI_BASE_URL: `${FAKE_OPENAI_ORIGIN}/v1`,
        // New chats stay keyless unless a test picks an OpenAI model.
        DEFAULT_MODEL: 'offline',
        // A second model on the local index, answered by the fake's Chat Completions: an offline
        // chat can switch to it.
        OPENAI_COMPATIBLE_MODEL: 'llama-e2e',
        OPENAI_COMPATIBLE_BASE_URL: `${FAKE_OPENAI_ORIGIN}/v1`,
        METRICS_TOKEN: E2E_METRICS_TOKEN,
        AUTH_MAX_FAILURES: String(E2E_MAX_FAILURES),
        // Every spec signs up and in from this one address: only the per-account limits are tried here
        // (the per-address ones are covered by the integration tests).
        AUTH_MAX_FAILURES_PER_ADDRESS: '1000',
        SIGNUP_MAX_PER_ADDRESS: '10000',
        UPLOAD_IDLE_TIMEOUT_SECONDS: String(E2E_UPLOAD_IDLE_SECONDS),
      },
    },
    {
      command: `node --import tsx tests/support/vercel-proxy/main.ts --port 3100 --target ${APP_DIRECT_PORT}`,
      // Started after the app (Playwright starts these in order, each once it answers): in front of it.
      url: 'http://localhost:3100/signin',
      reuseExistingServer: false,
      timeout: 120_000,
    },
  ],
});
