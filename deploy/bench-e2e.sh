#!/usr/bin/env bash
# The whole pipeline's speed beside the raw ceilings of its parts, measured in one run:
#   1. the records of a seeded day of seven-route traffic (every fault type) are written to files;
#   2. baselines on the same servers: Kafka's ProducerPerformance writes as many 167-byte records
#      (acks=all, idempotent, lz4), and clickhouse-client bulk-inserts those records (JSONEachRow);
#   3. the same records go over HTTP (batches of 500) into ingest -> Kafka -> streams (exactly_once_v2)
#      -> sink -> ClickHouse, in a namespace and database of their own, until every HOUR and DAY row
#      in ClickHouse equals the simulator's independent expectation: that instant ends the run;
#   4. freshness: live usage (event time = now) at each --rate events/s for --freshness-seconds,
#      polled in ClickHouse every 100 ms: event time to queryable, p50/p99;
#   5. all along, CPU, RSS and heap of ingest, streams, sink, the broker and ClickHouse every second.
# Writes result.json, result.md and plot.png per size to docs/bench-e2e/<size>/ (and the raw
# samples under .state/bench-e2e/), and prints a table across sizes. Loopback only; stops by itself,
# and on any exit (an error, Ctrl-C, SIGTERM) stops the services and the watcher it started. A run
# whose first request the ingest refuses (401 for the run's key, say) stops at once with that answer.
#   deploy/bench-e2e.sh [--events N[,N...]] [--rate R[,R...]] [--freshness-seconds S]
#   defaults: --events 1000000 --rate 1000,5000 --freshness-seconds 120
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=service-checks.sh
source "$DEPLOY_DIR/service-checks.sh"
cd "$REPO"

watcher=""
services_started=0
# On every exit: the watcher and the services this script started, so that a failed run leaves
# nothing behind for the next one to collide with.
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$watcher" ]; then kill "$watcher" 2>/dev/null || true; wait "$watcher" 2>/dev/null || true; fi
  if [ "$services_started" = 1 ]; then
    log "stopping the services this run started"
    "$DEPLOY_DIR/services.sh" stop ingest streams sink >/dev/null || true
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

sizes=1000000
rates=1000,5000
fresh_seconds=120
while [ $# -gt 0 ]; do
  case "$1" in
    --events) sizes="$2"; shift 2 ;;
    --rate) rates="$2"; shift 2 ;;
    --freshness-seconds) fresh_seconds="$2"; shift 2 ;;
    -h|--help) sed -n '2,16p' "$0"; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done

"$DEPLOY_DIR/up.sh" >/dev/null
mvn -B -q package -DskipTests >"$ROUTEMETRICS_LOGS/build.log" 2>&1 || { tail -n 40 "$ROUTEMETRICS_LOGS/build.log"; die "build failed"; }
ch() { clickhouse-client --port "$CLICKHOUSE_TCP_PORT" "$@"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }

summary="$ROUTEMETRICS_STATE/bench-e2e/summary-$(date +%s).md"
mkdir -p "$(dirname "$summary")"
printf '| records | end to end records/s | ProducerPerformance records/s | ratio | clickhouse-client rows/s | ratio | freshness p50 / p99 ms | streams CPU mean | heap max MiB (ingest / streams / sink / broker) |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n' >"$summary"

for events in ${sizes//,/ }; do
  run="e2e$(date +%s)"
  out="$ROUTEMETRICS_STATE/bench-e2e/$run"
  mkdir -p "$out"
  # Everything of this run under names of its own: the demo's data stays as it is.
  export ROUTEMETRICS_TOPIC_NAMESPACE="$run-" ROUTEMETRICS_CLICKHOUSE_DATABASE="$run"
  export ROUTEMETRICS_STREAMS_APPLICATION_ID="$run-metrics" ROUTEMETRICS_SINK_GROUP_ID="$run-sink"
  start="$(date -u -d '2 days ago 00:00' +%Y-%m-%dT%H:%M:%SZ)"
  latest="$(date -u -d 'today 00:00' +%Y-%m-%dT%H:%M:%SZ)"
  sim=(--start "$start" --duration P1D --events "$events" --seed 13 --latest-event-time "$latest" --no-progress)

  log "$run: writing the records of a simulated day of about $events events to files"
  # The simulator holds late deliveries until their arrival: more heap than a service for 10M records.
  ROUTEMETRICS_JAVA_OPTS="${BENCH_SIMULATOR_JAVA_OPTS:--Xmx3g}" bin/routemetrics simulate --to file --out "$out/files" "${sim[@]}" >"$out/simulate-files.log"
  records=$(cat "$out/files/"{usage,billing,feedback}.ndjson | wc -l)

  log "$run: baseline 1 of 2, Kafka ProducerPerformance, $records records of 167 bytes"
  producer_rate="$(producer_performance "${run}-raw" "$records" 167)"

  log "$run: baseline 2 of 2, clickhouse-client inserting the same $records records"
  ch -q "CREATE DATABASE IF NOT EXISTS $run"
  ch -q "CREATE TABLE $run.bulk_events (event_id String, event_time String, channel_id String, account_id String,
    model_id String) ENGINE = MergeTree ORDER BY (channel_id, event_id)"
  t0=$(now)
  cat "$out/files/"{usage,billing,feedback}.ndjson | ch --input_format_skip_unknown_fields=1 \
    --input_format_allow_errors_num=100000 --input_format_allow_errors_ratio=0.01 \
    -q "INSERT INTO $run.bulk_events FORMAT JSONEachRow"
  ch_seconds=$(elapsed "$t0" "$(now)")
  ch_rows=$(ch -q "SELECT count() FROM $run.bulk_events")
  ch_rate=$(awk -v n="$ch_rows" -v s="$ch_seconds" 'BEGIN { printf "%.0f", n / s }')

  log "$run: starting ingest, streams and sink on the run's topics and database"
  "$DEPLOY_DIR/services.sh" stop ingest streams sink >/dev/null
  services_started=1
  "$DEPLOY_DIR/services.sh" start ingest streams sink >"$out/services-start.log" 2>&1 \
    || { cat "$out/services-start.log" >&2; die "$run: the services did not start"; }
  ROUTEMETRICS_API_KEY="$(bin/routemetrics keys add "$run")"
  export ROUTEMETRICS_API_KEY
  require_accepted "$run" "http://127.0.0.1:$ROUTEMETRICS_INGEST_PORT" usage "$out/files/usage.ndjson"
  procs=()
  for s in ingest streams sink; do procs+=(--process "$s=$(cat "$ROUTEMETRICS_STATE/run/$s.pid")"); done
  procs+=(--process "broker=$(cat "$KAFKA_HOME/kafka.pid")" --process "clickhouse=$(cat "$CLICKHOUSE_HOME/clickhouse.pid")")
  bin/routemetrics bench-e2e watch --out "$out" --ingest-url "http://127.0.0.1:$ROUTEMETRICS_INGEST_PORT" "${procs[@]}" \
    >"$out/watch.log" 2>&1 &
  watcher=$!
  sleep 3

  log "$run: end to end, $records records over HTTP at full speed"
  t0=$(now)
  ROUTEMETRICS_JAVA_OPTS="${BENCH_SIMULATOR_JAVA_OPTS:--Xmx3g}" bin/routemetrics simulate --to http \
    --url "http://127.0.0.1:$ROUTEMETRICS_INGEST_PORT" --batch 500 --concurrency 8 \
    --out "$out/simulation" "${sim[@]}" >"$out/simulate-http.log" 2>&1 || { tail -n 20 "$out/simulate-http.log"; die "the simulator failed"; }
  t1=$(now)
  log "$run: sent in $(elapsed "$t0" "$t1") s ($(head -n 1 "$out/simulate-http.log" | cut -c1-160)); waiting for every metric"
  bin/routemetrics verify "$out/simulation/expected-metrics.json" --window HOUR --timeout 3600 >"$out/verify-hour.txt" \
    || { cat "$out/verify-hour.txt"; die "$run: ClickHouse does not equal the expectation"; }
  t2=$(now)
  bin/routemetrics verify "$out/simulation/expected-metrics.json" --window DAY --timeout 600 >"$out/verify-day.txt" \
    || { cat "$out/verify-day.txt"; die "$run: DAY rows do not equal the expectation"; }
  log "$run: $(cat "$out/verify-hour.txt") after $(elapsed "$t0" "$t2") s"

  for rate in ${rates//,/ }; do
    log "$run: freshness, live usage at $rate events/s for $fresh_seconds s"
    bin/routemetrics bench-e2e freshness --out "$out" --url "http://127.0.0.1:$ROUTEMETRICS_INGEST_PORT" --rate "$rate" \
      --seconds "$fresh_seconds" --patience 300 2>>"$out/freshness.log" | tee -a "$out/freshness.log" \
      || log "$run: at $rate events/s not every tick was queryable within the probe's patience (see $out/freshness.log)"
  done
  kill "$watcher" 2>/dev/null || true
  wait "$watcher" 2>/dev/null || true
  watcher=""
  "$DEPLOY_DIR/services.sh" stop ingest streams sink >/dev/null
  services_started=0

  bin/routemetrics bench-e2e report --out "$out" --events "$records" --e2e-seconds "$(elapsed "$t0" "$t2")" \
    --send-seconds "$(elapsed "$t0" "$t1")" --producer-rate "$producer_rate" --clickhouse-rate "$ch_rate" >"$out/report.log"
  docs="$REPO/docs/bench-e2e/$events"
  mkdir -p "$docs"
  cp "$out/result.json" "$out/result.md" "$out/plot.png" "$docs/"
  cat "$out/result.md"
  python3 - "$out/result.json" >>"$summary" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1])); p = r["processes"]
fresh = "; ".join(f"{f['rate_per_second']}/s: {f['p50_ms']} / {f['p99_ms']}" for f in r["freshness"])
heap = lambda n: "—" if p.get(n, {}).get("heap_used_mib_max") is None else str(round(p[n]["heap_used_mib_max"]))
print(f"| {r['events']:,} | {r['e2e_events_per_second']:,.0f} | {r['producer_performance_records_per_second']:,.0f} | "
      f"{r['e2e_vs_producer_percent']}% | {r['clickhouse_client_rows_per_second']:,.0f} | {r['e2e_vs_clickhouse_client_percent']}% | "
      f"{fresh} | {p['streams']['cpu_percent_mean']}% | "
      f"{heap('ingest')} / {heap('streams')} / {heap('sink')} / {heap('broker')} |")
EOF
  log "$run: done; data kept in database $run (drop it with: clickhouse-client -q 'DROP DATABASE $run')"
done
echo
cat "$summary"
