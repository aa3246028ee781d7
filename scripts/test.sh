#!/usr/bin/env bash
# The whole test suite, in the order a failure is cheapest to find: types, lint, unit and
# integration tests on PGlite, the integration suite again on real Postgres and through the Neon
# driver when TEST_DATABASE_URL is set, then the browser tests against a production build, and
# the crash suite against that same build (tests/crash; it needs TEST_DATABASE_URL).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s ===\n' "$1"; }

step 'typecheck'
# Route types (PageProps and friends) are generated, not committed: make them first.
npm run -s typecheck

step 'lint'
npx biome check .

step 'unit + integration (PGlite)'
npx vitest run --project unit --project integration

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  step 'integration (PostgreSQL, node-postgres)'
  TEST_DB=pg npx vitest run --project integration
  step 'integration (PostgreSQL through the Neon driver and a local WebSocket proxy)'
  TEST_DB=neon npx vitest run --project integration
else
  echo 'TEST_DATABASE_URL is not set: skipping the integration suite on PostgreSQL and the Neon driver.'
fi

step 'e2e (Playwright, Chromium) on a Vercel build (VERCEL=1, its environment checked), behind a 4.5 MB proxy'
bash scripts/e2e.sh

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  step 'crash suite (next start on PostgreSQL: SIGKILL at named points, SIGTERM)'
  npx vitest run --config vitest.crash.config.ts
else
  echo 'TEST_DATABASE_URL is not set: skipping the crash suite, which runs on PostgreSQL.'
fi

# After the e2e step, whose build it runs: two `next start` processes on one PostgreSQL database
# and one S3 bucket. It says why when it cannot run (no TEST_DATABASE_URL).
step 'two instances (next start ×2, PostgreSQL, S3)'
npx vitest run --project multi
