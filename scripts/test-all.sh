#!/usr/bin/env bash
# The whole Edgewise test suite, from a fresh clone, in one command (`npm test` runs this).
#
#   1. installs dependencies when node_modules is missing (`npm ci`), then builds (`npm run build`);
#   2. runs every suite listed in `run_suites` below; services a suite needs (a throwaway PostgreSQL,
#      Redis) are started on random free ports the first time a suite asks for them, and are
#      always torn down, also on failure or Ctrl-C;
#   3. ends with exactly one plain line `N passed, N failed` summing every suite, and exits non-zero
#      when anything failed — a suite that crashes without results counts as (at least) one failure.
#
# Progress goes to stderr as `==> …` lines; the test runners' own output goes to stdout as usual.
#
# Knobs (environment): TEST_KEEP_TMP=1 keeps the temp dir (logs, JSON results) for a post-mortem;
# TEST_SUITES="backend-sqlite" runs only the named suites; TEST_LOG_LEVEL is passed to the app.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

START_TIME=$SECONDS
TMP=$(mktemp -d "${TMPDIR:-/tmp}/edgewise-test.XXXXXX")
chmod 755 "$TMP" # the postgres user must be able to reach its data directory inside

TOTAL_PASSED=0
TOTAL_FAILED=0
SUMMARY=() # one line per suite, printed before the final line

log() { printf '==> [%4ss] %s\n' "$((SECONDS - START_TIME))" "$*" >&2; }
warn() { printf '!!! %s\n' "$*" >&2; }

freeport() {
  node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'
}

as_root() { [ "$(id -u)" -eq 0 ]; }

apt_install() {
  if ! as_root; then
    warn "need '$*' from apt but not running as root; install it and run again"
    return 1
  fi
  log "installing $* from apt"
  if [ -z "${APT_UPDATED:-}" ]; then
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >"$TMP/apt.log" 2>&1 || { cat "$TMP/apt.log" >&2; return 1; }
    APT_UPDATED=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >>"$TMP/apt.log" 2>&1 ||
    { tail -30 "$TMP/apt.log" >&2; return 1; }
}

# ---------------------------------------------------------------------------------------------------
# Services. Each start_* is idempotent and exports the URL the app reads; cleanup() calls every stop_*.

PG_STARTED=''
PG_DATA=''
PGBIN=''
start_postgres() {
  [ -n "$PG_STARTED" ] && return 0
  PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
  if [ -z "$PGBIN" ] || [ ! -x "$PGBIN/initdb" ]; then
    apt_install postgresql || return 1
    PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    # The package creates and may start a "main" cluster on 5432; we only want the binaries.
    if command -v pg_lsclusters >/dev/null 2>&1; then
      pg_lsclusters --no-header 2>/dev/null | awk '$2 == "main" && $4 == "online" {print $1}' |
        while read -r version; do pg_ctlcluster "$version" main stop >/dev/null 2>&1 || true; done
    fi
  fi
  local run=()
  if as_root; then
    # initdb refuses to run as root
    id postgres >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin postgres || return 1
    run=(runuser -u postgres --)
  fi
  local port
  port=$(freeport) || return 1
  mkdir -p "$TMP/pg"
  as_root && chown postgres:postgres "$TMP/pg"
  PG_DATA="$TMP/pg/data"
  log "starting PostgreSQL ($("$PGBIN/postgres" --version | awk '{print $3}')) on 127.0.0.1:$port"
  "${run[@]}" "$PGBIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --no-sync >"$TMP/pg-initdb.log" 2>&1 ||
    { cat "$TMP/pg-initdb.log" >&2; return 1; }
  PG_STARTED=1 # from here on teardown has something to stop
  "${run[@]}" "$PGBIN/pg_ctl" -D "$PG_DATA" -l "$TMP/pg/server.log" -w -t 60 \
    -o "-p $port -k $TMP/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" \
    start >"$TMP/pg-start.log" 2>&1 || { cat "$TMP/pg-start.log" "$TMP/pg/server.log" >&2; return 1; }
  "$PGBIN/createdb" -h 127.0.0.1 -p "$port" -U postgres edgewise || return 1
  export DATABASE_URL="postgres://postgres@127.0.0.1:$port/edgewise"
}

stop_postgres() {
  [ -z "$PG_STARTED" ] && return 0
  log "stopping PostgreSQL"
  local run=()
  as_root && run=(runuser -u postgres --)
  "${run[@]}" "$PGBIN/pg_ctl" -D "$PG_DATA" -m immediate -w stop >/dev/null 2>&1 || warn "pg_ctl stop failed (see $TMP/pg/server.log)"
  PG_STARTED=''
}

# Redis for the cluster suites (`needs redis`): the app runs its rule-engine queues on BullMQ there. Nothing
# is persisted; each app or product under test gets a key prefix of its own (REDIS_QUEUE_PREFIX).
REDIS_STARTED=''
start_redis() {
  [ -n "$REDIS_STARTED" ] && return 0
  command -v redis-server >/dev/null 2>&1 || apt_install redis-server || return 1
  local port
  port=$(freeport) || return 1
  log "starting Redis ($(redis-server --version | awk '{sub("v=", "", $3); print $3}')) on 127.0.0.1:$port"
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
    --pidfile "$TMP/redis.pid" --dir "$TMP" --logfile "$TMP/redis.log" || return 1
  REDIS_STARTED=1
  local i
  for i in $(seq 1 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && break
    sleep 0.1
  done
  export REDIS_URL="redis://127.0.0.1:$port"
}

stop_redis() {
  [ -z "$REDIS_STARTED" ] && return 0
  log "stopping Redis"
  [ -f "$TMP/redis.pid" ] && kill "$(cat "$TMP/redis.pid")" 2>/dev/null
  REDIS_STARTED=''
}

CLEANED=''
cleanup() {
  [ -n "$CLEANED" ] && return 0
  CLEANED=1
  stop_redis
  stop_postgres
  if [ -n "${TEST_KEEP_TMP:-}" ]; then
    log "kept $TMP"
  else
    rm -rf "$TMP"
  fi
}
# Long steps run in the background and are waited for, so that Ctrl-C / SIGTERM interrupts `wait` at
# once (bash defers traps while a foreground child runs, and skips them if that child handles SIGINT).
CHILD=''
run_child() {
  "$@" </dev/null &
  CHILD=$!
  wait "$CHILD"
  local code=$?
  CHILD=''
  return "$code"
}

on_signal() {
  warn "interrupted: stopping"
  if [ -n "$CHILD" ]; then
    kill -TERM "$CHILD" 2>/dev/null
    local i
    for i in $(seq 1 40); do
      kill -0 "$CHILD" 2>/dev/null || break
      sleep 0.25
    done
    kill -KILL "$CHILD" 2>/dev/null
  fi
  cleanup
  exit 130
}
trap cleanup EXIT
trap on_signal INT TERM HUP

# ---------------------------------------------------------------------------------------------------
# Bookkeeping

record() { # record NAME PASSED FAILED NOTE
  TOTAL_PASSED=$((TOTAL_PASSED + $2))
  TOTAL_FAILED=$((TOTAL_FAILED + $3))
  SUMMARY+=("$(printf '  %-24s %4d passed, %4d failed%s' "$1" "$2" "$3" "${4:+  ($4)}")")
  log "$1: $2 passed, $3 failed${4:+ ($4)}"
}

# Reads a Vitest (Jest-compatible) JSON report; prints "PASSED FAILED NOTE".
# Failed = failed tests + files that failed without a failing test (import errors, crashes in hooks).
parse_vitest_json() { # FILE EXIT_CODE
  node - "$1" "$2" <<'EOF'
const fs = require('fs');
const [file, code] = process.argv.slice(2);
let r;
try { r = JSON.parse(fs.readFileSync(file, 'utf8')); } catch { console.log('0 1 no results: the runner crashed'); process.exit(0); }
let passed = r.numPassedTests | 0, failed = r.numFailedTests | 0;
const notes = [];
const brokenFiles = (r.testResults || []).filter(
  (f) => f.status === 'failed' && !(f.assertionResults || []).some((a) => a.status === 'failed'));
if (brokenFiles.length) { failed += brokenFiles.length; notes.push(`${brokenFiles.length} file(s) failed to run`); }
if (Number(code) !== 0 && failed === 0) { failed = 1; notes.push(`runner exited ${code} (unhandled error or no test files?)`); }
if (Number(code) === 0 && failed > 0) notes.push('runner exited 0 despite failures');
console.log(`${passed} ${failed} ${notes.join('; ')}`);
EOF
}

# Real protocol peers for the black-box suites: Debian's mosquitto_pub / mosquitto_sub, curl, libcoap's
# coap-client, and a real SNMP agent (snmpd, started by the test itself on a free port) with snmpget/snmpset.
start_device_clients() {
  local missing=()
  command -v mosquitto_pub >/dev/null && command -v mosquitto_sub >/dev/null || missing+=(mosquitto-clients)
  command -v curl >/dev/null || missing+=(curl)
  command -v coap-client-notls >/dev/null || missing+=(libcoap3-bin)
  command -v snmpd >/dev/null || [ -x /usr/sbin/snmpd ] || missing+=(snmpd)
  command -v snmpget >/dev/null || missing+=(snmp)
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
}

# Debian's Chromium for the admin's browser suite (never a downloaded browser).
start_browser() {
  command -v chromium >/dev/null || apt_install chromium || return 1
  export CHROMIUM_PATH
  CHROMIUM_PATH=$(command -v chromium)
}

# ---------------------------------------------------------------------------------------------------
# Suite runners: `suite RUNNER NAME DIR [needs SERVICE...] [env VAR=VALUE...] [files FILTER...]`

# Runs Vitest once in DIR with the given environment (and only the test files matching FILTERs, when
# given); counts from its JSON report.
# Splits a runner's arguments `ENV... [-- FILTER...]` into ENVS and FILTERS.
split_runner_args() {
  ENVS=()
  FILTERS=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do
    ENVS+=("$1")
    shift
  done
  [ $# -gt 0 ] && shift && FILTERS=("$@")
  return 0
}

# Runs COMMAND... in DIR with the suite's environment; it writes a Vitest JSON report where an argument
# says {report}.
run_vitest_report() { # NAME DIR ENV... -- COMMAND...
  local name=$1 dir=$2
  shift 2
  split_runner_args "$@"
  local report="$TMP/$name.json" command=() arg
  for arg in "${FILTERS[@]}"; do command+=("${arg//\{report\}/$report}"); done
  run_child env -C "$ROOT/$dir" "${ENVS[@]}" "${command[@]}"
  local code=$?
  local passed failed note
  read -r passed failed note < <(parse_vitest_json "$report" "$code")
  record "$name" "$passed" "$failed" "$note"
}

run_vitest() { # NAME DIR ENV... [-- FILTER...]
  local name=$1 dir=$2
  shift 2
  split_runner_args "$@"
  local vitest="$ROOT/node_modules/.bin/vitest"
  [ -x "$vitest" ] || vitest="$ROOT/$dir/node_modules/.bin/vitest"
  run_vitest_report "$name" "$dir" "${ENVS[@]}" -- \
    "$vitest" run --reporter=default --reporter=json --outputFile.json={report} "${FILTERS[@]}"
}

# The admin's unit tests: Angular's test builder runs Vitest (jsdom) and writes the same JSON report.
run_angular() { # NAME DIR ENV... [-- FILTER...]
  local name=$1 dir=$2
  shift 2
  split_runner_args "$@"
  run_vitest_report "$name" "$dir" "${ENVS[@]}" -- \
    "$ROOT/node_modules/.bin/ng" test --watch=false --reporters=json --reporters=default --output-file={report}
}

# Playwright suites (DIR holds playwright.config.ts); counts from its JSON report.
run_playwright() { # NAME DIR ENV... [-- FILTER...]
  local name=$1 dir=$2
  shift 2
  split_runner_args "$@"
  local envs=("${ENVS[@]}")
  local report="$TMP/$name.json"
  run_child env -C "$ROOT" "${envs[@]}" PLAYWRIGHT_JSON_OUTPUT_NAME="$report" \
    "$ROOT/node_modules/.bin/playwright" test -c "$dir" --reporter=list,json
  local code=$?
  local counts
  counts=$(node -e '
    const fs = require("fs");
    const [file, code] = process.argv.slice(1);
    let stats;
    try { stats = JSON.parse(fs.readFileSync(file, "utf8")).stats; } catch {}
    if (!stats) { console.log(`0 1 no report (exit ${code})`); process.exit(0); }
    const passed = stats.expected + stats.flaky, failed = stats.unexpected;
    console.log(`${passed} ${failed || (code !== "0" ? 1 : 0)}`);
  ' "$report" "$code")
  local passed failed note
  read -r passed failed note <<<"$counts"
  record "$name" "$passed" "$failed" "$note"
}

suite() { # RUNNER NAME DIR [needs SERVICE...] [env VAR=VALUE...] [files FILTER...]
  local runner=$1 name=$2 dir=$3
  shift 3
  if [ -n "${TEST_SUITES:-}" ] && [[ " $TEST_SUITES " != *" $name "* ]]; then
    return
  fi
  local services=() envs=() files=() mode=''
  for arg in "$@"; do
    case "$arg" in
      needs | env | files) mode=$arg ;;
      *)
        case "$mode" in
          needs) services+=("$arg") ;;
          files) files+=("$arg") ;;
          *) envs+=("$arg") ;;
        esac
        ;;
    esac
  done
  # Suites see only the services they ask for: no stray DATABASE_URL/REDIS_URL from the caller.
  local base_env=(-u DATABASE_URL -u REDIS_URL)
  for s in "${services[@]}"; do
    if ! "start_$s"; then
      record "$name" 0 1 "could not start $s"
      return
    fi
    case "$s" in
      postgres) envs+=("DATABASE_URL=$DATABASE_URL") ;;
      device_clients | browser) ;;
      redis) envs+=("REDIS_URL=$REDIS_URL") ;;
    esac
  done
  log "suite $name ($runner in $dir${services[*]:+, with ${services[*]}}${files[*]:+, only ${files[*]}})"
  local started=$SECONDS
  "run_$runner" "$name" "$dir" "${base_env[@]}" "${envs[@]}" -- "${files[@]}"
  log "suite $name took $((SECONDS - started)) s"
}

# ---------------------------------------------------------------------------------------------------
# The suites. Adding one is one line here. Backend tests (unit tests in src/, integration tests in test/
# that boot the app, and test/process.spec.ts that runs the built dist/main.js) run once per storage backend.

# Every plugin workspace with spec/test files gets its own Vitest run (unit tests; once, on SQLite).
plugin_suites() {
  local dir
  for dir in plugins/*/; do
    dir=${dir%/}
    [ -f "$dir/package.json" ] || continue
    if [ -n "$(find "$dir" \( -name node_modules -o -name dist \) -prune -o -type f \
      \( -name '*.spec.*' -o -name '*.test.*' \) -print -quit)" ]; then
      suite vitest "${dir#plugins/}" "$dir"
    fi
  done
}

run_suites() {
  suite vitest backend-sqlite   backend
  suite vitest backend-postgres backend needs postgres
  plugin_suites
  suite angular frontend       frontend
  suite vitest e2e-sqlite       e2e     needs device_clients
  suite playwright admin-sqlite e2e/admin needs browser
  suite vitest e2e-postgres     e2e     needs device_clients postgres
  # Cluster mode: PostgreSQL, and the rule-engine queues on BullMQ in Redis.
  suite vitest backend-cluster  backend needs postgres redis
  suite vitest e2e-cluster      e2e     needs device_clients postgres redis
}

# ---------------------------------------------------------------------------------------------------

# Escape codes make CI logs and the summary hard to read: plain output unless on a terminal or asked for.
if [ ! -t 1 ] && [ -z "${FORCE_COLOR:-}" ]; then
  export NO_COLOR=1
fi

log "Edgewise tests in $ROOT (node $(node -v), npm $(npm -v))"

if [ ! -d node_modules ]; then
  log "installing dependencies (npm ci)"
  if ! run_child npm ci --no-audit --no-fund; then
    record install 0 1 "npm ci failed"
    cleanup
    printf '%s\n' "${SUMMARY[@]}"
    echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
    exit 1
  fi
fi

log "building (npm run build)"
if ! run_child npm run build; then
  # Keep going: the Vitest suites compile TypeScript themselves and still say what works.
  record build 0 1 "npm run build failed"
fi

# Vitest strips types without checking them: the test code is type-checked here, once.
log "type-checking sources and tests (npm run typecheck)"
if run_child npm run typecheck; then
  record typecheck 1 0
else
  record typecheck 0 1 "npm run typecheck failed"
fi

run_suites

cleanup
log "done in $((SECONDS - START_TIME)) s"
echo "Summary:"
printf '%s\n' "${SUMMARY[@]}"
echo "$TOTAL_PASSED passed, $TOTAL_FAILED failed"
[ "$TOTAL_FAILED" -eq 0 ] && [ "$TOTAL_PASSED" -gt 0 ]
