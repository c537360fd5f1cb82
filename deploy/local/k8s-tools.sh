#!/usr/bin/env bash
# Installs the tools that render and validate deploy/kubernetes in the unit tests (no cluster
# runs here): kustomize and kubeconform, each built at its pinned version with `go install` into
# .run/tools/bin. Go's module and build caches (~/go, ~/.cache/go-build) outlive a fresh clone,
# so a second install only relinks (seconds); a binary already at its version is kept as it is.
# The tests never download: tests/unit/deploy/kube.py runs what is installed here.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"

KUSTOMIZE_VERSION=v5.8.1
KUBECONFORM_VERSION=v0.7.0
TOOLS_BIN="$PROJECT/.run/tools/bin"

go_command() {
  if command -v go >/dev/null; then
    command -v go
  elif [ -x /usr/local/go/bin/go ]; then
    echo /usr/local/go/bin/go
  else
    die "no Go toolchain (go, /usr/local/go/bin/go) to build kustomize and kubeconform with"
  fi
}

# install_tool <name> <version> <package>: builds unless the installed binary was built from
# that module version (`go version -m` reads it from the binary).
install_tool() {
  local name=$1 version=$2 package=$3 log
  if [ -x "$TOOLS_BIN/$name" ] &&
    "$(go_command)" version -m "$TOOLS_BIN/$name" 2>/dev/null | grep -qE "^\s+mod\s+\S+\s+$version\s"; then
    return 0
  fi
  note "building $name $version (go install)"
  mkdir -p "$TOOLS_BIN"
  log="$(mktemp)"
  # The machine's own Go, never a downloaded toolchain; pinned versions build on it.
  if ! GOBIN="$TOOLS_BIN" GOTOOLCHAIN=local GOFLAGS=-buildvcs=false \
    "$(go_command)" install "$package@$version" >"$log" 2>&1; then
    tail_log "$log" 30
    die "go install $package@$version failed"
  fi
  rm -f "$log"
}

install_tool kustomize "$KUSTOMIZE_VERSION" sigs.k8s.io/kustomize/kustomize/v5
install_tool kubeconform "$KUBECONFORM_VERSION" github.com/yannh/kubeconform/cmd/kubeconform
