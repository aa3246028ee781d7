#!/usr/bin/env bash
# End-to-end tests: a production build served by `next start` on a fresh PGlite folder, driven by
# Playwright in Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."

CHROMIUM_PATH=$(bash scripts/find-chromium.sh)
export CHROMIUM_PATH
echo "e2e: using $CHROMIUM_PATH"

rm -rf .data/pglite-e2e .data/pglite-e2e.lock .data/files-e2e
npx next build
npx playwright test "$@"
