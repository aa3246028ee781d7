#!/usr/bin/env bash
# End-to-end tests: a production build served by `next start` on a fresh PGlite folder behind a
# Vercel-like proxy (tests/support/vercel-proxy), driven by Playwright in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM_PATH=$(bash scripts/find-chromium.sh)
export CHROMIUM_PATH
echo "e2e: using $CHROMIUM_PATH"

rm -rf .data/pglite-e2e .data/pglite-e2e.lock .data/files-e2e
# The build is Vercel's (VERCEL=1: next.config.ts checks the deployment's environment first) with a
# complete environment of placeholders the build never contacts, so every run proves the deploy
# path still builds, without a second build. The server the tests start gets its own environment.
VERCEL=1 \
  AUTH_SECRET=build-check-secret-not-used-at-run-time-0000 \
  DATABASE_URL=postgres://build-check@127.0.0.1:9/never-contacted \
  OPENAI_API_KEY=build-check \
  CRON_SECRET=build-check-cron-secret \
  npx next build
npx playwright test "$@"
