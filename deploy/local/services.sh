#!/usr/bin/env bash
# The five Python services as local processes: start|stop|restart|status|seed|kill9 [svc...].
# start: migrate, serve in the background (log .run/logs/<svc>.log, pid .run/pids/<svc>.pid),
# wait for /readyz, then seed the ones it started (auth first). A running service is left alone.
# kill9 SIGKILLs a service's process group (the chaos suite's fault). STACK=test: the test stack.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=deploy/local/kafka-users.sh
. "$(dirname "$0")/kafka-users.sh"
resolve_run_dir

ALL_SERVICES=("${SERVICES[@]}")
# The services with demo data to seed after a start; the optimizer and interop have none (their
# `seed` is a no-op that costs a Python start-up, a minute on a busy machine).
SEEDED=(auth resources scheduling)
READY_DEADLINE=90

port_of() { service_port "$1"; }

pidfile() { echo "$RUN/pids/$1.pid"; }
logfile() { echo "$RUN/logs/$1.log"; }
running() { pid_alive "$(pidfile "$1")" "$1_service"; }
ready() { curl -fsS -o /dev/null --max-time 2 "http://127.0.0.1:$(port_of "$1")/readyz" 2>/dev/null; }

# With a non-default auth port, the others must still find the JWKS.
export_jwks_url() {
  local svc upper
  [ -n "${AUTH_PORT:-}" ] || return 0
  for svc in "${ALL_SERVICES[@]}"; do
    upper="$(echo "$svc" | tr '[:lower:]' '[:upper:]')_JWKS_URL"
    [ -n "${!upper:-}" ] || export "$upper=http://127.0.0.1:$AUTH_PORT/.well-known/jwks.json"
  done
}

# Every service connects to PostgreSQL over TLS and checks its certificate against the local CA
# (or the hospital's, TLS_CA_FILE): sslmode verify-full, unless set otherwise.
export_database_tls() {
  local svc mode ca
  tls_files
  for svc in "${ALL_SERVICES[@]}"; do
    mode="$(echo "$svc" | tr '[:lower:]' '[:upper:]')_DATABASE_SSLMODE"
    ca="$(echo "$svc" | tr '[:lower:]' '[:upper:]')_DATABASE_SSL_CA_FILE"
    [ -n "${!mode:-}" ] || export "$mode=verify-full"
    [ -n "${!ca:-}" ] || export "$ca=$TLS_CA_FILE"
  done
}

# Every service reaches Kafka over SASL_SSL as its own SCRAM user (deploy/local/kafka-users.sh),
# checking the broker's certificate against the local CA; <SVC>_KAFKA_USERNAME set: left alone.
export_kafka_clients() {
  local svc prefix user
  tls_files
  for svc in "${ALL_SERVICES[@]}"; do
    prefix="$(echo "$svc" | tr '[:lower:]' '[:upper:]')_"
    user="${prefix}KAFKA_USERNAME"
    [ -n "${!user:-}" ] || export_kafka_client "$prefix" "$svc"
  done
}

# Worker processes per service: <SVC>_WORKERS, else WORKERS for every service, else the kit's
# default (one per core). The test stack runs one each: it shares the two cores with the tests,
# which send one request at a time; test_worker_processes.py runs a service with two.
export_workers() {
  local svc var default="${WORKERS:-}"
  if [ -z "$default" ] && [ "$STACK" = test ]; then default=1; fi
  [ -n "$default" ] || return 0
  for svc in "${ALL_SERVICES[@]}"; do
    var="$(echo "$svc" | tr '[:lower:]' '[:upper:]')_WORKERS"
    [ -n "${!var:-}" ] || export "$var=$default"
  done
}

# Secrets of the local stack that have no shared development value: made at the first start,
# kept under .run/secrets (mode 600), the same for every later start.
export_local_secrets() {
  local file="$RUN/secrets/auth-login-throttle-secret"
  [ -n "${AUTH_LOGIN_THROTTLE_SECRET:-}" ] && return 0
  if [ ! -s "$file" ]; then
    mkdir -p "$RUN/secrets" && chmod 700 "$RUN/secrets"
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -d '\n=' >"$file")
  fi
  AUTH_LOGIN_THROTTLE_SECRET="$(cat "$file")"
  export AUTH_LOGIN_THROTTLE_SECRET
}

# Migrate then exec serve in one new session, so the pid (and its group) is the server's.
launch() {
  local svc=$1 py="$VENV/bin/python" port metrics
  port="$(port_of "$svc")"
  port_open "$port" && die "port $port for $svc is taken by a process that is not our $svc service"
  printf '\n=== %s starting %s (migrate, serve on 127.0.0.1:%s)\n' "$(date -u +%FT%TZ)" "$svc" "$port" \
    >>"$(logfile "$svc")"
  # Where the service's worker processes keep their metrics (servicekit/metrics.py): emptied at
  # each start, so /metrics never adds up an earlier run's counters.
  metrics="$RUN/metrics/$svc"
  rm -rf "$metrics" && mkdir -p "$metrics"
  # shellcheck disable=SC2016  # $1, $2 and $3 expand in the child shell
  setsid nohup bash -c '"$1" -m "$2" migrate && PROMETHEUS_MULTIPROC_DIR="$3" exec "$1" -m "$2" serve' \
    launch "$py" "${svc}_service" "$metrics" >>"$(logfile "$svc")" 2>&1 </dev/null &
  echo $! >"$(pidfile "$svc")"
}

wait_ready() {
  local svc=$1 deadline=$((SECONDS + READY_DEADLINE)) pid
  pid="$(cat "$(pidfile "$svc")")"
  until ready "$svc"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      tail_log "$(logfile "$svc")"
      die "$svc exited before it was ready (log: $(logfile "$svc"))"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      tail_log "$(logfile "$svc")"
      die "$svc not ready after ${READY_DEADLINE}s (http://127.0.0.1:$(port_of "$svc")/readyz)"
    fi
    sleep 0.2
  done
}

seed() {
  local svc
  for svc in "$@"; do
    "$VENV/bin/python" -m "${svc}_service" seed >>"$(logfile "$svc")" 2>&1 ||
      { tail_log "$(logfile "$svc")"; die "seeding $svc failed"; }
  done
}

start() {
  local svc started=()
  [ -x "$VENV/bin/python" ] || die "no .venv: run 'make install'"
  export_stack_settings
  export_jwks_url
  export_database_tls
  export_kafka_clients
  export_local_secrets
  export_workers
  for svc in "$@"; do
    running "$svc" && continue
    launch "$svc"
    started+=("$svc")
  done
  for svc in "${started[@]}"; do wait_ready "$svc"; done
  # Seeding needs every service answering; auth comes first in ALL_SERVICES order.
  local to_seed=()
  for svc in "${started[@]}"; do
    if [[ " ${SEEDED[*]} " == *" $svc "* ]]; then to_seed+=("$svc"); fi
  done
  if [ "${#to_seed[@]}" -gt 0 ]; then seed "${to_seed[@]}"; fi
}

stop() {
  local svc
  for svc in "$@"; do
    if running "$svc"; then stop_group "$(cat "$(pidfile "$svc")")" 20; fi
    rm -f "$(pidfile "$svc")"
  done
}

# SIGKILLs each service's process group (started in a session of its own, its pid leads it).
kill9() {
  local svc pid
  for svc in "$@"; do
    running "$svc" || die "$svc is not running"
    pid="$(cat "$(pidfile "$svc")")"
    kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid"
    # A zombie has no command line left, so `running` is false once it is dead.
    while running "$svc"; do sleep 0.05; done
    rm -f "$(pidfile "$svc")"
  done
}

status() {
  local svc state
  for svc in "$@"; do
    if ! running "$svc"; then state="down"
    elif ready "$svc"; then state="ready"
    else state="up (not ready)"; fi
    printf '%-10s %-5s http://127.0.0.1:%s\n' "$svc" "$state" "$(port_of "$svc")"
  done
}

# Services named on the command line, kept in the canonical (auth-first) order.
selected() {
  local svc want
  if [ "$#" -eq 0 ]; then echo "${ALL_SERVICES[*]}"; return; fi
  for svc in "${ALL_SERVICES[@]}"; do
    for want in "$@"; do
      if [ "$svc" = "$want" ]; then printf '%s ' "$svc"; break; fi
    done
  done
}

command="${1:-}"
[ "$#" -gt 0 ] && shift
for svc in "$@"; do port_of "$svc" >/dev/null; done
read -r -a services <<<"$(selected "$@")"
case "$command" in
  start) start "${services[@]}" ;;
  stop) stop "${services[@]}" ;;
  restart) stop "${services[@]}"; start "${services[@]}" ;;
  status) status "${services[@]}" ;;
  seed) export_stack_settings; export_database_tls; export_kafka_clients; seed "${services[@]}" ;;
  kill9) [ "$#" -gt 0 ] || die "kill9 kills only the services named"; kill9 "${services[@]}" ;;
  *) die "usage: $0 start|stop|restart|status|seed|kill9 [${ALL_SERVICES[*]}]" ;;
esac
