#!/usr/bin/env bash
# Ingest throughput beside Kafka's own ceiling, measured in the same run against the same broker:
#   1. Kafka's ProducerPerformance, records of the same mean size as our usage events, with the
#      producer settings the edge uses (acks=all, idempotent, lz4, linger 5 ms);
#   2. the HTTP edge at batch sizes 1, 100 and 1000 (each 202 means Kafka acknowledged).
# Prints a markdown table for docs/benchmarks.md. Loopback only; stops by itself.
#   deploy/bench-ingest.sh [EVENTS]    (default 300000)
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

events="${1:-300000}"
# A port of its own beside the services' (18080 with the default ports).
port="${ROUTEMETRICS_BENCH_INGEST_PORT:-$((ROUTEMETRICS_INGEST_PORT + 10000))}"
ns="bench-$(date +%s)."
keys="$ROUTEMETRICS_STATE/bench-api-keys.json"

"$DEPLOY_DIR/up.sh" >/dev/null
mvn -B -q package -DskipTests >"$ROUTEMETRICS_LOGS/build.log" 2>&1 || { tail -n 40 "$ROUTEMETRICS_LOGS/build.log"; die "build failed"; }
key="$(bin/routemetrics keys add bench --set "routemetrics.ingest.api.keys.file=$keys")"

ROUTEMETRICS_INGEST_PORT=$port ROUTEMETRICS_TOPIC_NAMESPACE="$ns" ROUTEMETRICS_INGEST_API_KEYS_FILE="$keys" \
  bin/routemetrics ingest >"$ROUTEMETRICS_LOGS/bench-ingest.log" 2>&1 &
ingest_pid=$!
trap 'kill $ingest_pid 2>/dev/null || true' EXIT
for ((i = 0; i < 60; i++)); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 1; done

size="$(bin/routemetrics bench-ingest --record-size --api-key "$key" --events 10000)"
log "mean usage record: $size bytes; $events events per run"

raw_rate="$(producer_performance "${ns}raw" "$events" "$size")"
log "ProducerPerformance: $(tail -n 1 "$ROUTEMETRICS_LOGS/producer-performance.log")"

printf '| path | batch size | events | events/s | vs ProducerPerformance |\n|---|---:|---:|---:|---:|\n'
printf '| Kafka ProducerPerformance (%s-byte records) | — | %d | %.0f | 100%% |\n' "$size" "$events" "$raw_rate"
for batch in 1 100 1000; do
  n=$events
  [ "$batch" -gt 1 ] || n=$((events / 10))
  read -r b total accepted failed seconds rate < <(ROUTEMETRICS_JAVA_OPTS=-Xmx3g bin/routemetrics bench-ingest --url "http://127.0.0.1:$port" \
    --api-key "$key" --events "$n" --batch "$batch" --concurrency 16)
  [ "$failed" -eq 0 ] || log "batch $b: $failed requests failed"
  printf '| HTTP ingest, 202 after Kafka ack | %d | %d | %.0f | %.0f%% |\n' "$b" "$accepted" "$rate" \
    "$(awk -v a="$rate" -v b="$raw_rate" 'BEGIN { print 100 * a / b }')"
done
