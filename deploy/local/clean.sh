#!/usr/bin/env bash
# Deletes all local state (databases, Kafka log, nginx, logs); the stack must be stopped first.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"

link="$PROJECT/.run"
if [ -L "$link" ]; then
  target="$(readlink "$link")"
  case "$target" in
    /var/tmp/surgery-scheduling-*) rm -rf "$target" ;;
    *) die "refusing to delete $target: .run points outside /var/tmp/surgery-scheduling-*" ;;
  esac
  rm -f "$link"
elif [ -d "$link" ]; then
  rm -rf "$link"
fi
