#!/usr/bin/env bash
# The path a user would pick instead of routemetrics' topology, beside Kafka's own ceiling, in the
# same run, on the same broker and ClickHouse: ClickHouse's Kafka table engine reading JSON usage
# events from a topic, and a materialized view folding them into a per-channel, per-minute
# AggregatingMergeTree (sums, uniq, quantiles, count).
#   1. `simulate --to file` writes a seeded day of usage events as JSON lines (the ingest's JSON);
#   2. a fresh 3-partition topic, a Kafka engine table, the view and its target table are created,
#      and a probe record is produced until ClickHouse shows it (a new consumer group starts at the
#      END of the topic, so nothing may be produced before it consumes);
#   3. Kafka's ProducerPerformance sends EVENTS records drawn from those lines (--payload-file; it
#      picks a line at random for each record) with the edge's producer settings, and ClickHouse's
#      target table is polled every 200 ms until its count() states add up to EVENTS;
#   4. env.sh's producer_performance writes EVENTS random records of the lines' mean size to a
#      fresh topic: the baseline of this run.
# Prints a markdown table for docs/benchmarks.md. Loopback only; fails BENCH_TIMEOUT seconds (default
# 900) after the simulation, with what it saw; drops its database, topics and consumer group on any exit, and
# those a killed earlier run left behind on start.
#   deploy/bench-kafka-engine.sh [EVENTS]    (default 200000)
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

events="${1:-200000}"
[[ "$events" =~ ^[1-9][0-9]*$ ]] || die "EVENTS must be a positive whole number, got '$events'"
timeout_s="${BENCH_TIMEOUT:-900}"
[[ "$timeout_s" =~ ^[1-9][0-9]*$ ]] || die "BENCH_TIMEOUT must be a positive whole number of seconds, got '$timeout_s'"

prefix="bench-kafka-engine-"
run="$(date +%s)"
topic="${prefix}${run}"
raw_topic="${prefix}${run}-raw"
group="${prefix}${run}"
db="bench_kafka_engine_${run}"
work="$ROUTEMETRICS_STATE/bench-kafka-engine"
producer_log="$ROUTEMETRICS_LOGS/bench-kafka-engine-producer.log"
producer_pid=""

load_start="$(cat /proc/loadavg)"
"$DEPLOY_DIR/up.sh" >/dev/null
mvn -B -q package -DskipTests >"$ROUTEMETRICS_LOGS/build.log" 2>&1 || { tail -n 40 "$ROUTEMETRICS_LOGS/build.log"; die "build failed"; }

# Kafka's command-line tools, bounded in time like everything else here.
kafka_tool() {
  timeout 180 java -cp "$KAFKA_LIB/*" -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2-tools.properties" "$@"
}
topics_tool() { kafka_tool org.apache.kafka.tools.TopicCommand --bootstrap-server "$KAFKA_BOOTSTRAP" "$@"; }
groups_tool() { kafka_tool org.apache.kafka.tools.consumer.group.ConsumerGroupCommand --bootstrap-server "$KAFKA_BOOTSTRAP" "$@"; }
# SQL over HTTP, uncompressed (18.16's compressed responses come back empty).
ch() { curl -sS --fail-with-body --max-time 60 "$CLICKHOUSE_URL/" --data-binary "$1"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", b - a }'; }
counted() { ch "SELECT countMerge(events) FROM ${db}.usage_minute WHERE channel_id != '__probe__'"; }
time_left() { ((SECONDS < deadline)); }

# Drops this run's objects, or with `leftovers` those of any earlier run that could not clean up
# (one run at a time per pair of servers). The view and the engine table go first (DROP
# DATABASE), so the group is empty when it is deleted.
cleanup() {
  local which="$1" dbs topics="${prefix}${run}.*" groups name out
  if [[ "$which" == leftovers ]]; then
    dbs="$(ch "SELECT name FROM system.databases WHERE name LIKE 'bench_kafka_engine_%'" || true)"
    topics="${prefix}.*"
    groups="$(groups_tool --list 2>/dev/null | grep "^${prefix}" || true)"
  else
    dbs="$db" groups="$group"
  fi
  for name in $dbs; do ch "DROP DATABASE IF EXISTS $name" >/dev/null || true; done
  for name in $groups; do
    # The consumer leaves when its table is dropped; until it has, the group is not empty.
    for _ in 1 2 3 4 5; do
      out="$(groups_tool --delete --group "$name" 2>&1)" && break
      [[ "$out" == *"does not exist"* || "$out" == *GroupIdNotFound* ]] && break
      sleep 2
    done
  done
  # --topic takes a regular expression when deleting.
  topics_tool --delete --if-exists --topic "$topics" >/dev/null 2>&1 || true
}
on_exit() {
  local rc=$?
  trap - EXIT INT TERM
  if [[ -n "$producer_pid" ]] && kill -0 "$producer_pid" 2>/dev/null; then kill "$producer_pid" 2>/dev/null || true; fi
  cleanup this
  exit "$rc"
}

cleanup leftovers
trap on_exit EXIT
trap 'exit 130' INT TERM

# 1. A seeded day of usage events as the ingest's JSON lines. Malformed ones (event_id bad-…,
#    fields the edge would refuse) are left out of the payloads: one unparsable row stops 18.16's
#    Kafka engine on that offset for good, and routemetrics' edge refuses them before Kafka.
log "simulating a day of about $events records into $work"
rm -rf "$work"
bin/routemetrics simulate --to file --out "$work/sim" --events "$events" --duration P1D --no-progress \
  >"$ROUTEMETRICS_LOGS/bench-kafka-engine-sim.log" 2>&1 || { tail -n 20 "$ROUTEMETRICS_LOGS/bench-kafka-engine-sim.log"; die "simulate failed"; }
payloads="$work/usage-payloads.ndjson"
grep -v '"event_id":"bad-' "$work/sim/usage.ndjson" >"$payloads" || true
lines="$(wc -l <"$payloads")"
malformed=$(($(wc -l <"$work/sim/usage.ndjson") - lines))
[[ "$lines" -gt 0 ]] || die "the simulation wrote no usage lines ($work/sim/usage.ndjson)"
mean_size="$(awk '{ bytes += length($0) } END { printf "%.0f", bytes / NR }' "$payloads")"
log "$lines usage lines of $mean_size bytes on average as payloads ($malformed malformed lines left out)"

# From here on every wait counts against BENCH_TIMEOUT.
deadline=$((SECONDS + timeout_s))

# 2. Topic, Kafka engine table, target table and view. 18.16's JSONEachRow reads the event's
#    fields as they are; event_time (ISO-8601 with milliseconds and Z) is parsed in the view.
topics_tool --create --topic "$topic" --partitions 3 --replication-factor 1 >/dev/null
ch "CREATE DATABASE $db"
ch "CREATE TABLE ${db}.usage_queue (
      event_id String, event_time String, channel_id String, account_id String, end_user_ref Nullable(String),
      model_id String, request_id String, request_count UInt32, input_tokens UInt64, output_tokens UInt64,
      latency_ms UInt32, outcome String, telemetry String)
    ENGINE = Kafka('$KAFKA_BOOTSTRAP', '$topic', '$group', 'JSONEachRow')"
ch "CREATE TABLE ${db}.usage_minute (
      channel_id String, minute DateTime,
      requests AggregateFunction(sum, UInt64),
      input_tokens AggregateFunction(sum, UInt64),
      output_tokens AggregateFunction(sum, UInt64),
      accounts AggregateFunction(uniq, String),
      latency_ms AggregateFunction(quantiles(0.5, 0.95, 0.99), UInt32),
      events AggregateFunction(count))
    ENGINE = AggregatingMergeTree() PARTITION BY toDate(minute) ORDER BY (channel_id, minute)"
ch "CREATE MATERIALIZED VIEW ${db}.usage_minute_mv TO ${db}.usage_minute AS
    SELECT channel_id, toStartOfMinute(parseDateTimeBestEffort(event_time)) AS minute,
      sumState(toUInt64(request_count)) AS requests, sumState(input_tokens) AS input_tokens,
      sumState(output_tokens) AS output_tokens, uniqState(account_id) AS accounts,
      quantilesState(0.5, 0.95, 0.99)(latency_ms) AS latency_ms, countState() AS events
    FROM ${db}.usage_queue GROUP BY channel_id, minute"

# A new group starts at the end of the topic: wait until ClickHouse's consumer holds all three
# partitions, then produce probe records until one is counted, so the group has a position.
log "waiting for ClickHouse's consumer to join group $group"
until [[ "$(groups_tool --describe --group "$group" 2>/dev/null | awk -v t="$topic" '$2 == t && $7 ~ /^ClickHouse/' | wc -l)" -eq 3 ]]; do
  time_left || die "ClickHouse's consumer did not join group $group in ${timeout_s} s: $(groups_tool --describe --group "$group" 2>&1 | tail -n 4)"
  sleep 1
done
printf '%s\n' '{"event_id":"probe","event_time":"2026-11-20T00:00:00.000Z","channel_id":"__probe__","account_id":"probe","end_user_ref":null,"model_id":"probe","request_id":"probe","request_count":1,"input_tokens":0,"output_tokens":0,"latency_ms":0,"outcome":"SUCCESS","telemetry":"NONE"}' >"$work/probe.ndjson"
probed=0
while [[ "$probed" == 0 ]]; do
  time_left || die "no probe record reached ${db}.usage_minute in ${timeout_s} s (see $ROUTEMETRICS_LOGS/clickhouse.err.log)"
  kafka_tool org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records 1 --payload-file "$work/probe.ndjson" \
    --throughput -1 --producer-props "bootstrap.servers=$KAFKA_BOOTSTRAP" acks=all >/dev/null 2>&1
  # The engine writes a block when it is full or after stream_flush_interval_ms (7.5 s by default).
  for _ in $(seq 1 75); do
    probed="$(ch "SELECT countMerge(events) FROM ${db}.usage_minute WHERE channel_id = '__probe__'")"
    [[ "$probed" != 0 ]] && break
    sleep 0.2
  done
done
log "ClickHouse consumes $topic; producing $events records"

# 3. Produce, and poll the target table every 200 ms. The clock starts at the producer's first
#    send: ProducerPerformance prints its total (records/s over its send loop, after a flush) when
#    done, so the first send was N / rate before that line appeared. Its JVM start and producer
#    creation (tens of seconds on a loaded machine) are left out.
: >"$producer_log"
launched="$(now)"
timeout "$timeout_s" java -Xmx512m -cp "$KAFKA_LIB/*" -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2-tools.properties" \
  org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$events" --payload-file "$payloads" \
  --payload-delimiter "\n" --throughput -1 --producer-props "bootstrap.servers=$KAFKA_BOOTSTRAP" acks=all enable.idempotence=true \
  linger.ms=5 compression.type=lz4 >"$producer_log" 2>&1 &
producer_pid=$!
total_at=""
first="" ninety="" done_at="" seen=0 producer_done=""
while :; do
  t="$(now)"
  if [[ -z "$total_at" ]] && grep -q ' 99.9th' "$producer_log"; then total_at="$t"; fi
  if [[ -z "$producer_done" ]] && ! kill -0 "$producer_pid" 2>/dev/null; then
    wait "$producer_pid" || die "ProducerPerformance failed: $(tail -n 5 "$producer_log")"
    producer_done="$t"
  fi
  seen="$(counted)"
  [[ -z "$first" && "$seen" -gt 0 ]] && first="$t"
  [[ -z "$ninety" && $((seen * 10)) -ge $((events * 9)) ]] && ninety="$t"
  if [[ "$seen" -ge "$events" ]]; then done_at="$t"; break; fi
  time_left || die "after ${timeout_s} s ClickHouse counted $seen of $events events; producer: $(tail -n 1 "$producer_log"); group: $(groups_tool --describe --group "$group" 2>&1 | tail -n 3)"
  sleep 0.2
done
until [[ -n "$total_at" ]] || ! kill -0 "$producer_pid" 2>/dev/null; do
  grep -q ' 99.9th' "$producer_log" && total_at="$(now)" && break
  sleep 0.2
done
if [[ -z "$producer_done" ]]; then
  wait "$producer_pid" || die "ProducerPerformance failed: $(tail -n 5 "$producer_log")"
  producer_done="$(now)"
fi
[[ -n "$total_at" ]] || total_at="$producer_done"
producer_pid=""
read_lines="$(sed -nE 's/^Number of records read: ([0-9]+).*/\1/p' "$producer_log")"
[[ "$read_lines" == "$lines" ]] || die "ProducerPerformance read ${read_lines:-no} payloads from $payloads, which has $lines lines"
producer_line="$(grep ' records sent, ' "$producer_log" | tail -n 1)"
producer_rate="$(sed -E 's/.* records sent, ([0-9.]+) records\/sec.*/\1/' <<<"$producer_line")"
started="$(awk -v t="$total_at" -v n="$events" -v r="$producer_rate" 'BEGIN { printf "%.3f", t - n / r }')"
engine_seconds="$(elapsed "$started" "$done_at")"
engine_rate="$(awk -v n="$events" -v s="$engine_seconds" 'BEGIN { printf "%.0f", n / s }')"
summary="$(ch "SELECT uniqExact(channel_id), count(), sumMerge(requests), uniqMerge(accounts) FROM ${db}.usage_minute WHERE channel_id != '__probe__' FORMAT TSV")"
read -r channels minutes requests accounts <<<"$summary"

# 4. The baseline of this run: random records of the payloads' mean size, same settings.
log "baseline: producer_performance, $events records of $mean_size bytes"
export -f producer_performance
raw_rate="$(timeout 300 bash -c 'producer_performance "$@"' _ "$raw_topic" "$events" "$mean_size")" \
  || die "the baseline ProducerPerformance failed or took over 300 s (see $ROUTEMETRICS_LOGS/producer-performance.log)"
load_end="$(cat /proc/loadavg)"

pct() { awk -v a="$1" -v b="$raw_rate" 'BEGIN { printf "%.0f%%", 100 * a / b }'; }
printf '| path | records | seconds | records/s | vs ProducerPerformance |\n|---|---:|---:|---:|---:|\n'
printf '| Kafka ProducerPerformance (random %d-byte records, new topic) | %d | %.2f | %.0f | 100%% |\n' \
  "$mean_size" "$events" "$(awk -v n="$events" -v r="$raw_rate" 'BEGIN { print n / r }')" "$raw_rate"
printf '| ProducerPerformance sending the usage JSON lines (--payload-file) while ClickHouse consumes | %d | %.2f | %.0f | %s |\n' \
  "$events" "$(awk -v n="$events" -v r="$producer_rate" 'BEGIN { print n / r }')" "$producer_rate" "$(pct "$producer_rate")"
printf '| ClickHouse Kafka engine + materialized view → AggregatingMergeTree, first send to all counted | %d | %s | %d | %s |\n' \
  "$events" "$engine_seconds" "$engine_rate" "$(pct "$engine_rate")"
echo
echo "Counted $seen events (sum of count() states; ${events} sent) in $minutes channel-minute rows over $channels channels: $requests requests, about $accounts accounts."
echo "First rows counted after $(elapsed "$started" "$first") s, 90% after $(elapsed "$started" "$ninety") s, all after $engine_seconds s; the producer's total after $(elapsed "$started" "$total_at") s (its JVM start and producer creation, $(elapsed "$launched" "$started") s, not timed)."
echo "Payloads: $lines usage lines of the simulation ($mean_size bytes on average, $malformed malformed left out), each record one drawn at random."
echo "What the Kafka engine path does not do: no dedupe by event_id (a resent event counts twice), no lateness bound (any old event_time reopens its minute), no join of feedback to its request, at-least-once (its offsets are committed after the insert, so a crash between the two counts a block twice), no partial-tally versions (rows only add up; a window is never restated)."
echo "Load average at start: $load_start; at end: $load_end"
