#!/usr/bin/env bash
# The one test command (npm test): type check, build the UI, then unit, integration and browser tests.
# Integration tests use the embedded database always and PostgreSQL too when TEST_DATABASE_URL is set.
set -euo pipefail
cd "$(dirname "$0")/.."
# The browser test drives Debian's chromium; install it when missing and we may (root with apt).
if [ ! -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== installing chromium (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi
# The multi-instance test (PostgreSQL only) starts Debian's nginx in front of two instances.
if [ -n "${TEST_DATABASE_URL:-}" ] && [ ! -x "${NGINX_PATH:-/usr/sbin/nginx}" ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "== installing nginx (apt)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null
fi
echo "== type check"
npx tsc
echo "== build"
npm run build
echo "== tests"
mkdir -p test-results
status=0
npx vitest run --reporter=default --reporter=json --outputFile=test-results/vitest.json "$@" || status=$?
node -e '
  const r = JSON.parse(require("fs").readFileSync("test-results/vitest.json", "utf8"));
  console.log(`${r.numPassedTests} passed, ${r.numFailedTests} failed` + (r.numPendingTests ? `, ${r.numPendingTests} skipped` : ""));
  for (const file of r.testResults) for (const t of file.assertionResults) if (t.status === "pending" || t.status === "skipped") console.log(`skipped: ${t.title}`);
' || true
exit $status
