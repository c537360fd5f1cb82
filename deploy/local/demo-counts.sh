#!/usr/bin/env bash
# Prints the demo hospital's counts of a running stack on one line (rooms, staff, equipment
# units, cases, users), read as each service's own database role; fails when PostgreSQL does
# not answer. `make test` compares the user's stack's counts before and after its run.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"

count() {
  local db=$1 table=$2
  PGPASSWORD="dev-only-$db-db-password" PGCONNECT_TIMEOUT=5 \
    "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U "${db}_svc" -d "$db" -X -q -A -t \
    -c "SELECT count(*) FROM $table"
}

port_open "$PG_PORT" || die "no PostgreSQL on 127.0.0.1:$PG_PORT"
rooms="$(count resources operating_rooms)"
staff="$(count resources staff_members)"
units="$(count resources equipment_units)"
cases="$(count scheduling surgery_requests)"
users="$(count auth users)"
printf 'rooms=%s staff=%s equipment_units=%s cases=%s users=%s\n' \
  "$rooms" "$staff" "$units" "$cases" "$users"
