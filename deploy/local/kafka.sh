#!/usr/bin/env bash
# The local Apache Kafka 4.1 broker (KRaft, one combined broker+controller) on 127.0.0.1:9092:
# start|stop|kill9|status|topics. `kill9` crashes it with SIGKILL; `start` recovers from that.
# STACK=test: the test stack's broker (19092, controller 19093, metrics 19404).
# Its one client listener is SASL_SSL: TLS with the certificate of deploy/local/certs.sh, and a
# SCRAM-SHA-512 user each for the admin and every service (deploy/local/kafka-users.sh); ACLs
# allow each service only its own topics (python -m servicekit.kafka_access). `start` brings a
# log dir made before any of that (plaintext, no users) up to it: users, topics and ACLs are
# made, idempotently, on every start.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=deploy/local/kafka-users.sh
. "$(dirname "$0")/kafka-users.sh"
resolve_run_dir
tls_files

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
KAFKA_KEYSTORE="$HOME_DIR/keystore.p12"
# The keystore only repackages the server key (mode 600, like the key itself) for the JVM.
KAFKA_KEYSTORE_PASSWORD=dev-only-kafka-keystore
KAFKA_ADMIN_PASSWORD="$(kafka_password "$KAFKA_ADMIN_USER")"
# The admin's PLAIN sign-in over TLS, for kafka-configs on a running node.
ADMIN_CLIENT="$HOME_DIR/admin-client.properties"
# Which users (and passwords) the cluster's metadata holds; kept in the log dir, so a fresh
# format starts without it.
USERS_STAMP="$DATA/.scram-users"

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

config_tool() {
  java "${java_opts[@]}" -cp "$LIBS/*" kafka.admin.ConfigCommand "$@"
}

# The PKCS12 keystore of the server certificate and key, remade when either changes.
ensure_keystore() {
  if [ -s "$KAFKA_KEYSTORE" ] && [ "$KAFKA_KEYSTORE" -nt "$TLS_CERT_FILE" ] &&
    [ "$KAFKA_KEYSTORE" -nt "$TLS_KEY_FILE" ]; then
    return 0
  fi
  (
    umask 077
    openssl pkcs12 -export -in "$TLS_CERT_FILE" -inkey "$TLS_KEY_FILE" -name kafka \
      -passout "pass:$KAFKA_KEYSTORE_PASSWORD" -out "$KAFKA_KEYSTORE.tmp"
  ) || die "making the Kafka keystore from $TLS_CERT_FILE failed"
  mv "$KAFKA_KEYSTORE.tmp" "$KAFKA_KEYSTORE"
}

# The users (name and password) this stack's broker must hold, one a line.
users_wanted() {
  local user
  for user in "${KAFKA_USERS[@]}"; do printf '%s %s\n' "$user" "$(kafka_password "$user")"; done |
    sha256sum | cut -d' ' -f1
}

scram_config() { printf 'SCRAM-SHA-512=[iterations=8192,password=%s]' "$(kafka_password "$1")"; }

# Writes the broker's configuration and the admin client's: both hold the admin's password.
render_config() {
  (
    umask 077
    KAFKA_DATA_DIR="$DATA" render "$DEPLOY/kafka/server.properties" "$PROPS" KAFKA_DATA_DIR \
      KAFKA_PORT KAFKA_CONTROLLER_PORT KAFKA_KEYSTORE KAFKA_KEYSTORE_PASSWORD TLS_CA_FILE \
      KAFKA_ADMIN_PASSWORD
    printf '%s\n' "security.protocol=SASL_SSL" "sasl.mechanism=PLAIN" \
      "ssl.truststore.type=PEM" "ssl.truststore.location=$TLS_CA_FILE" \
      "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"$KAFKA_ADMIN_USER\" password=\"$KAFKA_ADMIN_PASSWORD\";" \
      >"$ADMIN_CLIENT"
  )
  chmod 600 "$PROPS" "$ADMIN_CLIENT"
}

# A log dir formatted before the broker had users (or with other passwords) gets them from the
# running node, from the admin (PLAIN: its SCRAM user may not exist yet).
ensure_users() {
  local want user
  want="$(users_wanted)"
  [ "$(cat "$USERS_STAMP" 2>/dev/null)" = "$want" ] && return 0
  note "creating the Kafka users ${KAFKA_USERS[*]}"
  for user in "${KAFKA_USERS[@]}"; do
    config_tool --bootstrap-server "127.0.0.1:$KAFKA_PORT" \
      --command-config "$ADMIN_CLIENT" --alter --entity-type users --entity-name "$user" \
      --add-config "$(scram_config "$user")" >"$HOME_DIR/users.log" 2>&1 ||
      { tail_log "$HOME_DIR/users.log"; die "creating the Kafka user $user failed"; }
  done
  echo "$want" >"$USERS_STAMP"
}

# Formats the log dir once; a cluster id is kept so the same data dir is always accepted.
ensure_formatted() {
  [ -f "$DATA/meta.properties" ] && return 0
  if [ ! -s "$HOME_DIR/cluster.id" ]; then
    storage_tool random-uuid >"$HOME_DIR/cluster.id.tmp" || die "StorageTool random-uuid failed"
    mv "$HOME_DIR/cluster.id.tmp" "$HOME_DIR/cluster.id"
  fi
  local scram=() user
  for user in "${KAFKA_USERS[@]}"; do
    scram+=(--add-scram "$(scram_config "$user" | sed "s/=\[/=[name=$user,/")")
  done
  storage_tool format -t "$(cat "$HOME_DIR/cluster.id")" -c "$PROPS" "${scram[@]}" \
    >"$HOME_DIR/format.log" 2>&1 ||
    { tail_log "$HOME_DIR/format.log"; die "formatting the Kafka log dir failed"; }
  users_wanted >"$USERS_STAMP"
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

# Readiness is the broker answering the admin over SASL_SSL: creating the topics (idempotent)
# proves it. Then the services' ACLs are made what the contracts derive (idempotent too).
topics() {
  local deadline=$((SECONDS + 60)) out="$RUN/logs/topics.log" module
  if ! "$VENV/bin/python" -c 'import servicekit.kafka_access' 2>/dev/null; then
    note "servicekit is not importable yet; topics and ACLs not made"
    return 0
  fi
  export_kafka_client "" "$KAFKA_ADMIN_USER"
  for module in servicekit.topics servicekit.kafka_access; do
    until "$VENV/bin/python" -m "$module" --deadline 30 >"$out" 2>&1; do
      [ "$SECONDS" -lt "$deadline" ] ||
        { tail_log "$out"; tail_log "$LOG"; die "python -m $module failed"; }
      sleep 1
    done
  done
}

start() {
  command -v java >/dev/null || die "java missing: run 'make install'"
  mkdir -p "$HOME_DIR" "$DATA"
  ensure_libs
  ensure_agent
  "$DEPLOY/local/certs.sh" ensure
  ensure_keystore
  render_config
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
  ensure_users
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
  if running; then echo "kafka      up    127.0.0.1:$KAFKA_PORT (SASL_SSL)  pid $(cat "$PIDFILE")"
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
