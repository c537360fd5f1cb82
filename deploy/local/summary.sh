#!/usr/bin/env bash
# Prints where the running local stack answers and how to sign in.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
resolve_run_dir
tls_files

gateway="https://127.0.0.1:$GATEWAY_TLS_PORT"
cat <<TEXT

Surgery scheduling platform is up.
  web app/gateway  $gateway  (http://127.0.0.1:$GATEWAY_PORT redirects to it)
TEXT
for svc in "${SERVICES[@]}"; do
  printf '  %-16s %s/api/%s/openapi.json  (docs: %s/api/%s/docs)\n' "$svc API" "$gateway" "$svc" "$gateway" "$svc"
done
cat <<TEXT
  Kafka            127.0.0.1:$KAFKA_PORT
  PostgreSQL       127.0.0.1:$PG_PORT (one database and role per service)
  Prometheus       http://127.0.0.1:$PROM_PORT  (alerts: http://127.0.0.1:$ALERTMANAGER_PORT, Alertmanager)
  logs             make logs   (files in .run/logs)

The gateway's certificate is signed by the CA in $TLS_CA_FILE. Trust it:
  curl             curl --cacert $TLS_CA_FILE $gateway/api/auth/healthz
  Python (httpx)   httpx.Client(verify=ssl.create_default_context(cafile="$TLS_CA_FILE"))
  browser          import it as an authority trusted to identify websites (Chromium: Settings >
                   Privacy and security > Security > Manage certificates > Authorities;
                   Firefox: Settings > Privacy & Security > Certificates > View Certificates)

Demo logins (password demo-password):
  admin@example.org  coordinator@example.org  surgeon@example.org  viewer@example.org
TEXT
