#!/usr/bin/env bash
# Runs the named test suites (tests/<suite>, a folder or a file; `web` for the web app's Vitest
# and Playwright tests, `chaos` for the short fault suite) in order and fails if any failed; a
# suite that collects no test (pytest exit 5) is reported, not failed. PYTEST_ARGS is passed to
# each pytest run, split as a shell would (`PYTEST_ARGS='-k "booking and not slow"'`).
#
# STACK=test (make test): a stack of the tests' own is started beside the user's (common.sh:
# PostgreSQL 55433, Kafka 19092, services 18001-18005, gateway https 18443 (http 18080 redirects),
# Prometheus 19090; state in
# .run/test) from fresh state: a new cluster, a newly formatted broker, migrations and the demo
# seed. It starts in the background while the unit suite runs; every other suite waits for it
# and runs against it. At the end, failed or not, it is stopped and its state deleted, its logs
# kept in .run/test-logs. The user's stack (`make up`), running or not, is never touched; when
# it runs, its demo counts are read before and after, and the run fails if they differ.
# Without STACK=test the suites run against the stack that is running (`make up`).
set -euo pipefail
# shellcheck source=deploy/local/common.sh
. "$(dirname "$0")/common.sh"
# shellcheck source=deploy/local/kafka-users.sh
. "$(dirname "$0")/kafka-users.sh"

LOCAL="$DEPLOY/local"
KEPT_LOGS=""
stack_started=false
start_pid=""
start_log=""
counts_before=""
vitest_pid=""
vitest_log=""

# PYTEST_ARGS is the developer's own shell words, split by Python's shlex (never eval'd).
split_words() {
  "$VENV/bin/python" -c \
    'import shlex, sys; sys.stdout.write("".join(w + "\0" for w in shlex.split(sys.argv[1])))' "$1"
}
pytest_args=()
if [ -n "${PYTEST_ARGS:-}" ]; then
  split_words "$PYTEST_ARGS" >/dev/null 2>&1 || die "PYTEST_ARGS is not a list of shell words: $PYTEST_ARGS"
  mapfile -d '' -t pytest_args < <(split_words "$PYTEST_ARGS")
fi

# The user's stack's demo counts (deploy/local/demo-counts.sh); empty when it is not running.
user_counts() { STACK=local "$LOCAL/demo-counts.sh" 2>/dev/null || true; }

stop_test_stack() {
  "$LOCAL/services.sh" stop || true
  "$LOCAL/prometheus.sh" stop || true
  "$LOCAL/nginx.sh" stop || true
  "$LOCAL/kafka.sh" stop || true
  "$LOCAL/postgres.sh" stop || true
}

# Stops the test stack, keeps its logs (and Playwright's and the API contract test's output) in
# .run/test-logs, deletes the rest of its state.
remove_test_stack() {
  local part
  [ "$RUN" != "$BASE_RUN" ] || die "refusing to delete $RUN: it is the user's stack"
  stop_test_stack
  KEPT_LOGS="$BASE_RUN/test-logs"
  rm -rf "$KEPT_LOGS"
  mv "$RUN/logs" "$KEPT_LOGS"
  for part in playwright api-contract; do
    if [ -d "$RUN/$part" ]; then mv "$RUN/$part" "$KEPT_LOGS/$part"; fi
  done
  rm -rf "$RUN"
}

# Starts the test stack in the background: the unit suite needs none of it and runs meanwhile.
# The start's output goes to .run/test/logs/stack-start.log and is shown when it is waited for.
begin_test_stack() {
  printf '\n=== the test stack (STACK=test: PostgreSQL %s, Kafka %s, gateway %s), starting\n' \
    "$PG_PORT" "$KAFKA_PORT" "$GATEWAY_TLS_PORT"
  # A test stack left by a run that was killed is stopped and deleted first: every run starts
  # from the seeded demo.
  [ "$RUN" != "$BASE_RUN" ] || die "refusing to delete $RUN: it is the user's stack"
  stop_test_stack >/dev/null 2>&1
  rm -rf "$RUN"
  resolve_run_dir
  stack_started=true
  start_log="$RUN/logs/stack-start.log"
  start_stack_parts >"$start_log" 2>&1 &
  start_pid=$!
}

start_stack_parts() {
  local started=$SECONDS pids=() pid
  # The three are independent; the services need all of them.
  "$LOCAL/postgres.sh" start & pids+=("$!")
  "$LOCAL/kafka.sh" start & pids+=("$!")
  "$LOCAL/web.sh" build & pids+=("$!")
  for pid in "${pids[@]}"; do wait "$pid" || die "the test stack did not start"; done
  "$LOCAL/nginx.sh" start
  "$LOCAL/prometheus.sh" start
  "$LOCAL/services.sh" start
  printf 'test stack up in %ss\n' "$((SECONDS - started))"
}

# Waits for the stack begun above; a failed start ends the run (finish deletes what started).
await_test_stack() {
  local rc=0
  [ -n "$start_pid" ] || return 0
  printf '\n=== the test stack: waiting for its start\n'
  wait "$start_pid" || rc=$?
  start_pid=""
  cat "$start_log"
  [ "$rc" -eq 0 ] || die "the test stack did not start (logs: $RUN/logs)"
  export_test_environment
}

# Where the suites find the test stack: tests/conftest.py, the chaos suite, Playwright (web.sh).
export_test_environment() {
  export_stack_settings
  tls_files
  export TEST_GATEWAY_URL="https://127.0.0.1:$GATEWAY_TLS_PORT"
  export TEST_GATEWAY_HTTP_URL="http://127.0.0.1:$GATEWAY_PORT"
  export TEST_GATEWAY_CA="$TLS_CA_FILE"
  # The tests reach the broker as its admin (SASL_SSL): TEST_KAFKA_BOOTSTRAP_SERVERS and the rest.
  export_kafka_client TEST_ "$KAFKA_ADMIN_USER"
  export TEST_KIT_DATABASE_URL="postgresql+asyncpg://kit_test:dev-only-kit-test-db-password@127.0.0.1:$PG_PORT/kit_test"
  export TEST_PROMETHEUS_URL="http://127.0.0.1:$PROM_PORT"
  export TEST_RUN_DIR="$RUN"
  export BENCH_GATEWAY_URL="$TEST_GATEWAY_URL"
  export BENCH_GATEWAY_CA="$TLS_CA_FILE"
  export BENCH_KAFKA_BOOTSTRAP_SERVERS="$TEST_KAFKA_BOOTSTRAP_SERVERS"
  # The chaos suite kills and restarts through the deploy/local scripts: this stack's parts.
  export STACK
}

finish() {
  local rc=$? counts_after
  printf '\nwall time: %ss\n' "$SECONDS"
  # A Vitest run begun beside the suites ends on its own within seconds: let it, before its
  # log's folder goes.
  if [ -n "$vitest_pid" ]; then wait "$vitest_pid" 2>/dev/null || true; fi
  if [ -n "$start_pid" ]; then
    kill "$start_pid" 2>/dev/null || true
    wait "$start_pid" 2>/dev/null || true
  fi
  if [ "$stack_started" = true ]; then
    remove_test_stack
    printf '\nthe test stack is stopped and deleted; its logs are in %s\n' "$KEPT_LOGS"
  fi
  if [ -n "$counts_before" ]; then
    counts_after="$(user_counts)"
    printf "the user's stack before: %s\n" "$counts_before"
    printf "the user's stack after:  %s\n" "${counts_after:-(not running)}"
    if [ "$counts_after" != "$counts_before" ]; then
      printf "FAILED: the demo counts of the user's stack changed during the run\n" >&2
      rc=1
    fi
  fi
  exit "$rc"
}

if [ "$STACK" = test ]; then
  resolve_run_dir
  counts_before="$(user_counts)"
  trap finish EXIT
  trap 'exit 130' INT TERM
fi

# Vitest needs no stack: when the web suite is asked for, it runs in the background beside the
# first suite that needs the stack (the integration tests mostly wait on PostgreSQL and Kafka),
# its output kept in the stack's logs and shown, and judged, when the web suite's turn comes.
begin_vitest() {
  local suite
  [ -z "$vitest_pid" ] || return 0
  for suite in "$@"; do
    if [ "$suite" = web ]; then
      [ -n "${RUN:-}" ] || resolve_run_dir
      mkdir -p "$RUN/logs"
      vitest_log="$RUN/logs/vitest.log"
      "$LOCAL/web.sh" vitest >"$vitest_log" 2>&1 &
      vitest_pid=$!
      return 0
    fi
  done
}

await_vitest() {
  local rc=0
  [ -n "$vitest_pid" ] || { "$LOCAL/web.sh" vitest; return; }
  wait "$vitest_pid" || rc=$?
  vitest_pid=""
  cat "$vitest_log"
  return "$rc"
}

# Every suite but the unit tests (tests/unit or a part of it) needs a stack.
needs_stack() { case "$1" in unit | unit/*) return 1 ;; *) return 0 ;; esac; }

failed=()
cd "$PROJECT"
for suite in "$@"; do
  if [ "$STACK" = test ] && needs_stack "$suite" && [ "$stack_started" = false ]; then
    begin_test_stack
  fi
done
for suite in "$@"; do
  if needs_stack "$suite"; then
    await_test_stack
    begin_vitest "$@"
  fi
  if [ "$suite" = web ]; then
    # The web app: Vitest (begun beside an earlier suite), then Playwright in Debian's chromium
    # against the stack's gateway.
    printf '\n=== web (vitest, playwright)\n'
    suite_started=$SECONDS
    await_vitest || failed+=("web (vitest)")
    # Playwright's tests make rooms, blocks, users and cases, as the e2e tests do
    # (tests/e2e/conftest.py): on `make up`'s stack only when asked for by name.
    if [ "$STACK" = test ] || [ "${E2E_ON_RUNNING_STACK:-}" = 1 ]; then
      "$LOCAL/web.sh" playwright || failed+=("web (playwright)")
    else
      printf "playwright: not run on the stack of 'make up' (it would leave its records there):\n" >&2
      printf '  STACK=test, or E2E_ON_RUNNING_STACK=1 to write into the running stack anyway\n' >&2
      failed+=("web (playwright)")
    fi
    printf 'web: %ss\n' "$((SECONDS - suite_started))"
    continue
  fi
  if [ "$suite" = chaos ]; then
    # The fault suite, each fault once (`make chaos` runs several rounds): it kills the broker,
    # PostgreSQL and a service, so it runs last, and puts the stack back before it returns.
    printf '\n=== chaos (benchmarks/chaos --short)\n'
    suite_started=$SECONDS
    "$VENV/bin/python" -m benchmarks.chaos --short || failed+=("chaos")
    printf 'chaos: %ss\n' "$((SECONDS - suite_started))"
    continue
  fi
  if [ ! -e "tests/$suite" ]; then
    note "tests/$suite does not exist; skipped"
    continue
  fi
  printf '\n=== tests/%s\n' "$suite"
  rc=0
  suite_started=$SECONDS
  # The slowest tests are listed, so a run's log shows where the suite's time goes.
  "$VENV/bin/pytest" "tests/$suite" --durations=15 "${pytest_args[@]}" || rc=$?
  printf 'tests/%s: %ss\n' "$suite" "$((SECONDS - suite_started))"
  case "$rc" in
    0) ;;
    5) note "tests/$suite collected no tests" ;;
    *) failed+=("tests/$suite (pytest exit $rc)") ;;
  esac
done
if [ "${#failed[@]}" -gt 0 ]; then
  printf '\nFAILED: %s\n' "${failed[*]}" >&2
  exit 1
fi
