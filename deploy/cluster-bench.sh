#!/usr/bin/env bash
# One broker against three, and one stream thread against two, in one run on the same machine:
#   1. the same seeded day of seven-route traffic (`simulate --to kafka`, seed 11) goes into fresh
#      topics on the single broker of up.sh (replication factor 1) and on deploy/cluster.sh's three
#      brokers (replication factor 3, min.insync.replicas 2);
#   2. the metrics topology (`routemetrics bench-streams`, exactly_once_v2, a fresh application id,
#      internal topics at the same replication factor) consumes each until every input record and
#      every repartition topic is drained: on the single broker with 1 instance, on the cluster with
#      1 instance and then 2 instances (two processes of one application id sharing the tasks, timed
#      until the last of them sees the group done), 1 stream thread each;
#   3. the sink (`routemetrics sink`, a fresh database and consumer group) moves what the topology
#      read and wrote (the raw events and the metric rows) into ClickHouse: up.sh's one server, and
#      the cluster's 2 shards x 2 replicas through its Distributed tables; timed from its first row
#      written until its /health says no lag (the migrations and the group join are its start-up);
#   4. the HTTP edge (`routemetrics ingest`, 202 only after Kafka's acks=all) takes EVENTS usage events
#      in requests of 100 (`routemetrics bench-ingest`, 16 in flight) into fresh topics of each layout;
#   5. Kafka's ProducerPerformance writes as many 167-byte records (acks=all, idempotent, lz4) to a
#      6-partition topic of each replication factor: the brokers' own ceiling.
# One stage at a time, on the same machine, with the load average after each row (two cores: the
# figures are what a stage gets beside idle brokers, not what a core of its own would give).
# Prints a markdown table for docs/scaling.md; the logs go to .state/cluster-bench/<run>/.
#   deploy/cluster-bench.sh [EVENTS] [STAGES]    (defaults 50000 and streams,sink,ingest,raw; e.g.
#   `5000 sink,ingest,raw` leaves the streams rows out when the machine is too busy for them)
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

events="${1:-50000}"
stages=",${2:-streams,sink,ingest,raw},"
want() { [[ "$stages" == *",$1,"* ]]; }
run="cbench$(date +%s)"
out="$ROUTEMETRICS_STATE/cluster-bench/$run"
mkdir -p "$out"
# The single node as up.sh runs it; up.sh only when it is not listening (its readiness probe, a
# client JVM with 20 s to answer, failed at load 45 against a broker that was serving).
if ! port_open "$KAFKA_PORT" || ! port_open "$CLICKHOUSE_HTTP_PORT"; then
  "$DEPLOY_DIR/up.sh" >"$out/up.log" 2>&1 || { tail -n 20 "$out/up.log"; die "up.sh failed"; }
fi
"$DEPLOY_DIR/cluster.sh" up >"$out/cluster-up.log" 2>&1 || { tail -n 20 "$out/cluster-up.log"; die "cluster.sh up failed"; }
[ -f cli/target/routemetrics.jar ] || mvn -B -q package -DskipTests >"$out/build.log" 2>&1
single="$KAFKA_BOOTSTRAP"
cluster="$(sed -n 's/^export ROUTEMETRICS_KAFKA_BOOTSTRAP=//p' "$out/cluster-up.log")"
[ -n "$cluster" ] || die "cluster.sh up printed no bootstrap"
tools=(java -Xmx512m -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2-tools.properties" -cp "$KAFKA_LIB/*")

# fill NAME BOOTSTRAP RF: the run's topics on those brokers, then the seeded day into them.
fill() {
  java -cp "cli/target/routemetrics.jar:cli/target/lib/*" dev.routemetrics.schemas.topics.TopicProvisioner \
    "$2" 6 "$3" "$run-$1." >"$out/topics-$1.log" 2>&1
  bin/routemetrics simulate --to kafka --kafka-bootstrap "$2" --topic-namespace "$run-$1." --events "$events" \
    --duration P1D --seed 11 --no-progress --out "$out/simulation-$1" >"$out/simulate-$1.log" 2>&1
}
# streams NAME BOOTSTRAP RF THREADS: prints "records seconds records/s startup_s".
streams() {
  ROUTEMETRICS_KAFKA_BOOTSTRAP="$2" ROUTEMETRICS_KAFKA_REPLICATION_FACTOR="$3" ROUTEMETRICS_JAVA_OPTS=-Xmx1g \
    bin/routemetrics bench-streams --topic-namespace "$run-$1." --threads "$4" 2>"$out/bench-streams-$1-$4.log"
}
# streams2 NAME BOOTSTRAP RF: two processes of one application id; prints the slowest one's line.
streams2() {
  local app="$run-$1-shared" pids=() i
  for i in 1 2; do
    ROUTEMETRICS_KAFKA_BOOTSTRAP="$2" ROUTEMETRICS_KAFKA_REPLICATION_FACTOR="$3" ROUTEMETRICS_JAVA_OPTS=-Xmx1g \
      bin/routemetrics bench-streams --topic-namespace "$run-$1." --threads 1 --application-id "$app" \
      >"$out/bench-streams-$1-2i-$i.out" 2>"$out/bench-streams-$1-2i-$i.log" &
    pids+=("$!")
  done
  for i in "${pids[@]}"; do wait "$i" || die "a bench-streams instance failed (see $out/bench-streams-$1-2i-*.log)"; done
  sort -k2,2 -n -r "$out"/bench-streams-"$1"-2i-*.out | head -n 1
}
# raw NAME BOOTSTRAP RF RECORDS: ProducerPerformance records/s.
raw() {
  local extra=()
  [ "$3" = 1 ] || extra=(--config min.insync.replicas=2)
  "${tools[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$2" --create --topic "$run-$1-raw" \
    --partitions 6 --replication-factor "$3" "${extra[@]}" >/dev/null
  "${tools[@]}" org.apache.kafka.tools.ProducerPerformance --topic "$run-$1-raw" --num-records "$4" --record-size 167 \
    --throughput -1 --producer-props "bootstrap.servers=$2" acks=all enable.idempotence=true linger.ms=5 \
    compression.type=lz4 >"$out/producer-performance-$1.log" 2>&1
  tail -n 1 "$out/producer-performance-$1.log" | sed -E 's/.* records sent, ([0-9.]+) records\/sec.*/\1/'
}

cluster_ch_url="$(sed -n "s/^export ROUTEMETRICS_CLICKHOUSE_URL='\(.*\)'$/\1/p" "$out/cluster-up.log")"
cluster_ch="$(sed -n 's/^export ROUTEMETRICS_CLICKHOUSE_CLUSTER=//p' "$out/cluster-up.log")"
sink_port=$((ROUTEMETRICS_SINK_PORT + 40))
ingest_port=$((ROUTEMETRICS_INGEST_PORT + 40))
# health_sum JSON: "lagRecords pendingRecords rowsWritten" of a sink's /health (rows summed over its topics).
health_sum() {
  /usr/bin/python3 -c 'import json,sys
try:
    h = json.loads(sys.argv[1])
    print(h.get("lagRecords", -1), h.get("pendingRecords", -1), sum(t.get("rowsWritten", 0) for t in h.get("topics", [])))
except Exception:
    print(-1, -1, 0)' "$1"
}
# sink NAME BOOTSTRAP CLICKHOUSE_URL CLUSTER CH_TCP_PORT: one sink over what the streams row read
# and wrote; prints "rows seconds rows/s startup_s", timed from its workers' start (its log's first
# "sink: TOPIC -> TABLE" line, after the migrations) until its /health says lag 0 with nothing
# pending (polled every 0.5 s). Not from the first row /health shows: the workers move rows before
# /health answers, and on the cluster all 10,438 of a run's rows were in before its first answer.
sink() {
  local db="${run}_$1" pid t0 tfirst="" tdone="" lag pending rows body
  t0=$(date +%s.%N)
  ROUTEMETRICS_KAFKA_BOOTSTRAP="$2" ROUTEMETRICS_CLICKHOUSE_URL="$3" ROUTEMETRICS_CLICKHOUSE_CLUSTER="$4" \
    ROUTEMETRICS_TOPIC_NAMESPACE="$run-$1." ROUTEMETRICS_CLICKHOUSE_DATABASE="$db" ROUTEMETRICS_SINK_GROUP_ID="$db" \
    ROUTEMETRICS_JAVA_OPTS=-Xmx512m bin/routemetrics sink --port "$sink_port" >"$out/sink-$1.log" 2>&1 &
  pid=$!
  while kill -0 "$pid" 2>/dev/null; do
    body="$(curl -s --max-time 5 "http://127.0.0.1:$sink_port/health" || true)"
    read -r lag pending rows < <(health_sum "$body")
    [ -n "$tfirst" ] || [ "$rows" -le 0 ] || tfirst=$(date +%s.%N)
    if [ -n "$tfirst" ] && [ "$lag" = 0 ] && [ "$pending" = 0 ]; then tdone=$(date +%s.%N); break; fi
    sleep 0.5
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ -n "$tdone" ] || { tail -n 20 "$out/sink-$1.log" >&2; die "the sink on $1 stopped before it was done (see $out/sink-$1.log)"; }
  clickhouse-client --port "$5" -q "DROP DATABASE IF EXISTS $db${4:+ ON CLUSTER $4}" >/dev/null 2>&1 || true
  local first
  first="$(grep -m1 -oE '^[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3} .* d\.r\.w\.sink\.Sink - sink: ' "$out/sink-$1.log" | cut -d' ' -f1)"
  [ -z "$first" ] || tfirst="$(date -u -d "$(date -u +%F) $first" +%s.%N)"
  awk -v n="$rows" -v a="$t0" -v f="$tfirst" -v d="$tdone" 'BEGIN { printf "%d %.1f %.0f %.1f\n", n, d - f, n / (d - f), f - a }'
}
# ingest NAME BOOTSTRAP RF: the HTTP edge into fresh topics of that replication factor; prints
# "events seconds events/s" (bench-ingest's own clock, after the ingest answered /health).
ingest() {
  local ns="$run-$1-ingest." keys="$out/api-keys-$1.json" key pid i b total accepted failed seconds rate
  java -cp "cli/target/routemetrics.jar:cli/target/lib/*" dev.routemetrics.schemas.topics.TopicProvisioner \
    "$2" 6 "$3" "$ns" >"$out/topics-$1-ingest.log" 2>&1
  key="$(bin/routemetrics keys add bench --set "routemetrics.ingest.api.keys.file=$keys")"
  ROUTEMETRICS_KAFKA_BOOTSTRAP="$2" ROUTEMETRICS_INGEST_PORT="$ingest_port" ROUTEMETRICS_TOPIC_NAMESPACE="$ns" \
    ROUTEMETRICS_INGEST_API_KEYS_FILE="$keys" bin/routemetrics ingest >"$out/ingest-$1.log" 2>&1 &
  pid=$!
  for ((i = 0; i < 300; i++)); do curl -sf --max-time 5 "http://127.0.0.1:$ingest_port/health" >/dev/null && break; sleep 1; done
  read -r b total accepted failed seconds rate < <(ROUTEMETRICS_JAVA_OPTS=-Xmx1g bin/routemetrics bench-ingest \
    --url "http://127.0.0.1:$ingest_port" --api-key "$key" --events "$events" --batch 100 --concurrency 16 2>"$out/bench-ingest-$1.log")
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  [ "${failed:-1}" = 0 ] || log "$run: ingest on $1: ${failed:-?} requests failed (see $out/bench-ingest-$1.log)"
  echo "$accepted $seconds $rate"
}

log "$run: filling both layouts with the same seeded day of about $events records"
fill single "$single" 1
fill cluster "$cluster" 3
load0="$(cut -d' ' -f1-3 /proc/loadavg)"
loads=()
# Each row's figures go to $out/rows.txt as soon as they are measured, so that a run stopped halfway
# (the machine taken by other work) still leaves what it measured.
mark() {
  loads+=("$1: $(cut -d' ' -f1-3 /proc/loadavg)")
  echo "$(date -u +%H:%M:%S) $1: ${2:-} (load $(cut -d' ' -f1-3 /proc/loadavg))" >>"$out/rows.txt"
  log "$run: $1 done: ${2:-}, load $(cut -d' ' -f1-3 /proc/loadavg)"
}
if want streams; then
  read -r rec1 sec1 rate1 start1 < <(streams single "$single" 1 1); mark "1 broker, 1 instance" "$rec1 $sec1 $rate1 $start1"
  read -r rec3 sec3 rate3 start3 < <(streams cluster "$cluster" 3 1); mark "3 brokers, 1 instance" "$rec3 $sec3 $rate3 $start3"
  read -r rec32 sec32 rate32 start32 < <(streams2 cluster "$cluster" 3); mark "3 brokers, 2 instances" "$rec32 $sec32 $rate32 $start32"
fi
if want sink; then
read -r sinkrows1 sinksec1 sinkrate1 sinkstart1 < <(sink single "$single" "$ROUTEMETRICS_CLICKHOUSE_URL" "" "$CLICKHOUSE_TCP_PORT"); mark "sink, 1 ClickHouse server" "$sinkrows1 $sinksec1 $sinkrate1 $sinkstart1"
read -r sinkrows3 sinksec3 sinkrate3 sinkstart3 < <(sink cluster "$cluster" "$cluster_ch_url" "$cluster_ch" "${CLUSTER_CH_BASE:-54000}"); mark "sink, 2 shards x 2 replicas" "$sinkrows3 $sinksec3 $sinkrate3 $sinkstart3"
fi
if want ingest; then
read -r ing1 ingsec1 ingrate1 < <(ingest single "$single" 1); mark "ingest, 1 broker" "$ing1 $ingsec1 $ingrate1"
read -r ing3 ingsec3 ingrate3 < <(ingest cluster "$cluster" 3); mark "ingest, 3 brokers" "$ing3 $ingsec3 $ingrate3"
fi
if want raw; then
  # As many records as the streams rows read, or EVENTS without them.
  raw1="$(raw single "$single" 1 "${rec1:-$events}")"; mark "ProducerPerformance RF 1" "$raw1"
  raw3="$(raw cluster "$cluster" 3 "${rec3:-$events}")"; mark "ProducerPerformance RF 3" "$raw3"
fi
load1="$(cut -d' ' -f1-3 /proc/loadavg)"

echo "# $run, $(date -u +%Y-%m-%dT%H:%MZ), load average $load0 before and $load1 after"
printf '| path | records | seconds | records/s | start-up (s) |\n|---|---:|---:|---:|---:|\n'
if want streams; then
  printf '| metrics topology, 1 broker (RF 1), 1 thread | %d | %s | %s | %s |\n' "$rec1" "$sec1" "$rate1" "$start1"
  printf '| metrics topology, 3 brokers (RF 3, min ISR 2), 1 thread | %d | %s | %s | %s |\n' "$rec3" "$sec3" "$rate3" "$start3"
  printf '| metrics topology, 3 brokers (RF 3, min ISR 2), 2 instances x 1 thread | %d | %s | %s | %s |\n' "$rec32" "$sec32" "$rate32" "$start32"
fi
if want sink; then
  printf '| sink, 1 broker, 1 ClickHouse server: raw events + metric rows (start-up = migrations, group join) | %d | %s | %s | %s |\n' "$sinkrows1" "$sinksec1" "$sinkrate1" "$sinkstart1"
  printf '| sink, 3 brokers, ClickHouse 2 shards x 2 replicas via Distributed tables | %d | %s | %s | %s |\n' "$sinkrows3" "$sinksec3" "$sinkrate3" "$sinkstart3"
fi
if want ingest; then
  printf '| HTTP ingest, batches of 100, 16 in flight, 202 after acks=all, 1 broker (RF 1) | %d | %s | %s | — |\n' "$ing1" "$ingsec1" "$ingrate1"
  printf '| HTTP ingest, batches of 100, 16 in flight, 202 after acks=all, 3 brokers (RF 3, min ISR 2) | %d | %s | %s | — |\n' "$ing3" "$ingsec3" "$ingrate3"
fi
if want raw; then
  printf '| ProducerPerformance, 1 broker (RF 1) | %d | — | %.0f | — |\n' "${rec1:-$events}" "$raw1"
  printf '| ProducerPerformance, 3 brokers (RF 3, min ISR 2) | %d | — | %.0f | — |\n' "${rec3:-$events}" "$raw3"
fi
printf '# load average (1, 5, 15 min) after each row: %s\n' "${loads[@]}"
grep -h "^writes" "$out"/bench-streams-*.log | sed 's/^/# /' || true
# The run's topics go; the servers stay as they were.
"${tools[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$single" --delete --topic "$run-.*" >/dev/null 2>&1 || true
"$DEPLOY_DIR/cluster.sh" topics --delete --topic "$run-.*" >/dev/null 2>&1 || true
