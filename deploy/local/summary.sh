#!/usr/bin/env bash
# Prints where the running local stack answers and how to sign in.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"

gateway="http://127.0.0.1:$GATEWAY_PORT"
cat <<TEXT

Surgery scheduling platform is up.
  gateway          $gateway
TEXT
for svc in auth resources scheduling optimizer; do
  printf '  %-16s %s/api/%s/openapi.json  (docs: %s/api/%s/docs)\n' "$svc API" "$gateway" "$svc" "$gateway" "$svc"
done
cat <<TEXT
  Kafka            127.0.0.1:$KAFKA_PORT
  PostgreSQL       127.0.0.1:$PG_PORT (one database and role per service)
  Prometheus       http://127.0.0.1:$PROM_PORT  (alerts: http://127.0.0.1:$ALERTMANAGER_PORT, Alertmanager)
  logs             make logs   (files in .run/logs)

Demo logins (password demo-password):
  admin@example.org  coordinator@example.org  surgeon@example.org  viewer@example.org
TEXT
