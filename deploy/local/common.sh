# Shared by the deploy/local scripts: project paths, the run directory, messages, waiting.
# Sourced, never executed; the caller has already set `set -euo pipefail`.
# shellcheck shell=bash disable=SC2034  # the constants are used by the scripts sourcing this

PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
DEPLOY="$PROJECT/deploy"
VENV="$PROJECT/.venv"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"
PG_PORT=55432
KAFKA_PORT=9092
KAFKA_CONTROLLER_PORT=9093
GATEWAY_PORT=8080

die() { printf '%s: error: %s\n' "$(basename "$0")" "$*" >&2; exit 1; }
note() { printf '%s: %s\n' "$(basename "$0")" "$*" >&2; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Runs a command as the unprivileged user that owns the PostgreSQL cluster: initdb and postgres
# refuse to run as root. A non-root developer runs the cluster as themselves. From / because
# the postgres user may not be allowed into the current directory (a checkout under /root).
as_pg() {
  if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The run directory. CI clones into folders (e.g. under /root, mode 700) that the postgres and
# nobody users cannot traverse; then the state lives in /var/tmp and .run is a symlink to it.
_run_dir_reachable() {
  is_root || return 0
  local user
  for user in postgres nobody; do
    id -u "$user" >/dev/null 2>&1 || continue
    runuser -u "$user" -- test -x "$PROJECT" 2>/dev/null || return 1
  done
  return 0
}

resolve_run_dir() {
  local link="$PROJECT/.run" target
  if [ -L "$link" ]; then
    target="$(readlink "$link")"
    mkdir -p "$target"
  elif _run_dir_reachable; then
    mkdir -p "$link"
  else
    target="/var/tmp/surgery-scheduling-$(printf '%s' "$PROJECT" | sha256sum | cut -c1-12)"
    mkdir -p "$target"
    chmod 755 "$target"
    if [ -d "$link" ]; then
      # A real .run made before the postgres user existed: move its contents over once.
      cp -a "$link/." "$target/" && rm -rf "$link"
    fi
    ln -sfn "$target" "$link"
  fi
  RUN="$(cd "$link" && pwd -P)"
  mkdir -p "$RUN/logs" "$RUN/pids"
  chmod 755 "$RUN" "$RUN/logs"
}

# True when the pid in FILE is alive and its command line contains PATTERN (guards pid reuse).
pid_alive() {
  local file=$1 pattern=$2 pid
  [ -s "$file" ] || return 1
  pid="$(cat "$file")"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$pattern"
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# Sends SIGTERM to a process group led by PID, waits up to SECONDS, then SIGKILLs it.
stop_group() {
  local pid=$1 seconds=$2 deadline
  kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || return 0
  deadline=$((SECONDS + seconds))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      note "pid $pid did not exit within ${seconds}s; sending SIGKILL"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.1
  done
  # The group may still have children after its leader exits.
  kill -KILL -- "-$pid" 2>/dev/null || true
}

tail_log() {
  local file=$1
  [ -f "$file" ] || return 0
  printf -- '--- last lines of %s ---\n' "$file" >&2
  tail -n "${2:-40}" "$file" >&2
  printf -- '---\n' >&2
}

# Renders a template: every ${NAME} for the NAMEs given is replaced by that variable's value.
# Only braced names listed are touched, so nginx's own $variables pass through unchanged.
render() {
  local template=$1 out=$2 name content
  shift 2
  content="$(cat "$template")"
  for name in "$@"; do
    content="${content//"\${$name}"/"${!name}"}"
  done
  if [ -f "$out" ] && [ "$(cat "$out")" = "$content" ]; then return 0; fi
  printf '%s\n' "$content" >"$out.tmp"
  mv "$out.tmp" "$out"
}
