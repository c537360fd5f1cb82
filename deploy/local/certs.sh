#!/usr/bin/env bash
# The local certificate authority and the server certificate every local listener presents
# (the gateway's HTTPS, Kafka's SASL_SSL listener, PostgreSQL's TLS): ensure|show.
# ensure: makes, once, under .run/tls (shared by both stacks): ca.crt/ca.key, a CA valid for ten
# years, and server.crt/server.key for localhost, 127.0.0.1 and ::1, signed by it (renewed when
# it expires within 30 days). With TLS_CA_FILE, TLS_CERT_FILE and TLS_KEY_FILE all set, those
# files are used instead and nothing is made. Clients trust ca.crt: nobody skips verification.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
resolve_run_dir
tls_files

SERVER_DAYS=397

make_ca() {
  note "making the local certificate authority $TLS_CA_FILE"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TLS_DIR/ca.key" 2>/dev/null
  openssl req -x509 -new -key "$TLS_DIR/ca.key" -sha256 -days 3650 \
    -subj "/O=Surgery scheduling (local)/CN=Surgery scheduling local CA" \
    -addext "basicConstraints=critical,CA:TRUE,pathlen:0" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -out "$TLS_DIR/ca.crt"
}

make_server() {
  note "making the server certificate $TLS_CERT_FILE (localhost, 127.0.0.1, ::1)"
  local ext="$TLS_DIR/server.ext"
  printf '%s\n' "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth,clientAuth" \
    "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" >"$ext"
  openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$TLS_DIR/server.key" 2>/dev/null
  openssl req -new -key "$TLS_DIR/server.key" -subj "/O=Surgery scheduling (local)/CN=localhost" \
    -out "$TLS_DIR/server.csr"
  openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$TLS_DIR/ca.crt" -CAkey "$TLS_DIR/ca.key" \
    -CAcreateserial -days "$SERVER_DAYS" -sha256 -extfile "$ext" -out "$TLS_DIR/server.crt" 2>/dev/null
  rm -f "$TLS_DIR/server.csr" "$ext"
}

ensure() {
  if [ -n "${TLS_GIVEN:-}" ]; then
    for file in "$TLS_CA_FILE" "$TLS_CERT_FILE" "$TLS_KEY_FILE"; do
      [ -r "$file" ] || die "TLS file $file is not readable"
    done
    return 0
  fi
  command -v openssl >/dev/null || die "openssl is missing: run 'make install'"
  mkdir -p "$TLS_DIR"
  chmod 755 "$TLS_DIR"
  (
    umask 077
    if ! [ -s "$TLS_DIR/ca.crt" ] || ! [ -s "$TLS_DIR/ca.key" ]; then make_ca; fi
    if ! [ -s "$TLS_CERT_FILE" ] || ! openssl x509 -checkend $((30 * 86400)) -noout -in "$TLS_CERT_FILE" >/dev/null ||
      ! openssl verify -CAfile "$TLS_CA_FILE" "$TLS_CERT_FILE" >/dev/null 2>&1; then
      make_server
    fi
  )
  # Certificates are public; the keys stay readable by their owner (root) only. Each server
  # that runs as another user (PostgreSQL) copies the key into its own state with its own owner.
  chmod 644 "$TLS_DIR/ca.crt" "$TLS_DIR/server.crt"
  chmod 600 "$TLS_DIR/ca.key" "$TLS_DIR/server.key"
}

case "${1:-}" in
  ensure) ensure ;;
  show) printf 'CA: %s\ncertificate: %s\nkey: %s\n' "$TLS_CA_FILE" "$TLS_CERT_FILE" "$TLS_KEY_FILE" ;;
  *) die "usage: $0 ensure|show" ;;
esac
