#!/usr/bin/env bash
# make lint: every static check of the project, failing on the first that fails.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
cd "$PROJECT"

"$VENV/bin/ruff" check .
"$DEPLOY/local/web.sh" typecheck
