#!/usr/bin/env bash
# Prints the path of a Chromium for the e2e tests, installing one if there is none:
# CHROMIUM_PATH, then /usr/bin/chromium, then Playwright's own browser, then `playwright install`
# (where the internet is reachable), then Debian's chromium package (as root with apt).
set -euo pipefail
cd "$(dirname "$0")/.."

usable() { [ -n "${1:-}" ] && [ -x "$1" ] && "$1" --version >/dev/null 2>&1; }

playwright_browser() {
  node -e "try { const p = require('playwright-core').chromium.executablePath(); if (require('fs').existsSync(p)) console.log(p) } catch {}"
}

for candidate in "${CHROMIUM_PATH:-}" /usr/bin/chromium "$(playwright_browser)"; do
  if usable "$candidate"; then echo "$candidate"; exit 0; fi
done

echo "No Chromium found; trying 'playwright install chromium'..." >&2
if timeout 300 npx playwright install chromium >&2 2>&1; then
  candidate=$(playwright_browser)
  if usable "$candidate"; then echo "$candidate"; exit 0; fi
fi

if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing Debian's chromium package..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >&2
  if usable /usr/bin/chromium; then echo /usr/bin/chromium; exit 0; fi
fi

cat >&2 <<'MSG'
No Chromium for the end-to-end tests. Install one and run again, for example:
  sudo apt-get install chromium            (Debian/Ubuntu)
  npx playwright install chromium          (with internet access)
or point CHROMIUM_PATH at an existing Chromium or Chrome binary.
MSG
exit 1
