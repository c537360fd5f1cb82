#!/usr/bin/env bash
# Runs the named test suites (tests/<suite>, `web` for the web app's Vitest and Playwright
# tests, `chaos` for the short fault suite) in order and fails if any failed; a suite that
# collects no test (pytest exit 5) is reported, not failed. PYTEST_ARGS is passed to each
# pytest run.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"

# PYTEST_ARGS is the developer's own shell words (e.g. -k "booking and not slow").
pytest_args=()
eval "pytest_args=(${PYTEST_ARGS:-})"
failed=()
cd "$PROJECT"
for suite in "$@"; do
  if [ "$suite" = web ]; then
    # The web app: Vitest, then Playwright in Debian's chromium against the running gateway.
    printf '\n=== web (vitest, playwright)\n'
    "$DEPLOY/local/web.sh" test || failed+=("web")
    continue
  fi
  if [ "$suite" = chaos ]; then
    # The fault suite, each fault once (`make chaos` runs several rounds): it kills the broker,
    # PostgreSQL and a service, so it runs last, and puts the stack back before it returns.
    printf '\n=== chaos (benchmarks/chaos --short)\n'
    "$VENV/bin/python" -m benchmarks.chaos --short || failed+=("chaos")
    continue
  fi
  if [ ! -d "tests/$suite" ]; then
    note "tests/$suite does not exist; skipped"
    continue
  fi
  printf '\n=== tests/%s\n' "$suite"
  rc=0
  "$VENV/bin/pytest" "tests/$suite" "${pytest_args[@]}" || rc=$?
  case "$rc" in
    0) ;;
    5) note "tests/$suite collected no tests" ;;
    *) failed+=("tests/$suite (pytest exit $rc)") ;;
  esac
done
if [ "${#failed[@]}" -gt 0 ]; then
  printf '\nFAILED: %s\n' "${failed[*]}" >&2
  exit 1
fi
