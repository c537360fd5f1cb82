# Shared by the deploy/local scripts: project paths, the run directory, messages, waiting.
# Sourced, never executed; the caller has already set `set -euo pipefail`.
# shellcheck shell=bash disable=SC2034  # the constants are used by the scripts sourcing this

PROJECT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
DEPLOY="$PROJECT/deploy"
VENV="$PROJECT/.venv"
PG_BIN="${PG_BIN:-/usr/lib/postgresql/15/bin}"

# Which stack the scripts act on. `local` is the one `make up` runs (the ports below; state in
# .run). `test` is the one `make test` runs beside it (deploy/local/test.sh): every port moved,
# its state in .run/test, started fresh and deleted after the run, so the tests never touch the
# user's databases, topics, gateway, pid files or logs.
STACK="${STACK:-local}"
case "$STACK" in
  local)
    PG_PORT=55432
    KAFKA_PORT=9092
    KAFKA_CONTROLLER_PORT=9093
    KAFKA_METRICS_PORT=9404
    GATEWAY_PORT=8080
    GATEWAY_TLS_PORT=8443
    GATEWAY_STATUS_PORT=8081
    # services.sh and nginx.sh have always taken these from the environment.
    AUTH_PORT="${AUTH_PORT:-8001}"
    RESOURCES_PORT="${RESOURCES_PORT:-8002}"
    SCHEDULING_PORT="${SCHEDULING_PORT:-8003}"
    OPTIMIZER_PORT="${OPTIMIZER_PORT:-8004}"
    INTEROP_PORT="${INTEROP_PORT:-8005}"
    PROM_PORT=9090
    ALERTMANAGER_PORT=9094
    PG_EXPORTER_PORT=9187
    NGINX_EXPORTER_PORT=9113
    NODE_EXPORTER_PORT=9110
    ;;
  test)
    PG_PORT=55433
    KAFKA_PORT=19092
    KAFKA_CONTROLLER_PORT=19093
    KAFKA_METRICS_PORT=19404
    GATEWAY_PORT=18080
    GATEWAY_TLS_PORT=18443
    GATEWAY_STATUS_PORT=18081
    AUTH_PORT=18001
    RESOURCES_PORT=18002
    SCHEDULING_PORT=18003
    OPTIMIZER_PORT=18004
    INTEROP_PORT=18005
    PROM_PORT=19090
    ALERTMANAGER_PORT=19094
    PG_EXPORTER_PORT=19187
    NGINX_EXPORTER_PORT=19113
    NODE_EXPORTER_PORT=19110
    ;;
  *)
    printf 'error: STACK=%s is neither local nor test\n' "$STACK" >&2
    exit 1
    ;;
esac
SERVICES=(auth resources scheduling optimizer interop)

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
  # BASE_RUN holds what every stack shares (the web app's build state, the Kafka jars); RUN is
  # this stack's own state.
  BASE_RUN="$(cd "$link" && pwd -P)"
  RUN="$BASE_RUN"
  if [ "$STACK" != local ]; then
    RUN="$BASE_RUN/$STACK"
    mkdir -p "$RUN"
  fi
  mkdir -p "$RUN/logs" "$RUN/pids"
  chmod 755 "$BASE_RUN" "$RUN" "$RUN/logs"
}

# Exports the services' settings for a stack other than `local` (whose services run on their
# defaults): each service's port, database, broker and the JWKS of this stack's auth. Forced,
# not defaulted: a test stack must never reach the user's stack through a stray variable.
export_stack_settings() {
  local svc upper
  [ "$STACK" != local ] || return 0
  for svc in "${SERVICES[@]}"; do
    upper="$(printf '%s' "$svc" | tr '[:lower:]' '[:upper:]')"
    export "${upper}_PORT=$(service_port "$svc")"
    export "${upper}_DATABASE_URL=postgresql+asyncpg://${svc}_svc:dev-only-${svc}-db-password@127.0.0.1:$PG_PORT/$svc"
    export "${upper}_KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$KAFKA_PORT"
    export "${upper}_JWKS_URL=http://127.0.0.1:$AUTH_PORT/.well-known/jwks.json"
  done
}

# The TLS files every local listener presents and every client trusts (deploy/local/certs.sh
# makes them under .run/tls). TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE, all three set, name a
# hospital's own instead. Call after resolve_run_dir.
tls_files() {
  TLS_DIR="$BASE_RUN/tls"
  if [ -n "${TLS_CA_FILE:-}" ] && [ -n "${TLS_CERT_FILE:-}" ] && [ -n "${TLS_KEY_FILE:-}" ]; then
    TLS_GIVEN=1
  else
    TLS_GIVEN=
    TLS_CA_FILE="$TLS_DIR/ca.crt"
    TLS_CERT_FILE="$TLS_DIR/server.crt"
    TLS_KEY_FILE="$TLS_DIR/server.key"
  fi
}

service_port() {
  case "$1" in
    auth) echo "$AUTH_PORT" ;;
    resources) echo "$RESOURCES_PORT" ;;
    scheduling) echo "$SCHEDULING_PORT" ;;
    optimizer) echo "$OPTIMIZER_PORT" ;;
    interop) echo "$INTEROP_PORT" ;;
    *) die "unknown service '$1' (one of: ${SERVICES[*]})" ;;
  esac
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
