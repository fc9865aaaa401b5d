#!/usr/bin/env bash
# Faults while the whole pipeline works, then the numbers checked against the simulator's
# independent expectation. A day of seven-route traffic (about EVENTS records, with every fault type
# the simulator injects) goes over HTTP into ingest -> Kafka -> streams -> sink -> ClickHouse, with
# topics, database, consumer groups, keys, pid files and logs of its own (the demo's are left alone),
# while this script, EVERY seconds apart, injects the FAULTS in order:
#   streams     SIGKILL of the streams app, restarted 2 s later
#   sink        SIGKILL of the sink, restarted 2 s later
#   kafka       restart of the Kafka broker (deploy/kafka.sh stop; start)
#   clickhouse  restart of ClickHouse (deploy/clickhouse.sh stop; 5 s; start)
# After each restart it posts one probe event (now, direct-api: outside the simulated days, so
# outside every compared window) and reports how long the component was down and how long until
# ClickHouse received rows again. Afterwards every MINUTE, HOUR and DAY channel-window row and the
# revenue per currency must equal the expectation (`routemetrics verify`). Loopback only; stops by
# itself; exit code 0 only if every number is equal.
#   deploy/fault-run.sh [--events N] [--every SECONDS] [--faults LIST] [--port PORT] [--no-build] [--keep]
#     --events   records to simulate (default 1000000)
#     --every    seconds between faults (default 45)
#     --faults   comma-separated (default streams,sink,kafka,streams,clickhouse,sink,streams,sink)
#     --port     the run's ingest port (default ROUTEMETRICS_INGEST_PORT + 1)
#     --no-build use the jar already in cli/target
#     --keep     keep the run's topics and database (default: dropped when the run passed)
# Report, verify output and logs: .state/fault-runs/<run>/.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

events=1000000
every=45
faults="streams,sink,kafka,streams,clickhouse,sink,streams,sink"
port=$((ROUTEMETRICS_INGEST_PORT + 1))
build=1
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --every) every="$2"; shift 2 ;;
    --faults) faults="$2"; shift 2 ;;
    --port) port="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
IFS=, read -ra fault_list <<<"$faults"
for what in "${fault_list[@]}"; do
  case "$what" in streams|sink|kafka|clickhouse) ;; *) die "unknown fault '$what' (streams, sink, kafka, clickhouse)" ;; esac
done

run="fault$(date +%s)"
out="$ROUTEMETRICS_STATE/fault-runs/$run"
mkdir -p "$out"
report="$out/report.md"
# Everything of this run under names of its own: the demo's data and services stay as they are.
export ROUTEMETRICS_TOPIC_NAMESPACE="$run-"
export ROUTEMETRICS_CLICKHOUSE_DATABASE="$run"
export ROUTEMETRICS_STREAMS_APPLICATION_ID="$run-metrics"
export ROUTEMETRICS_STREAMS_STATE_DIR="$out/streams"
export ROUTEMETRICS_SINK_GROUP_ID="$run-sink"
export ROUTEMETRICS_INGEST_PORT="$port"
export ROUTEMETRICS_SINK_PORT="$((ROUTEMETRICS_SINK_PORT + 1))"
export ROUTEMETRICS_STREAMS_PORT="$((ROUTEMETRICS_STREAMS_PORT + 1))"
export ROUTEMETRICS_INGEST_API_KEYS_FILE="$out/api-keys.json"
export ROUTEMETRICS_RUN_DIR="$out/run"
export ROUTEMETRICS_LOGS="$out/logs"
export ROUTEMETRICS_GENERATION=""
mkdir -p "$ROUTEMETRICS_LOGS"

"$DEPLOY_DIR/up.sh" >"$ROUTEMETRICS_LOGS/up.log"
if [ "$build" = 1 ]; then
  mvn -B -q package -DskipTests >"$ROUTEMETRICS_LOGS/build.log" 2>&1 || { tail -n 40 "$ROUTEMETRICS_LOGS/build.log"; die "build failed"; }
fi
ROUTEMETRICS_API_KEY="$(bin/routemetrics keys add "$run")"
export ROUTEMETRICS_API_KEY
simulator=""
# On every exit (the end, an error, Ctrl-C, SIGTERM): the simulator (its subshell and the java
# under it) and the run's services.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$simulator" ]; then
    pkill -TERM -P "$simulator" 2>/dev/null || true
    kill "$simulator" 2>/dev/null || true
  fi
  "$DEPLOY_DIR/services.sh" stop ingest streams sink >/dev/null 2>&1 || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$DEPLOY_DIR/services.sh" start ingest streams sink >"$ROUTEMETRICS_LOGS/services-start.log" 2>&1 \
  || { cat "$ROUTEMETRICS_LOGS/services-start.log" >&2; die "$run: the services did not start"; }

ch() { clickhouse-client --port "$CLICKHOUSE_TCP_PORT" -q "$1" 2>/dev/null; }
# Unix second of the newest channel_metrics row ClickHouse received (0 while none, or while it is down).
newest_write() {
  local t
  t="$(ch "SELECT toUnixTimestamp(max(written_at)) FROM $run.channel_metrics")" || t=0
  echo "${t:-0}"
}
# One usage event of now on direct-api: gives the pipeline something to carry after a fault even
# once the simulated traffic has all been processed. Its windows lie after the simulated days.
probe() {
  local body i
  body="$(printf '{"event_id":"%s-probe-%d","event_time":"%s","channel_id":"direct-api","account_id":"probe","end_user_ref":null,"model_id":"frontier-fast","request_id":"%s-probe-%d","request_count":1,"input_tokens":1,"output_tokens":1,"latency_ms":1,"outcome":"SUCCESS","telemetry":"METADATA"}' \
    "$run" "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$run" "$1")"
  for ((i = 0; i < 120; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -XPOST "http://127.0.0.1:$port/v1/events/usage" \
      -H "Authorization: Bearer $ROUTEMETRICS_API_KEY" -H 'Content-Type: application/json' -d "$body")" = 202 ] && return 0
    sleep 1
  done
  die "probe $1 not accepted within two minutes"
}

start="$(date -u -d '2 days ago 00:00' +%Y-%m-%dT%H:%M:%SZ)"
# An hour of margin before today, where the probes are.
latest="$(date -u -d 'yesterday 23:00' +%Y-%m-%dT%H:%M:%SZ)"
# Batches as large as keep arrival order within half a simulated minute (a conflicting payload comes
# at least a minute after its original): 8 requests in flight, at most 100 events each.
batch=$((events / 1440 / 2 / 8))
batch=$((batch < 1 ? 1 : batch > 100 ? 100 : batch))
log "$run: simulating $events records of one day from $start, posted over HTTP to :$port in batches of $batch; ${#fault_list[@]} faults, $every s apart"
began=$(date +%s)
# The simulator's exit code and the second it finished, for the report.
(
  rc=0
  bin/routemetrics simulate --to http --url "http://127.0.0.1:$port" --start "$start" --duration P1D --events "$events" \
    --concurrency 8 --batch "$batch" --seed 13 --latest-event-time "$latest" --no-progress --out "$out/simulation" \
    >"$out/simulate.log" 2>&1 || rc=$?
  date +%s >"$out/simulate.done"
  exit "$rc"
) &
simulator=$!

{
  echo "Fault run $run: $events simulated records over HTTP, faults $every s apart."
  echo
  echo '| # | fault | at (s into the run) | down (s) | rows reach ClickHouse again after (s) |'
  echo '|---|---|---:|---:|---:|'
} >"$report"
n=0
for what in "${fault_list[@]}"; do
  n=$((n + 1))
  sleep "$every"
  t0=$(date +%s)
  case "$what" in
    streams|sink)
      pid="$(cat "$ROUTEMETRICS_RUN_DIR/$what.pid")"
      kill -KILL "$pid"
      name="$what SIGKILL"
      sleep 2
      "$DEPLOY_DIR/services.sh" start "$what" >/dev/null ;;
    kafka)
      name="Kafka broker restart"
      "$DEPLOY_DIR/kafka.sh" stop >/dev/null; "$DEPLOY_DIR/kafka.sh" start >/dev/null ;;
    clickhouse)
      name="ClickHouse restart"
      "$DEPLOY_DIR/clickhouse.sh" stop >/dev/null; sleep 5; "$DEPLOY_DIR/clickhouse.sh" start >/dev/null ;;
  esac
  t1=$(date +%s)
  probe "$n"
  flowing="no new rows within 300 s"
  for ((i = 0; i < 300; i++)); do
    if [ "$(newest_write)" -ge "$t1" ]; then flowing=$(($(date +%s) - t0)); break; fi
    sleep 1
  done
  printf '| %d | %s | %d | %d | %s |\n' "$n" "$name" $((t0 - began)) $((t1 - t0)) "$flowing" | tee -a "$report"
done

wait "$simulator" || { tail -n 20 "$out/simulate.log"; die "the simulator failed"; }
simulator=""
sent=$(cat "$out/simulate.done")
log "$run: all records sent $((sent - began)) s after the start: $(tail -n 1 "$out/simulate.log")"
log "$run: waiting for the numbers and comparing them with the expectation"
verified=1
for window in HOUR DAY MINUTE; do
  bin/routemetrics verify "$out/simulation/expected-metrics.json" --window "$window" --timeout 1800 \
    >"$out/verify-$window.txt" 2>/dev/null || verified=0
  log "$run: $window: $(head -n 1 "$out/verify-$window.txt")"
  [ "$verified" = 1 ] || break
done
done_at=$(date +%s)
{
  echo
  grep -E '^posted to' "$out/simulate.log" || true
  tail -n 1 "$out/simulate.log"
  echo "All sent $((sent - began)) s after the start; verified $((done_at - began)) s after the start:"
  for window in HOUR DAY MINUTE; do [ ! -s "$out/verify-$window.txt" ] || echo "- $(head -n 1 "$out/verify-$window.txt")"; done
} >>"$report"
cat "$report"
"$DEPLOY_DIR/services.sh" stop ingest streams sink >/dev/null
[ "$verified" = 1 ] || die "$run: ClickHouse does not equal the expectation (see $out)"
if [ "$keep" = 0 ]; then
  ch "DROP DATABASE IF EXISTS $run" || true
  "$DEPLOY_DIR/kafka.sh" topics --delete --topic "$run-.*" >/dev/null 2>&1 || true
  log "$run: passed; report in $report (topics and database dropped)"
else
  log "$run: passed; report in $report (data kept in database $run and topics $run-*)"
fi
