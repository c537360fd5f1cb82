#!/usr/bin/env bash
# The private PostgreSQL 15 cluster on 127.0.0.1:55432: start|stop|status|psql [args].
# Data in .run/pg/data (owned by postgres), log in .run/logs/postgres.log. Safe to repeat.
# TCP logins need TLS (the local CA's certificate, deploy/local/certs.sh): plain ones are refused.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
resolve_run_dir
tls_files

PGDATA="$RUN/pg/data"
PASSWORD_FILE="$RUN/pg/superuser.password"
LOG="$RUN/logs/postgres.log"

pg_user() { if is_root; then echo postgres; else id -un; fi; }

superuser_psql() {
  PGPASSWORD="$(cat "$PASSWORD_FILE")" PGCONNECT_TIMEOUT=5 PGOPTIONS="-c client_min_messages=warning" \
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U postgres -X -q "$@"
}

init_cluster() {
  local owner
  owner="$(pg_user)"
  id -u "$owner" >/dev/null 2>&1 || die "user '$owner' missing: run 'make install' (apt postgresql-15)"
  mkdir -p "$RUN/pg"
  chown "$owner:" "$RUN/pg"
  chmod 700 "$RUN/pg"
  rm -rf "$PGDATA"
  (umask 077 && head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$PASSWORD_FILE")
  chown "$owner:" "$PASSWORD_FILE"
  as_pg "$PG_BIN/initdb" -D "$PGDATA" -U postgres --pwfile="$PASSWORD_FILE" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 \
    >"$RUN/pg/initdb.log" 2>&1 || { tail_log "$RUN/pg/initdb.log"; die "initdb failed"; }
}

# PostgreSQL reads its certificate and key as its own user and refuses a key others may read:
# copies owned by that user, made on every start so a renewed certificate is taken up.
install_tls() {
  "$DEPLOY/local/certs.sh" ensure
  install -o "$(pg_user)" -m 644 "$TLS_CERT_FILE" "$RUN/pg/server.crt"
  install -o "$(pg_user)" -m 600 "$TLS_KEY_FILE" "$RUN/pg/server.key"
}

# Our settings live in surgery.conf, rewritten on every start so edits here take effect.
write_config() {
  local socket="$RUN/pg/socket" socket_setting archiving
  archiving="$("$DEPLOY/local/backup.sh" archive-settings)"
  mkdir -p "$socket"
  chown "$(pg_user):" "$socket"
  # Unix socket paths are limited to ~107 bytes; deep project paths go TCP-only.
  socket_setting="'$socket'"
  [ "${#socket}" -le 90 ] || socket_setting="''"
  as_pg tee "$PGDATA/surgery.conf" >/dev/null <<CONF
# Written by deploy/local/postgres.sh on every start; edit that script, not this file.
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = $socket_setting
# Every worker keeps up to 2 x DB_POOL_SIZE connections once a burst opened them, plus its
# relay's: 5 services x 2 workers x 21, and the optimizer's LISTENs, are 212; the exporter,
# migrations and the superuser's reserve fit in what is left.
max_connections = 300
shared_buffers = 256MB
password_encryption = 'scram-sha-256'
# Crash-safety tests rely on durable commits.
fsync = on
synchronous_commit = on
full_page_writes = on
timezone = 'UTC'
log_timezone = 'UTC'
log_line_prefix = '%m [%p] %q%u@%d '
log_min_duration_statement = 1000
# No patient data in this log: a slow statement is logged without its parameters, and an
# error without the DETAIL that quotes the row or key it refused.
log_parameter_max_length = 0
log_parameter_max_length_on_error = 0
log_error_verbosity = terse
# TLS for every TCP connection (pg_hba.conf refuses plain ones).
ssl = on
ssl_cert_file = '$RUN/pg/server.crt'
ssl_key_file = '$RUN/pg/server.key'
ssl_min_protocol_version = 'TLSv1.2'
$archiving
CONF
  grep -qx "include 'surgery.conf'" "$PGDATA/postgresql.conf" ||
    echo "include 'surgery.conf'" | as_pg tee -a "$PGDATA/postgresql.conf" >/dev/null
  as_pg tee "$PGDATA/pg_hba.conf" >/dev/null <<HBA
# Written by deploy/local/postgres.sh. Each service role reaches only its own database, and
# only over TLS: a TCP login without it is refused before any password is sent.
# TYPE    DATABASE    USER            ADDRESS         METHOD
local     all         postgres                        scram-sha-256
hostnossl all         all             all             reject
hostnossl replication all             all             reject
hostssl   all         postgres        127.0.0.1/32    scram-sha-256
hostssl   replication postgres        127.0.0.1/32    scram-sha-256
hostssl   auth        auth_svc        127.0.0.1/32    scram-sha-256
hostssl   resources   resources_svc   127.0.0.1/32    scram-sha-256
hostssl   scheduling  scheduling_svc  127.0.0.1/32    scram-sha-256
hostssl   optimizer   optimizer_svc   127.0.0.1/32    scram-sha-256
hostssl   interop     interop_svc     127.0.0.1/32    scram-sha-256
hostssl   kit_test    kit_test        127.0.0.1/32    scram-sha-256
hostssl   postgres    monitoring      127.0.0.1/32    scram-sha-256
HBA
}

# A fresh cluster has no surgery.conf yet: that digest is simply "different".
config_digest() {
  { cat "$PGDATA/surgery.conf" "$PGDATA/pg_hba.conf" "$RUN/pg/server.crt" 2>/dev/null || true; } | sha256sum
}

running() { as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; }

wait_ready() {
  local deadline=$((SECONDS + 60))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d postgres; do
    [ "$SECONDS" -lt "$deadline" ] || { tail_log "$LOG"; die "PostgreSQL not ready after 60s"; }
    sleep 0.1
  done
}

start() {
  [ -x "$PG_BIN/postgres" ] || die "PostgreSQL 15 not installed at $PG_BIN: run 'make install'"
  local before
  if [ ! -s "$PGDATA/PG_VERSION" ] || [ ! -s "$PASSWORD_FILE" ]; then init_cluster; fi
  before="$(config_digest)"
  install_tls
  write_config
  if running; then
    [ "$(config_digest)" = "$before" ] || as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" reload -s >/dev/null
  else
    if port_open "$PG_PORT"; then
      die "port $PG_PORT is taken by another process (not our cluster in $PGDATA)"
    fi
    touch "$LOG"
    chown "$(pg_user):" "$LOG"
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$LOG" -w -t 60 -s start >/dev/null ||
      { tail_log "$LOG"; die "PostgreSQL did not start"; }
  fi
  wait_ready
  superuser_psql -d postgres -f "$DEPLOY/docker/postgres-init.sql" >/dev/null ||
    die "provisioning roles and databases failed"
}

stop() {
  [ -s "$PGDATA/PG_VERSION" ] || return 0
  running || return 0
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" stop -m fast -w -t 60 -s ||
    die "PostgreSQL did not stop within 60s"
}

status() {
  if running; then echo "postgres   up    127.0.0.1:$PG_PORT  data $PGDATA"
  else echo "postgres   down"; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  psql) shift; superuser_psql "$@" ;;
  *) die "usage: $0 start|stop|status|psql [psql args]" ;;
esac
