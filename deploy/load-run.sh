#!/usr/bin/env bash
# A bounded load run at the ingest edge: starts an ingest of its own (own port, topic namespace and
# key file; the demo's services are left alone), sends usage events at a fixed rate for a fixed time
# with `routemetrics load-run`, and reports request latency p50/p99, freshness (age of each event
# when first read from Kafka) p50/p99 and the ingest's memory: heap after a full GC and RSS, after
# the warm-up and over the run. Loopback only; stops by itself, and stops its ingest on every exit. Exit code 0 only if every request
# was answered 202, every event was read back from Kafka and memory stayed within the bounds.
#   deploy/load-run.sh [--port PORT] [--no-build] [--keep] [load-run options: --rate N --batch N --duration PT5M ...]
#     --port     the run's ingest port (default ROUTEMETRICS_INGEST_PORT + 2)
#     --no-build use the jar already in cli/target
#     --keep     keep the run's topics (default: deleted)
#   bin/routemetrics load-run --help lists the rest (defaults: 2000 events/s, batches of 20, 5 minutes).
# Output and the ingest's log: .state/load-runs/<run>/.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=service-checks.sh
source "$DEPLOY_DIR/service-checks.sh"
cd "$REPO"

port=$((ROUTEMETRICS_INGEST_PORT + 2))
build=1
keep=0
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) args+=("$1"); shift ;;
  esac
done

run="load$(date +%s)"
out="$ROUTEMETRICS_STATE/load-runs/$run"
mkdir -p "$out"
export ROUTEMETRICS_TOPIC_NAMESPACE="$run-"
export ROUTEMETRICS_INGEST_PORT="$port"
export ROUTEMETRICS_INGEST_API_KEYS_FILE="$out/api-keys.json"

"$DEPLOY_DIR/up.sh" >"$out/up.log"
if [ "$build" = 1 ]; then
  mvn -B -q package -DskipTests >"$out/build.log" 2>&1 || { tail -n 40 "$out/build.log"; die "build failed"; }
fi
ROUTEMETRICS_API_KEY="$(bin/routemetrics keys add "$run")"
export ROUTEMETRICS_API_KEY

require_free_port "load-run ingest" "$port" "--port"
bin/routemetrics ingest >"$out/ingest.log" 2>&1 &
ingest=$!
# On every exit (the end, an error, Ctrl-C, SIGTERM): the run's ingest.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  kill "$ingest" 2>/dev/null || true
  wait "$ingest" 2>/dev/null || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
# bin/routemetrics execs java, so $ingest is the pid that must answer on the port.
wait_ready ingest "$port" "$ingest" "$out/ingest.log" 60
log "$run: ingest pid $ingest on :$port, topics $run-*"

rc=0
bin/routemetrics load-run --url "http://127.0.0.1:$port" --pid "$ingest" "${args[@]}" | tee "$out/report.txt" || rc=$?
kill "$ingest" 2>/dev/null || true
wait "$ingest" 2>/dev/null || true
if [ "$keep" = 0 ]; then
  "$DEPLOY_DIR/kafka.sh" topics --delete --topic "$run-.*" >/dev/null 2>&1 || true
fi
[ "$rc" = 0 ] || die "$run: the load run failed (see $out)"
log "$run: passed; report in $out/report.txt"
