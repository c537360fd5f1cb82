#!/usr/bin/env bash
# Backups of the PostgreSQL cluster that restore: backup|list|prune|restore <name>|archive-settings.
#
# A backup is the whole cluster (every service's database) taken by pg_basebackup as compressed
# tar with the WAL it needs, plus the WAL that PostgreSQL archives continuously after it, so a
# restore can stop at any moment between the backup and the last archived segment
# (RESTORE_TARGET_TIME). Under BACKUP_DIR (default .run/backups): one folder per backup, named
# by its UTC start time (20261202T170000Z: base.tar.gz, pg_wal.tar.gz, PostgreSQL's
# backup_manifest, SHA256SUMS and our manifest.json), and wal/, the archive. See deploy/README.md.
#
# Settings: BACKUP_DIR, BACKUP_KEEP_DAYS (7), BACKUP_KEEP_COUNT (none), BACKUP_GZIP_LEVEL (6),
# RESTORE_TARGET_TIME ("2026-12-02 17:00:00+00"), RESTORE_TIMEOUT_SECONDS (3600). Another
# cluster than the stack's own (the restore drill's scratch cluster): BACKUP_PG_DATA,
# BACKUP_PG_PORT, BACKUP_PASSWORD_FILE, RESTORE_LOG. libpq's PGSSLMODE and PGSSLROOTCERT apply.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
resolve_run_dir

PGDATA="${BACKUP_PG_DATA:-$RUN/pg/data}"
PORT="${BACKUP_PG_PORT:-$PG_PORT}"
PASSWORD_FILE="${BACKUP_PASSWORD_FILE:-$RUN/pg/superuser.password}"
BACKUP_DIR="$(realpath -m "${BACKUP_DIR:-$RUN/backups}")"
WAL_DIR="$BACKUP_DIR/wal"
KEEP_DAYS="${BACKUP_KEEP_DAYS:-7}"
KEEP_COUNT="${BACKUP_KEEP_COUNT:-}"
GZIP_LEVEL="${BACKUP_GZIP_LEVEL:-6}"
RESTORE_LOG="${RESTORE_LOG:-$RUN/logs/postgres-restore.log}"
NAME_PATTERN='^[0-9]{8}T[0-9]{6}Z$'

# The folder is written into archive_command and restore_command, inside shell double quotes.
case "$BACKUP_DIR" in
  *[\"\'\$\`\\%]* | *[[:space:]]*) die "BACKUP_DIR must not hold quotes, \$, \`, \\, % or spaces: $BACKUP_DIR" ;;
esac
[[ $KEEP_DAYS =~ ^[0-9]+$ ]] || die "BACKUP_KEEP_DAYS must be a whole number of days: $KEEP_DAYS"
[[ $GZIP_LEVEL =~ ^[1-9]$ ]] || die "BACKUP_GZIP_LEVEL must be 1 (fastest) to 9 (smallest): $GZIP_LEVEL"
[[ -z $KEEP_COUNT || $KEEP_COUNT =~ ^[1-9][0-9]*$ ]] ||
  die "BACKUP_KEEP_COUNT must be a number of backups, 1 or more: $KEEP_COUNT"

# The lines postgres.sh writes into the cluster's configuration. A segment is copied under a
# temporary name, flushed and renamed, so wal/ never holds half a segment; one archived before
# with the same content counts as done (a retry after a crash). Nothing is archived while wal/
# does not exist: WAL is only of use after a base backup, and the first `backup` creates it.
archive_settings() {
  cat <<CONF
# WAL archiving for point-in-time recovery (deploy/local/backup.sh): into $WAL_DIR once
# that folder exists (the first backup makes it). A forced segment switch every 5 minutes
# bounds what a lost disk can take with it.
archive_mode = on
archive_timeout = 300
archive_command = '$(archive_command)'
CONF
}

archive_command() {
  printf '%s' "[ -d \"$WAL_DIR\" ] || exit 0; if [ -f \"$WAL_DIR/%f\" ]; then cmp -s \"%p\" \"$WAL_DIR/%f\"; else cp \"%p\" \"$WAL_DIR/%f.part\" && sync \"$WAL_DIR/%f.part\" && mv \"$WAL_DIR/%f.part\" \"$WAL_DIR/%f\"; fi"
}

pg_owner() { if is_root; then echo postgres; else id -un; fi; }

superuser_psql() {
  [ -s "$PASSWORD_FILE" ] || die "no superuser password in $PASSWORD_FILE"
  PGPASSWORD="$(cat "$PASSWORD_FILE")" PGCONNECT_TIMEOUT=5 "$PG_BIN/psql" -h 127.0.0.1 \
    -p "$PORT" -U postgres -d postgres -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

# One backup at a time, and no prune or restore beside it.
take_lock() {
  ensure_dirs
  exec 9>"$BACKUP_DIR/.lock"
  flock -n 9 || die "another backup, prune or restore is running on $BACKUP_DIR"
}

ensure_dirs() {
  local dir
  for dir in "$BACKUP_DIR" "$WAL_DIR"; do
    if [ ! -d "$dir" ]; then
      mkdir -p "$dir"
      chown "$(pg_owner):" "$dir"
      chmod 700 "$dir"
    fi
  done
}

# The complete backups, oldest first: a folder still being written ends in .partial.
backups() {
  local dir name
  for dir in "$BACKUP_DIR"/*/; do
    [ -d "$dir" ] || continue
    name="$(basename "$dir")"
    [[ $name =~ $NAME_PATTERN ]] && [ -s "$dir/manifest.json" ] && echo "$name"
  done
  return 0
}

epoch_of() {
  local n=$1
  date -u -d "${n:0:4}-${n:4:2}-${n:6:2}T${n:9:2}:${n:11:2}:${n:13:2}Z" +%s
}

manifest_field() {
  "$VENV/bin/python" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
    "$BACKUP_DIR/$1/manifest.json" "$2"
}

backup() {
  local name started dir archiving=true system_id version label
  port_open "$PORT" || die "PostgreSQL is not running on 127.0.0.1:$PORT: start it first (make up)"
  take_lock
  system_id="$(superuser_psql -c 'SELECT system_identifier FROM pg_control_system()')"
  if [ -s "$WAL_DIR/SYSTEM_IDENTIFIER" ] && [ "$(cat "$WAL_DIR/SYSTEM_IDENTIFIER")" != "$system_id" ]; then
    die "$WAL_DIR archives the cluster $(cat "$WAL_DIR/SYSTEM_IDENTIFIER"), not this one ($system_id): give this cluster a BACKUP_DIR of its own"
  fi
  echo "$system_id" >"$WAL_DIR/SYSTEM_IDENTIFIER"
  if [ "$(superuser_psql -c 'SHOW archive_mode')" != on ] ||
    [ "$(superuser_psql -c 'SHOW archive_command')" != "$(archive_command)" ]; then
    archiving=false
    note "warning: PostgreSQL does not archive WAL into $WAL_DIR yet; this backup restores only to its own end (no point in time after it). Start PostgreSQL with this BACKUP_DIR (deploy/local/postgres.sh stop, then make up; a restart is needed once, to turn archive_mode on)."
  fi
  started="$(date -u +%Y-%m-%dT%H:%M:%SZ)"
  name="$(date -u -d "$started" +%Y%m%dT%H%M%SZ)"
  dir="$BACKUP_DIR/$name"
  [ ! -e "$dir" ] || die "a backup named $name exists already"
  rm -rf "$dir.partial"
  label="surgery-scheduling $name"
  # Fast checkpoint: the backup starts now rather than at the next scheduled checkpoint.
  PGPASSWORD="$(cat "$PASSWORD_FILE")" as_pg "$PG_BIN/pg_basebackup" -h 127.0.0.1 -p "$PORT" \
    -U postgres -D "$dir.partial" --format=tar --compress="client-gzip:$GZIP_LEVEL" --wal-method=stream \
    --checkpoint=fast --label="$label" --no-password ||
    { as_pg rm -rf "$dir.partial"; die "pg_basebackup failed"; }
  version="$(superuser_psql -c 'SHOW server_version')"
  write_manifest "$dir.partial" "$name" "$started" "$version" "$system_id" "$archiving"
  as_pg mv "$dir.partial" "$dir"
  echo "backup $name: $(du -sh "$dir" | cut -f1) in $dir"
  prune_locked
}

# manifest.json (what, when, size, checksums, server version, where its WAL starts) and SHA256SUMS.
write_manifest() {
  local dir=$1 name=$2 started=$3 version=$4 system_id=$5 archiving=$6 label databases
  label="$(tar -xzOf "$dir/base.tar.gz" backup_label)"
  databases="$(superuser_psql -F ' ' -c \
    'SELECT datname, pg_database_size(oid) FROM pg_database WHERE datallowconn ORDER BY 1')"
  (cd "$dir" && sha256sum base.tar.gz pg_wal.tar.gz backup_manifest) | as_pg tee "$dir/SHA256SUMS" >/dev/null
  "$VENV/bin/python" - "$dir" "$name" "$started" "$version" "$system_id" "$archiving" \
    "$label" "$databases" <<'PY' | as_pg tee "$dir/manifest.json" >/dev/null
import datetime, json, os, re, sys

folder, name, started, version, system_id, archiving, label, databases = sys.argv[1:]
start = re.search(r"START WAL LOCATION: (\S+) \(file (\w+)\)", label)
files = []
for line in open(os.path.join(folder, "SHA256SUMS")):
    digest, file = line.split()
    files.append({"name": file, "bytes": os.path.getsize(os.path.join(folder, file)), "sha256": digest})
print(json.dumps({
    "name": name,
    "what": "the whole PostgreSQL cluster: pg_basebackup, tar.gz, WAL streamed into pg_wal.tar.gz",
    "started_at": started,
    "finished_at": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
    "server_version": version,
    "system_identifier": system_id,
    "start_lsn": start.group(1),
    "start_wal_file": start.group(2),
    "point_in_time_recovery": archiving == "true",
    "databases": {db: int(size) for db, size in (row.split() for row in databases.splitlines())},
    "files": files,
    "bytes": sum(f["bytes"] for f in files),
}, indent=2))
PY
}

list() {
  local name
  [ -d "$BACKUP_DIR" ] || { echo "no backups in $BACKUP_DIR"; return 0; }
  printf '%-18s %-20s %10s  %-8s %s\n' backup finished size server pitr
  for name in $(backups); do
    "$VENV/bin/python" - "$BACKUP_DIR/$name/manifest.json" <<'PY'
import json, sys

m = json.load(open(sys.argv[1]))
pitr = "yes" if m["point_in_time_recovery"] else "no"
print(f"{m['name']:<18} {m['finished_at']:<20} {m['bytes'] / 2**20:8.1f}MB  "
      f"{m['server_version'].split()[0]:<8} {pitr}")
PY
  done
  if [ -d "$WAL_DIR" ]; then
    echo "wal/: $(find "$WAL_DIR" -maxdepth 1 -regextype egrep -regex '.*/[0-9A-F]{24}' | wc -l) segments, $(du -sh "$WAL_DIR" | cut -f1), newest $(find "$WAL_DIR" -maxdepth 1 -regextype egrep -regex '.*/[0-9A-F]{24}' -printf '%f\n' | sort | tail -n 1)"
  fi
}

prune() {
  [ -d "$BACKUP_DIR" ] || return 0
  take_lock
  prune_locked
}

# Deletes the backups older than BACKUP_KEEP_DAYS and those beyond the BACKUP_KEEP_COUNT newest,
# never the newest one, then the archived WAL that no kept backup needs. Under the lock, a
# .partial folder is what a failed backup left.
prune_locked() {
  local all=() name now index
  mapfile -t all < <(backups)
  now="$(date -u +%s)"
  for index in "${!all[@]}"; do
    name="${all[$index]}"
    [ "$index" -lt $((${#all[@]} - 1)) ] || break
    if [ $((now - $(epoch_of "$name"))) -gt $((KEEP_DAYS * 86400)) ] ||
      { [ -n "$KEEP_COUNT" ] && [ "$index" -lt $((${#all[@]} - KEEP_COUNT)) ]; }; then
      rm -rf "${BACKUP_DIR:?}/$name"
      note "pruned backup $name"
    fi
  done
  find "$BACKUP_DIR" -mindepth 1 -maxdepth 1 -type d -name '*.partial' -exec rm -rf {} +
  mapfile -t all < <(backups)
  [ "${#all[@]}" -gt 0 ] || return 0
  as_pg "$PG_BIN/pg_archivecleanup" "$WAL_DIR" "$(manifest_field "${all[0]}" start_wal_file)"
}

# "2026-12-02 17:00:00+00": a date, a time and an explicit zone; PostgreSQL reads the rest.
valid_target_time() {
  [[ $1 =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}[\ T][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]{1,6})?)?\ ?(Z|UTC|[+-][0-9]{2}(:?[0-9]{2})?)$ ]] &&
    date -u -d "$1" +%s >/dev/null 2>&1
}

# The backup to restore: a name, or `latest` (the newest one that finished before the target).
chosen_backup() {
  local wanted=$1 target_epoch=$2 name found=""
  if [ "$wanted" != latest ]; then
    [ -s "$BACKUP_DIR/$wanted/manifest.json" ] || die "there is no backup $wanted in $BACKUP_DIR"
    echo "$wanted"
    return 0
  fi
  for name in $(backups); do
    [ -z "$target_epoch" ] || [ "$(date -u -d "$(manifest_field "$name" finished_at)" +%s)" -le "$target_epoch" ] ||
      continue
    found="$name"
  done
  [ -n "$found" ] || die "no backup in $BACKUP_DIR${target_epoch:+ finished before RESTORE_TARGET_TIME}"
  echo "$found"
}

server_running() {
  { [ -f "$PGDATA/postmaster.pid" ] && as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1; } ||
    port_open "$PORT"
}

restore() {
  local wanted=${1:-} target="${RESTORE_TARGET_TIME:-}" target_epoch="" name source aside="" socket
  [ -n "$wanted" ] || die "name the backup: make restore BACKUP=<name>|latest (deploy/local/backup.sh list shows them)"
  [[ $wanted == latest || $wanted =~ $NAME_PATTERN ]] ||
    die "BACKUP must be a backup's name (deploy/local/backup.sh list) or latest: '$wanted'"
  if [ -n "$target" ]; then
    valid_target_time "$target" ||
      die "RESTORE_TARGET_TIME must be a date, a time and a zone, like '2026-12-02 17:00:00+00': '$target'"
    target_epoch="$(date -u -d "$target" +%s)"
  fi
  ! server_running || die "PostgreSQL is running on 127.0.0.1:$PORT (data $PGDATA): stop the stack first (make down)"
  take_lock
  name="$(chosen_backup "$wanted" "$target_epoch")"
  source="$BACKUP_DIR/$name"
  if [ -n "$target_epoch" ] && [ "$target_epoch" -lt "$(date -u -d "$(manifest_field "$name" finished_at)" +%s)" ]; then
    die "backup $name finished at $(manifest_field "$name" finished_at), after RESTORE_TARGET_TIME: choose an older one"
  fi
  (cd "$source" && sha256sum --check --quiet SHA256SUMS) || die "backup $name does not match its checksums"
  if [ -e "$PGDATA" ]; then
    aside="$PGDATA.before-restore-$(date -u +%Y%m%dT%H%M%SZ)"
    while [ -e "$aside" ]; do aside+="+"; done  # two restores in one second
    mv "$PGDATA" "$aside"
    note "the data that was in $PGDATA is now in $aside (delete it when the restore is proven)"
  fi
  as_pg mkdir -m 700 "$PGDATA"
  as_pg tar -xzf "$source/base.tar.gz" -C "$PGDATA"
  as_pg tar -xzf "$source/pg_wal.tar.gz" -C "$PGDATA/pg_wal"
  as_pg "$PG_BIN/pg_verifybackup" --quiet --manifest-path="$source/backup_manifest" "$PGDATA" ||
    die "the restored files do not match backup $name's manifest"
  [ -z "$aside" ] || salvage_wal "$aside" "$(manifest_field "$name" system_identifier)"
  socket="$(as_pg mktemp -d /tmp/surgery-restore.XXXXXX)"
  recover "$socket" "$target"
  as_pg rm -rf "$socket"
  echo "restored backup $name${target:+ up to $target} into $PGDATA; start the stack with make up"
}

# The WAL the replaced cluster wrote after its last archived segment (up to 5 minutes of it) is
# still in its pg_wal when its disk survived: recovery replays it too, so nothing is lost. Only
# from the same cluster, and never over a segment the archive holds whole.
salvage_wal() {
  local old=$1 system_id=$2 file name copied=0
  [ -d "$old/pg_wal" ] || return 0
  [ "$(as_pg "$PG_BIN/pg_controldata" "$old" 2>/dev/null | sed -n 's/^Database system identifier: *//p')" = "$system_id" ] ||
    { note "$old is another cluster: none of its WAL is replayed"; return 0; }
  for file in "$old"/pg_wal/*; do
    name="$(basename "$file")"
    [[ $name =~ ^[0-9A-F]{24}$|^[0-9A-F]{8}\.history$ ]] || continue
    [ ! -f "$WAL_DIR/$name" ] || continue
    as_pg cp "$file" "$PGDATA/pg_wal/$name"
    copied=$((copied + 1))
  done
  note "$copied WAL files not archived yet are taken from $old/pg_wal"
}

# Replays the archived WAL on a server that no client can reach (no TCP; a socket in a private
# folder) until it is promoted, then gives the superuser today's password and stops it.
recover() {
  local socket=$1 target=$2 options deadline state password
  echo "local all all trust" | as_pg tee "$socket/pg_hba.conf" >/dev/null
  as_pg touch "$PGDATA/recovery.signal"
  # No TCP, so no TLS (its certificate may not be on this machine yet); the promoted server
  # archives into today's BACKUP_DIR, wherever the backup's configuration pointed.
  options="-c listen_addresses='' -c ssl=off -c unix_socket_directories='$socket'"
  options+=" -c hba_file='$socket/pg_hba.conf' -c archive_command='$(archive_command)'"
  options+=" -c restore_command='cp \"$WAL_DIR/%f\" \"%p\"' -c recovery_target_action=promote"
  [ -z "$target" ] || options+=" -c recovery_target_time='$target'"
  mkdir -p "$(dirname "$RESTORE_LOG")"
  : >"$RESTORE_LOG"
  chown "$(pg_owner):" "$RESTORE_LOG"
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" -l "$RESTORE_LOG" -o "$options" -W -s start >/dev/null
  deadline=$((SECONDS + ${RESTORE_TIMEOUT_SECONDS:-3600}))
  while :; do
    state="$(as_pg "$PG_BIN/psql" -h "$socket" -p "$PORT" -U postgres -d postgres -X -A -t \
      -c 'SELECT pg_is_in_recovery()' 2>/dev/null || true)"
    [ "$state" != f ] || break
    as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" status >/dev/null 2>&1 ||
      { tail_log "$RESTORE_LOG"; die "recovery stopped (its log is above and in $RESTORE_LOG)"; }
    [ "$SECONDS" -lt "$deadline" ] ||
      { as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" stop -m fast -s || true; die "recovery did not finish in time"; }
    sleep 0.2
  done
  # A machine restored onto may have no password file yet: postgres.sh would take the cluster
  # for a half-made one and initialise it anew, so one is made here, as postgres.sh does.
  if [ ! -s "$PASSWORD_FILE" ]; then
    (umask 077 && head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$PASSWORD_FILE")
    chown "$(pg_owner):" "$PASSWORD_FILE"
  fi
  password="$(cat "$PASSWORD_FILE")"
  printf "ALTER ROLE postgres PASSWORD '%s';\n" "${password//\'/\'\'}" |
    as_pg "$PG_BIN/psql" -h "$socket" -p "$PORT" -U postgres -d postgres -X -q -v ON_ERROR_STOP=1 >/dev/null
  as_pg "$PG_BIN/pg_ctl" -D "$PGDATA" stop -m fast -w -t 60 -s
}

case "${1:-}" in
  backup) backup ;;
  list) list ;;
  prune) prune ;;
  restore) restore "${2:-}" ;;
  archive-settings) archive_settings ;;
  *) die "usage: $0 backup|list|prune|restore <name>|latest|archive-settings" ;;
esac
