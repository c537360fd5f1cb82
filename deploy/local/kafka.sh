#!/usr/bin/env bash
# The local Apache Kafka 4.1 broker (KRaft, one combined broker+controller) on 127.0.0.1:9092:
# start|stop|kill9|status|topics. `kill9` crashes it with SIGKILL; `start` recovers from that.
# STACK=test: the test stack's broker (19092, controller 19093, metrics 19404).
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
resolve_run_dir

HOME_DIR="$RUN/kafka"
# The jars and the agent are the same for every stack: assembled once, under the base run dir.
LIBS="$BASE_RUN/kafka/libs"
DATA="$HOME_DIR/data"
PROPS="$HOME_DIR/server.properties"
PIDFILE="$RUN/pids/kafka.pid"
LOG="$RUN/logs/kafka.log"
OUT="$RUN/logs/kafka.out"
POM="$DEPLOY/kafka/pom.xml"
MAIN_CLASS=kafka.Kafka
# Prometheus' JMX exporter, a Java agent from Maven Central, serves the broker's metrics on
# 127.0.0.1:$KAFKA_METRICS_PORT/metrics (common.sh), shaped by deploy/kafka/jmx-exporter.yml.
JMX_EXPORTER_VERSION=1.0.1
JMX_EXPORTER_JAR="$BASE_RUN/kafka/agent/jmx_prometheus_javaagent-$JMX_EXPORTER_VERSION.jar"

java_opts=(-Dlog4j2.configurationFile="$DEPLOY/kafka/log4j2.xml" -Dkafka.logs.dir="$RUN/logs")

# The broker's classpath comes from Maven Central; re-assembled only when the pom changes.
ensure_libs() {
  local stamp="$LIBS/.pom.sha256" want
  want="$(sha256sum "$POM" | cut -d' ' -f1)"
  [ "$(cat "$stamp" 2>/dev/null)" = "$want" ] && return 0
  command -v mvn >/dev/null || die "mvn missing: run 'make install'"
  note "assembling the Kafka classpath with Maven into $LIBS"
  rm -rf "$LIBS"
  mkdir -p "$LIBS"
  mvn -q -B -f "$POM" dependency:copy-dependencies -DoutputDirectory="$LIBS" \
    -DincludeScope=runtime >"$HOME_DIR/mvn.log" 2>&1 ||
    { tail_log "$HOME_DIR/mvn.log"; die "mvn could not fetch the Kafka jars"; }
  echo "$want" >"$stamp"
}

ensure_agent() {
  [ -s "$JMX_EXPORTER_JAR" ] && return 0
  note "fetching the Prometheus JMX exporter agent $JMX_EXPORTER_VERSION with Maven"
  mvn -q -B -f "$POM" dependency:copy \
    -Dartifact="io.prometheus.jmx:jmx_prometheus_javaagent:$JMX_EXPORTER_VERSION" \
    -DoutputDirectory="$(dirname "$JMX_EXPORTER_JAR")" >"$HOME_DIR/mvn-agent.log" 2>&1 ||
    { tail_log "$HOME_DIR/mvn-agent.log"; die "mvn could not fetch the JMX exporter agent"; }
}

storage_tool() {
  java "${java_opts[@]}" -cp "$LIBS/*" kafka.tools.StorageTool "$@"
}

# Formats the log dir once; a cluster id is kept so the same data dir is always accepted.
ensure_formatted() {
  [ -f "$DATA/meta.properties" ] && return 0
  if [ ! -s "$HOME_DIR/cluster.id" ]; then
    storage_tool random-uuid >"$HOME_DIR/cluster.id.tmp" || die "StorageTool random-uuid failed"
    mv "$HOME_DIR/cluster.id.tmp" "$HOME_DIR/cluster.id"
  fi
  storage_tool format -t "$(cat "$HOME_DIR/cluster.id")" -c "$PROPS" >"$HOME_DIR/format.log" 2>&1 ||
    { tail_log "$HOME_DIR/format.log"; die "formatting the Kafka log dir failed"; }
}

running() { pid_alive "$PIDFILE" "$MAIN_CLASS"; }

wait_port() {
  local pid=$1 deadline=$((SECONDS + 60))
  until port_open "$KAFKA_PORT"; do
    kill -0 "$pid" 2>/dev/null || { tail_log "$OUT"; tail_log "$LOG"; die "Kafka exited during start"; }
    [ "$SECONDS" -lt "$deadline" ] || { tail_log "$LOG"; die "Kafka port $KAFKA_PORT not open after 60s"; }
    sleep 0.2
  done
}

# Readiness is the broker answering admin requests: creating the topics (idempotent) proves it.
topics() {
  local deadline=$((SECONDS + 60)) out="$RUN/logs/topics.log"
  if ! "$VENV/bin/python" -c 'import servicekit.topics' 2>/dev/null; then
    note "servicekit.topics not importable yet; topics not created"
    return 0
  fi
  until "$VENV/bin/python" -m servicekit.topics --bootstrap-servers "127.0.0.1:$KAFKA_PORT" \
    --deadline 30 >"$out" 2>&1; do
    [ "$SECONDS" -lt "$deadline" ] || { tail_log "$out"; tail_log "$LOG"; die "creating Kafka topics failed"; }
    sleep 1
  done
}

start() {
  command -v java >/dev/null || die "java missing: run 'make install'"
  mkdir -p "$HOME_DIR" "$DATA"
  ensure_libs
  ensure_agent
  KAFKA_DATA_DIR="$DATA" render "$DEPLOY/kafka/server.properties" "$PROPS" KAFKA_DATA_DIR \
    KAFKA_PORT KAFKA_CONTROLLER_PORT
  if ! running; then
    if port_open "$KAFKA_PORT" || port_open "$KAFKA_CONTROLLER_PORT"; then
      die "port $KAFKA_PORT or $KAFKA_CONTROLLER_PORT is taken by a process that is not our broker"
    fi
    ensure_formatted
    setsid nohup java -Xms512m -Xmx512m -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
      -Djava.awt.headless=true "${java_opts[@]}" \
      -javaagent:"$JMX_EXPORTER_JAR=127.0.0.1:$KAFKA_METRICS_PORT:$DEPLOY/kafka/jmx-exporter.yml" -cp "$LIBS/*" "$MAIN_CLASS" "$PROPS" \
      >"$OUT" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
    wait_port "$!"
  fi
  topics
}

stop() {
  running || { rm -f "$PIDFILE"; return 0; }
  stop_group "$(cat "$PIDFILE")" 30
  rm -f "$PIDFILE"
}

kill9() {
  running || die "Kafka is not running"
  kill -KILL -- "-$(cat "$PIDFILE")" 2>/dev/null || kill -KILL "$(cat "$PIDFILE")"
  while running; do sleep 0.05; done
  rm -f "$PIDFILE"
}

status() {
  if running; then echo "kafka      up    127.0.0.1:$KAFKA_PORT  pid $(cat "$PIDFILE")"
  else echo "kafka      down"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  kill9) kill9 ;;
  status) status ;;
  topics) topics ;;
  *) die "usage: $0 start|stop|kill9|status|topics" ;;
esac
