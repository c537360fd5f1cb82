#!/usr/bin/env bash
# shellcheck disable=SC2034  # the template's variables are read by name in render()
# The nginx API gateway on https://127.0.0.1:8443, plain http://127.0.0.1:8080 redirecting to it
# (STACK=test: 18443 and 18080): start|stop|status|render. deploy/nginx/gateway.conf is rendered
# into .run/nginx/nginx.conf; all nginx state is in .run. The certificate and key are tls_files'
# (common.sh): the local CA's, made by deploy/local/certs.sh ensure, or a hospital's own.
# Overrides at render time: AUTH_PORT, RESOURCES_PORT, SCHEDULING_PORT, OPTIMIZER_PORT,
# INTEROP_PORT, GATEWAY_API_RATE (500r/s), GATEWAY_API_BURST (1000), GATEWAY_LOGIN_RATE (50r/s),
# GATEWAY_LOGIN_BURST (100).
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
resolve_run_dir
tls_files

PREFIX="$RUN/nginx"
CONF="$PREFIX/nginx.conf"
NGINX_PID_FILE="$PREFIX/nginx.pid"
NGINX_ERROR_LOG="$RUN/logs/nginx-error.log"
NGINX_ACCESS_LOG="$RUN/logs/nginx-access.log"
NGINX_TEMP_DIR="$PREFIX/temp"
WEB_ROOT="$PREFIX/web"
WEB_DIST="$PROJECT/web/dist"
NGINX="$(command -v nginx || echo /usr/sbin/nginx)"

TEMPLATE_VARS=(NGINX_USER_DIRECTIVE NGINX_WORKERS NGINX_PID_FILE NGINX_ERROR_LOG NGINX_ACCESS_LOG
  NGINX_TEMP_DIR GATEWAY_LISTEN GATEWAY_TLS_LISTEN GATEWAY_HTTPS_PORT TLS_CERT_FILE TLS_KEY_FILE
  GATEWAY_STATUS_LISTEN AUTH_UPSTREAM RESOURCES_UPSTREAM SCHEDULING_UPSTREAM
  OPTIMIZER_UPSTREAM INTEROP_UPSTREAM GATEWAY_API_RATE GATEWAY_API_BURST GATEWAY_LOGIN_RATE GATEWAY_LOGIN_BURST
  WEB_ROOT)

worker_group() { getent group nogroup >/dev/null && echo nogroup || echo nobody; }

render_conf() {
  NGINX_WORKERS=auto
  GATEWAY_LISTEN="127.0.0.1:$GATEWAY_PORT"
  GATEWAY_TLS_LISTEN="127.0.0.1:$GATEWAY_TLS_PORT"
  GATEWAY_HTTPS_PORT="$GATEWAY_TLS_PORT"
  GATEWAY_STATUS_LISTEN="127.0.0.1:$GATEWAY_STATUS_PORT"
  AUTH_UPSTREAM="127.0.0.1:$AUTH_PORT"
  RESOURCES_UPSTREAM="127.0.0.1:$RESOURCES_PORT"
  SCHEDULING_UPSTREAM="127.0.0.1:$SCHEDULING_PORT"
  OPTIMIZER_UPSTREAM="127.0.0.1:$OPTIMIZER_PORT"
  INTEROP_UPSTREAM="127.0.0.1:$INTEROP_PORT"
  GATEWAY_API_RATE="${GATEWAY_API_RATE:-500r/s}"
  GATEWAY_API_BURST="${GATEWAY_API_BURST:-1000}"
  GATEWAY_LOGIN_RATE="${GATEWAY_LOGIN_RATE:-50r/s}"
  GATEWAY_LOGIN_BURST="${GATEWAY_LOGIN_BURST:-100}"
  local rate
  for rate in "$GATEWAY_API_RATE" "$GATEWAY_LOGIN_RATE"; do
    [[ "$rate" =~ ^[0-9]+r/[sm]$ ]] || die "rate '$rate' must look like 500r/s or 30r/m"
  done
  [[ "$GATEWAY_API_BURST$GATEWAY_LOGIN_BURST" =~ ^[0-9]+$ ]] || die "bursts must be whole numbers"
  if is_root; then
    NGINX_USER_DIRECTIVE="user nobody $(worker_group);"
  else
    NGINX_USER_DIRECTIVE="# not started as root: workers run as $(id -un)"
  fi
  mkdir -p "$PREFIX" "$WEB_ROOT"
  render "$DEPLOY/nginx/gateway.conf" "$CONF" "${TEMPLATE_VARS[@]}"
}

prepare_dirs() {
  local dir
  for dir in client_body proxy fastcgi uwsgi scgi; do mkdir -p "$NGINX_TEMP_DIR/$dir"; done
  # The project folder may be unreadable for the workers (CI clones under /root): serve a copy
  # of the built web app (deploy/local/web.sh build). Older builds' hashed files stay: a page
  # opened before a rebuild still loads its lazy chunks. index.html, copied last, switches.
  [ -f "$WEB_DIST/index.html" ] || die "the web app is not built: run 'deploy/local/web.sh build'"
  mkdir -p "$WEB_ROOT"
  (cd "$WEB_DIST" && find . -type f ! -name index.html -exec cp -p --parents {} "$WEB_ROOT/" \;)
  cp -p "$WEB_DIST/index.html" "$WEB_ROOT/index.html.new"
  mv "$WEB_ROOT/index.html.new" "$WEB_ROOT/index.html"
  chmod -R a+rX "$WEB_ROOT"
  if is_root; then chown -R "nobody:$(worker_group)" "$NGINX_TEMP_DIR"; fi
}

nginx_cmd() { "$NGINX" -p "$PREFIX" -c "$CONF" -e "$NGINX_ERROR_LOG" "$@"; }

running() { pid_alive "$NGINX_PID_FILE" "nginx: master"; }

check_conf() {
  local out
  out="$(nginx_cmd -t -q 2>&1)" || { printf '%s\n' "$out" >&2; die "nginx rejected $CONF"; }
}

# The name the health check asks for: 127.0.0.1 when the certificate names it (the local CA's
# does), else the certificate's first DNS name, resolved to 127.0.0.1: the check verifies the
# chain and the name like any client, never skips it.
health_host() {
  local names
  names="$(openssl x509 -in "$TLS_CERT_FILE" -noout -ext subjectAltName 2>/dev/null || true)"
  if [[ "$names" == *"IP Address:127.0.0.1"* ]] || ! [[ "$names" =~ DNS:([^,[:space:]]+) ]]; then
    echo 127.0.0.1
  else
    echo "${BASH_REMATCH[1]}"
  fi
}

wait_healthy() {
  local deadline=$((SECONDS + 20)) host
  host="$(health_host)"
  until curl -fsS -o /dev/null --cacert "$TLS_CA_FILE" --resolve "$host:$GATEWAY_TLS_PORT:127.0.0.1" \
    "https://$host:$GATEWAY_TLS_PORT/healthz" 2>/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || { tail_log "$NGINX_ERROR_LOG"; die "gateway not answering /healthz"; }
    sleep 0.1
  done
}

# Reload is asynchronous: wait until the old workers are gone so the new config is in force.
reload() {
  local master old deadline=$((SECONDS + 15))
  master="$(cat "$NGINX_PID_FILE")"
  old="$(pgrep -P "$master" || true)"
  kill -HUP "$master"
  for pid in $old; do
    while kill -0 "$pid" 2>/dev/null; do
      [ "$SECONDS" -lt "$deadline" ] || { note "old nginx workers still finishing requests"; return 0; }
      sleep 0.05
    done
  done
}

start() {
  local before=""
  [ -x "$NGINX" ] || die "nginx not installed: run 'make install'"
  "$DEPLOY/local/certs.sh" ensure
  # nginx reads the certificate when it (re)loads: a renewed one needs a reload like a new config.
  [ -f "$CONF" ] && before="$(cat "$CONF" "$TLS_CERT_FILE" | sha256sum)"
  render_conf
  prepare_dirs
  check_conf
  if running; then
    [ "$(cat "$CONF" "$TLS_CERT_FILE" | sha256sum)" = "$before" ] || reload
  else
    local port
    for port in "$GATEWAY_PORT" "$GATEWAY_TLS_PORT"; do
      port_open "$port" && die "port $port is taken by a process that is not our gateway"
    done
    nginx_cmd </dev/null >/dev/null 2>>"$NGINX_ERROR_LOG" ||
      { tail_log "$NGINX_ERROR_LOG"; die "nginx did not start"; }
  fi
  wait_healthy
}

stop() {
  running || return 0
  stop_group "$(cat "$NGINX_PID_FILE")" 10
  rm -f "$NGINX_PID_FILE"
}

status() {
  if running; then echo "gateway    up    https://127.0.0.1:$GATEWAY_TLS_PORT (http :$GATEWAY_PORT redirects)  pid $(cat "$NGINX_PID_FILE")"
  else echo "gateway    down"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  render) render_conf; echo "$CONF" ;;
  *) die "usage: $0 start|stop|status|render" ;;
esac
