#!/usr/bin/env bash
# Installs what the local stack needs and is missing: Debian packages, uv, and the project venv.
# `python` does only the last two. The warm path only checks for binaries: no apt, no network.
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"

UV_VERSION=0.13.8

missing_packages() {
  [ -x "$PG_BIN/postgres" ] && [ -x "$PG_BIN/initdb" ] || echo postgresql-15
  # btree_gist ships in postgresql-15 on Debian 12; the contrib metapackage covers older layouts.
  [ -f /usr/share/postgresql/15/extension/btree_gist.control ] || echo postgresql-contrib
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || echo nginx
  command -v curl >/dev/null || echo curl
  # deploy/local/certs.sh makes the local CA and the listeners' certificate with it.
  command -v openssl >/dev/null || echo openssl
  command -v pgrep >/dev/null || echo procps
  [ -f /etc/ssl/certs/ca-certificates.crt ] || echo ca-certificates
  command -v java >/dev/null || echo openjdk-17-jre-headless
  command -v mvn >/dev/null || echo maven
  python3 -c 'import ensurepip, venv' 2>/dev/null || echo python3-venv
  # The web app's end-to-end tests drive Debian's chromium (Playwright never downloads one).
  [ -x /usr/bin/chromium ] || echo chromium
  # Its NSS database is made to trust the local CA with certutil (web/e2e/trust.mjs).
  command -v certutil >/dev/null || echo libnss3-tools
  # Monitoring (deploy/local/prometheus.sh); promtool, shipped with prometheus, runs the rule tests.
  command -v prometheus >/dev/null && command -v promtool >/dev/null || echo prometheus
  command -v prometheus-alertmanager >/dev/null || echo prometheus-alertmanager
  command -v prometheus-postgres-exporter >/dev/null || echo prometheus-postgres-exporter
  command -v prometheus-nginx-exporter >/dev/null || echo prometheus-nginx-exporter
  command -v prometheus-node-exporter >/dev/null || echo prometheus-node-exporter
  # make lint checks deploy/local/*.sh and .ci/run with it.
  command -v shellcheck >/dev/null || echo shellcheck
}

apt_install() {
  local sudo="" log policy=/usr/sbin/policy-rc.d
  if ! is_root; then
    command -v sudo >/dev/null || die "missing packages ($*); install them as root: apt-get install $*"
    sudo="sudo"
  fi
  command -v apt-get >/dev/null || die "missing packages ($*) and no apt-get to install them"
  note "installing $* (apt-get)"
  log="$(mktemp)"
  # Keep apt's postinst from starting system-wide nginx/PostgreSQL services: we run our own.
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
    $sudo chmod 755 "$policy"
    # shellcheck disable=SC2064  # expand now: the trap must remove this very file
    trap "$sudo rm -f '$policy'" EXIT
  fi
  if ! { $sudo apt-get update -qq &&
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@"; } \
    >"$log" 2>&1; then
    tail_log "$log" 30
    die "apt-get install $* failed"
  fi
  rm -f "$log"
}

# Debian enables a system-wide service per Prometheus package (Alertmanager on 9093 would take
# Kafka's controller port at the next boot); ours run from deploy/local/prometheus.sh instead.
disable_system_monitoring() {
  local sudo="" unit units=()
  [ -d /run/systemd/system ] && command -v systemctl >/dev/null || return 0
  is_root || sudo="sudo"
  for unit in prometheus prometheus-alertmanager prometheus-node-exporter \
    prometheus-postgres-exporter prometheus-nginx-exporter; do
    systemctl is-enabled --quiet "$unit" 2>/dev/null && units+=("$unit")
  done
  [ "${#units[@]}" -eq 0 ] && return 0
  note "disabling the system services ${units[*]} (the project runs its own)"
  $sudo systemctl disable --now "${units[@]}" >/dev/null 2>&1 || note "could not disable ${units[*]}"
}

install_python_toolchain() {
  local tools="$PROJECT/.tools"
  if [ "$("$tools/bin/uv" --version 2>/dev/null)" != "uv $UV_VERSION" ]; then
    [ -x "$tools/bin/pip" ] || python3 -m venv "$tools"
    "$tools/bin/pip" install -q --disable-pip-version-check "uv==$UV_VERSION" ||
      die "could not install uv $UV_VERSION into .tools"
  fi
  (cd "$PROJECT" && UV_PYTHON_DOWNLOADS=never UV_SYSTEM_CERTS=1 \
    "$tools/bin/uv" sync --frozen --python python3 -q) || die "uv sync --frozen failed"
  compile_bytecode
}

# Bytecode for the venv and the project's own code, written once here: where
# PYTHONDONTWRITEBYTECODE is set (it is on this machine) no process writes it, and every
# service, migration and pytest process compiled each module it imports from source again
# (6.7 s of CPU to import two services, 3.1 s with the bytecode). A source changed since is
# noticed by its timestamp and compiled as before; a rerun only checks (2.5 s of CPU).
compile_bytecode() {
  local site
  site="$("$PROJECT/.venv/bin/python" -c 'import sysconfig; print(sysconfig.get_path("purelib"))')"
  (cd "$PROJECT" && "$PROJECT/.venv/bin/python" -m compileall -q -j0 "$site" libs services tests benchmarks \
    >/dev/null) || note "some files did not compile to bytecode (they compile again when imported)"
}

case "${1:-all}" in
  all)
    read -r -a packages <<<"$(missing_packages | tr '\n' ' ')"
    if [ "${#packages[@]}" -gt 0 ]; then apt_install "${packages[@]}"; fi
    disable_system_monitoring
    install_python_toolchain
    # kustomize and kubeconform, pinned, for the unit tests of deploy/kubernetes.
    "$(dirname "$0")/k8s-tools.sh"
    ;;
  python)
    python3 -c 'import ensurepip, venv' 2>/dev/null || apt_install python3-venv
    install_python_toolchain
    "$(dirname "$0")/k8s-tools.sh"
    ;;
  *) die "usage: $0 [all|python]" ;;
esac
