#!/usr/bin/env bash
# make lint: every static check of the project, in order, stopping at the first that fails with
# a line naming it: ruff, shellcheck, mypy, the import contracts, the web app's type check.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
cd "$PROJECT"

# check <name> <command...>: runs the command; when it fails, says which check did and stops.
check() {
  local name=$1
  shift
  note "$name"
  "$@" || die "the $name check failed (its findings are above)"
}

check ruff "$VENV/bin/ruff" check .
check shellcheck shellcheck -x deploy/local/*.sh .ci/run
# One run over every src root, with the [tool.mypy] of the root pyproject.toml: strict on libs/
# and on every service's domain/, mypy's default level on the rest.
check mypy "$VENV/bin/mypy" libs/*/src services/*/src
# The layers and the acyclic packages each .importlinter declares (docs/servicekit.md).
for config in libs/.importlinter services/*/.importlinter; do
  if [[ -f $config ]]; then
    check "import contracts of ${config%/.importlinter}" "$VENV/bin/lint-imports" --no-logo "$config"
  fi
done
check "web type" "$DEPLOY/local/web.sh" typecheck
