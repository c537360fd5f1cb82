#!/usr/bin/env bash
# The web front end (web/): build|dev|test|vitest|playwright|typecheck|api|api-check|status.
# build: `npm ci` when node_modules is missing or package-lock.json changed, then `npm run build`
# when a source changed; both are skipped on a warm tree. dev: Vite's dev server on
# https://127.0.0.1:5173 (the local CA's certificate) proxying /api to the gateway. test: Vitest, then Playwright against the
# running gateway (Debian's chromium; no browser is ever downloaded); vitest or playwright: the
# one. api / api-check: write or verify the typed client generated from docs/openapi/*.json
# (make openapi, make openapi-check).
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
resolve_run_dir
tls_files

WEB="$PROJECT/web"
# The build is the project's, whichever stack serves it: its state is in the base run dir.
STATE="$BASE_RUN/web"
NODE_MIN_MAJOR=20
NODE_MIN_MINOR=19
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
export NPM_CONFIG_UPDATE_NOTIFIER=false

require_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    die "Node.js $NODE_MIN_MAJOR.$NODE_MIN_MINOR+ and npm are needed for the web app"
  fi
  local version major minor
  version="$(node --version)"
  IFS=. read -r major minor _ <<<"${version#v}"
  if [ "$major" -lt "$NODE_MIN_MAJOR" ] ||
    { [ "$major" -eq "$NODE_MIN_MAJOR" ] && [ "$minor" -lt "$NODE_MIN_MINOR" ]; }; then
    die "Node.js $version is too old for Vite 8: $NODE_MIN_MAJOR.$NODE_MIN_MINOR+ is needed"
  fi
}

# A digest of the files a step depends on, compared with the one recorded after it last ran.
digest() { (cd "$WEB" && find "$@" -type f -print0 | sort -z | xargs -0 sha256sum | sha256sum | cut -c1-64); }
unchanged() { [ -f "$STATE/$1" ] && [ "$(cat "$STATE/$1")" = "$2" ]; }

install_packages() {
  local sum
  sum="$(digest package.json package-lock.json)"
  if [ -d "$WEB/node_modules" ] && unchanged packages.sha256 "$sum"; then return 0; fi
  note "installing the web app's packages (npm ci)"
  # npm ci empties node_modules itself, but its rmdir can race on overlay file systems.
  rm -rf "$WEB/node_modules"
  (cd "$WEB" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in web/"
  mkdir -p "$STATE"
  printf '%s\n' "$sum" >"$STATE/packages.sha256"
}

build() {
  require_node
  install_packages
  local sum
  sum="$(digest package-lock.json index.html public src tsconfig.json tsconfig.app.json vite.config.ts)"
  if [ -f "$WEB/dist/index.html" ] && unchanged build.sha256 "$sum"; then return 0; fi
  note "building the web app (npm run build)"
  (cd "$WEB" && npm run --silent build -- --logLevel warn) || die "the web app did not build"
  printf '%s\n' "$sum" >"$STATE/build.sha256"
}

dev() {
  require_node
  install_packages
  cd "$WEB"
  GATEWAY_URL="https://127.0.0.1:$GATEWAY_TLS_PORT" GATEWAY_CA="$TLS_CA_FILE" exec npm run dev
}

run_tests() {
  local rc=0
  run_vitest || rc=$?
  run_playwright || rc=$?
  return "$rc"
}

# Vitest alone needs no stack: deploy/local/test.sh runs it beside the integration suite.
run_vitest() {
  require_node
  install_packages
  (cd "$WEB" && npm run --silent test)
}

run_playwright() {
  require_node
  install_packages
  [ -x "${CHROMIUM:-/usr/bin/chromium}" ] || die "chromium is not installed: run 'make install'"
  mkdir -p "$RUN/playwright"
  (cd "$WEB" && PLAYWRIGHT_ARTIFACTS="$RUN/playwright" \
    GATEWAY_URL="https://127.0.0.1:$GATEWAY_TLS_PORT" GATEWAY_CA="$TLS_CA_FILE" npm run --silent e2e)
}

# Runs one of package.json's scripts once the packages are in place.
npm_script() {
  require_node
  install_packages
  cd "$WEB"
  npm run --silent "$@"
}

status() {
  if [ -f "$WEB/dist/index.html" ]; then echo "web        built web/dist (served by the gateway at /)"
  else echo "web        not built"; fi
}

case "${1:-}" in
  build) build ;;
  dev) dev ;;
  test) run_tests ;;
  vitest) run_vitest ;;
  playwright) run_playwright ;;
  typecheck) npm_script typecheck ;;
  api) npm_script api ;;
  api-check) npm_script api:check ;;
  status) status ;;
  *) die "usage: $0 build|dev|test|vitest|playwright|typecheck|api|api-check|status" ;;
esac
