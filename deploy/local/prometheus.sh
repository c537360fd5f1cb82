#!/usr/bin/env bash
# Monitoring for the local stack: start|stop|status|reload.
#   Prometheus     127.0.0.1:9090  deploy/prometheus/prometheus.yml and its rule files, as they are
#   Alertmanager   127.0.0.1:9094  deploy/prometheus/alertmanager.yml; no cluster listener
#   exporters      PostgreSQL 127.0.0.1:9187, nginx 127.0.0.1:9113, disks 127.0.0.1:9110
# (the broker's metrics come from the JMX agent in its JVM, 127.0.0.1:9404: deploy/local/kafka.sh).
# Debian's packages (make install) provide the binaries; their system services are never used:
# data lives in .run/prometheus and .run/alertmanager, logs in .run/logs. STACK=test moves every
# port (common.sh): prometheus.yml is rendered with the stack's ports into .run/prometheus-config.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
resolve_run_dir

STUB_STATUS_URL="http://127.0.0.1:$GATEWAY_STATUS_PORT/stub_status"
CONF_DIR="$DEPLOY/prometheus"
# prometheus.yml names the local stack's ports; the copy Prometheus reads names this stack's.
PROM_CONF="$RUN/prometheus-config/prometheus.yml"
# Over TLS, the server's certificate checked against the local CA (PostgreSQL refuses plain TCP).
tls_files
PG_MONITOR_DSN="postgresql://monitoring:dev-only-monitoring-db-password@127.0.0.1:$PG_PORT/postgres?sslmode=verify-full&sslrootcert=$TLS_CA_FILE"

# name, then the command; the pid file is .run/pids/<name>.pid, the log .run/logs/<name>.log.
NAMES=(node-exporter postgres-exporter nginx-exporter alertmanager prometheus)

command_of() {
  case "$1" in
    prometheus)
      echo prometheus --config.file="$PROM_CONF" \
        --storage.tsdb.path="$RUN/prometheus" --storage.tsdb.retention.time=15d \
        --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle
      ;;
    alertmanager)
      echo prometheus-alertmanager --config.file="$CONF_DIR/alertmanager.yml" \
        --storage.path="$RUN/alertmanager" --web.listen-address="127.0.0.1:$ALERTMANAGER_PORT" \
        --cluster.listen-address=
      ;;
    postgres-exporter)
      echo prometheus-postgres-exporter --web.listen-address="127.0.0.1:$PG_EXPORTER_PORT"
      ;;
    nginx-exporter)
      echo prometheus-nginx-exporter -nginx.scrape-uri="$STUB_STATUS_URL" \
        -web.listen-address="127.0.0.1:$NGINX_EXPORTER_PORT"
      ;;
    node-exporter)
      echo prometheus-node-exporter --web.listen-address="127.0.0.1:$NODE_EXPORTER_PORT" \
        --collector.disable-defaults --collector.filesystem
      ;;
  esac
}

port_of() {
  case "$1" in
    prometheus) echo "$PROM_PORT" ;;
    alertmanager) echo "$ALERTMANAGER_PORT" ;;
    postgres-exporter) echo "$PG_EXPORTER_PORT" ;;
    nginx-exporter) echo "$NGINX_EXPORTER_PORT" ;;
    node-exporter) echo "$NODE_EXPORTER_PORT" ;;
  esac
}

pidfile() { echo "$RUN/pids/$1.pid"; }

running() {
  local binary
  read -r binary _ <<<"$(command_of "$1")"
  pid_alive "$(pidfile "$1")" "$binary"
}

wait_ready() {
  local name=$1 pid=$2 port deadline=$((SECONDS + 30)) path=/metrics
  port="$(port_of "$name")"
  case "$name" in prometheus | alertmanager) path=/-/ready ;; esac
  until curl -fsS -o /dev/null "http://127.0.0.1:$port$path" 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { tail_log "$RUN/logs/$name.log"; die "$name exited during start"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail_log "$RUN/logs/$name.log"; die "$name not ready after 30s"; }
    sleep 0.2
  done
}

# The local stack's port of each target, and this stack's; the rule files by absolute path.
render_config() {
  local from to script=()
  while read -r from to; do
    script+=(-e "s/127\.0\.0\.1:$from\b/127.0.0.1:$to/g")
  done <<PORTS
8001 $AUTH_PORT
8002 $RESOURCES_PORT
8003 $SCHEDULING_PORT
8004 $OPTIMIZER_PORT
8005 $INTEROP_PORT
9404 $KAFKA_METRICS_PORT
9187 $PG_EXPORTER_PORT
9113 $NGINX_EXPORTER_PORT
9110 $NODE_EXPORTER_PORT
9090 $PROM_PORT
9094 $ALERTMANAGER_PORT
PORTS
  script+=(-e "s#^\(  - \)\([a-z]*\.rules\.yml\)\$#\1$CONF_DIR/\2#")
  mkdir -p "$(dirname "$PROM_CONF")"
  sed "${script[@]}" "$CONF_DIR/prometheus.yml" >"$PROM_CONF.tmp"
  mv "$PROM_CONF.tmp" "$PROM_CONF"
}

check_configs() {
  local out
  render_config
  out="$(promtool check config --lint=none "$PROM_CONF" 2>&1)" ||
    { printf '%s\n' "$out" >&2; die "promtool rejected deploy/prometheus"; }
  out="$(amtool check-config "$CONF_DIR/alertmanager.yml" 2>&1)" ||
    { printf '%s\n' "$out" >&2; die "amtool rejected deploy/prometheus/alertmanager.yml"; }
}

start_one() {
  local name=$1 port cmd
  running "$name" && return 0
  port="$(port_of "$name")"
  port_open "$port" && die "port $port is taken by a process that is not our $name"
  read -r -a cmd <<<"$(command_of "$name")"
  mkdir -p "$RUN/prometheus" "$RUN/alertmanager"
  # The postgres exporter reads its connection string from the environment only.
  DATA_SOURCE_NAME="$PG_MONITOR_DSN" setsid nohup "${cmd[@]}" \
    >"$RUN/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$(pidfile "$name")"
  wait_ready "$name" "$!"
}

start() {
  local name
  for name in prometheus promtool prometheus-alertmanager amtool prometheus-postgres-exporter \
    prometheus-nginx-exporter prometheus-node-exporter; do
    command -v "$name" >/dev/null || die "$name missing: run 'make install'"
  done
  check_configs
  for name in "${NAMES[@]}"; do start_one "$name"; done
  # A running Prometheus or Alertmanager reads changed rules and config again.
  reload
}

reload() {
  running prometheus && curl -fsS -X POST "http://127.0.0.1:$PROM_PORT/-/reload" >/dev/null
  running alertmanager && curl -fsS -X POST "http://127.0.0.1:$ALERTMANAGER_PORT/-/reload" >/dev/null
  return 0
}

stop() {
  local i name
  for ((i = ${#NAMES[@]} - 1; i >= 0; i--)); do
    name="${NAMES[i]}"
    if running "$name"; then stop_group "$(cat "$(pidfile "$name")")" 20; fi
    rm -f "$(pidfile "$name")"
  done
}

status() {
  local name
  for name in "${NAMES[@]}"; do
    if running "$name"; then
      printf '%-18s up    http://127.0.0.1:%s  pid %s\n' "$name" "$(port_of "$name")" \
        "$(cat "$(pidfile "$name")")"
    else
      printf '%-18s down\n' "$name"
    fi
  done
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  reload) render_config; reload ;;
  *) die "usage: $0 start|stop|status|reload" ;;
esac
