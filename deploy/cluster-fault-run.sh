#!/usr/bin/env bash
# deploy/fault-run.sh on the cluster of deploy/cluster.sh: a simulated day over HTTP into one ingest,
# two streams instances (one application id, static membership) and two sink instances (one set of
# consumer groups), on three brokers (replication factor 3, min.insync.replicas 2) and ClickHouse
# 2 shards x 2 replicas; while, EVERY seconds apart, it injects the FAULTS in order:
#   streams     SIGKILL of streams instance 1, restarted 2 s later (static membership takes its tasks back)
#   kafka       SIGKILL of the broker leading partition 0 of usage-events, started again 5 s later
#   sink        SIGKILL of sink instance 1, restarted 2 s later
#   shard       both replicas of ClickHouse shard 2 stopped for 30 s, then started
# After each fault one probe event (now, outside the compared windows) reports how long until ingest
# accepted again and until ClickHouse received rows again. Then every MINUTE, HOUR and DAY row and the
# revenue must equal the simulator's expectation (`routemetrics verify`). Exit 0 only if all are equal.
#   deploy/cluster-fault-run.sh [--events N] [--every SECONDS] [--faults LIST] [--no-build] [--keep]
#     defaults: --events 200000 --every 30 --faults streams,kafka,sink,shard
# Report, verify output and logs: .state/cluster-fault-runs/<run>/.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

events=200000
every=30
faults="streams,kafka,sink,shard"
build=1
keep=0
while [ $# -gt 0 ]; do
  case "$1" in
    --events) events="$2"; shift 2 ;;
    --every) every="$2"; shift 2 ;;
    --faults) faults="$2"; shift 2 ;;
    --no-build) build=0; shift ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument $1 (see --help)" ;;
  esac
done
IFS=, read -ra fault_list <<<"$faults"
for what in "${fault_list[@]}"; do
  case "$what" in streams|kafka|sink|shard) ;; *) die "unknown fault '$what' (streams, kafka, sink, shard)" ;; esac
done

run="cfault$(date +%s)"
out="$ROUTEMETRICS_STATE/cluster-fault-runs/$run"
mkdir -p "$out/logs"
report="$out/report.md"

# services.sh's readiness check parses /health with python3 twice a second. Through a pyenv shim
# (bash scripts forking a dozen processes per call) one call took 79 s on this machine at load 60
# (the system python: under 1 s idle, 10 s at that load), and a restarted streams instance took
# 435 s to count as ready, most of it in the shim: the run's own python3 is the system's when there is one.
if [ -x /usr/bin/python3 ] && [ "$(command -v python3)" != /usr/bin/python3 ]; then
  mkdir -p "$out/bin"
  ln -sf /usr/bin/python3 "$out/bin/python3"
  export PATH="$out/bin:$PATH"
fi
# A restarted instance on a loaded machine: JVM start, rejoin, restore (90 s is services.sh's default).
export ROUTEMETRICS_START_TIMEOUT="${ROUTEMETRICS_START_TIMEOUT:-300}"
# A SIGKILLed broker recovers every partition's log before it serves: at load 35-45 that took 353 s
# (about 300 partition logs), past cluster.sh's 300 s, and the run stopped there.
export CLUSTER_START_TIMEOUT="${CLUSTER_START_TIMEOUT:-900}"
# Two starved-machine settings of the streams instances (not the defaults): at load 50-75 a live
# instance missed heartbeats for more than the 10 s session ("the thread is being fenced ... missed a
# rebalance") and the coordinator aborted transactions older than Kafka Streams' 10 s, so a thread died
# on InvalidTxnStateException and was replaced; each cost a rebalance of every task.
export ROUTEMETRICS_STREAMS_SESSION_TIMEOUT_MS="${ROUTEMETRICS_STREAMS_SESSION_TIMEOUT_MS:-30000}"
export ROUTEMETRICS_STREAMS_TRANSACTION_TIMEOUT_MS="${ROUTEMETRICS_STREAMS_TRANSACTION_TIMEOUT_MS:-60000}"
# And commits 5 s apart, not 200 ms: each exactly-once commit writes a marker to every partition its
# transaction touched (a task writes to some twenty changelog and repartition topics), replicated to two
# brokers before it completes; until then the next transaction's sends are refused with
# CONCURRENT_TRANSACTIONS (915 retries a minute per instance at load 30-40) and the two instances processed
# 3 events/s between them. Results become visible up to 5 s later; the comparison waits for them anyway.
export ROUTEMETRICS_STREAMS_COMMIT_INTERVAL_MS="${ROUTEMETRICS_STREAMS_COMMIT_INTERVAL_MS:-5000}"

"$DEPLOY_DIR/cluster.sh" up >"$out/logs/cluster-up.log" 2>&1 || { tail -n 30 "$out/logs/cluster-up.log"; die "cluster.sh up failed"; }
eval "$("$DEPLOY_DIR/cluster.sh" env)"
CH_TCP="${CLUSTER_CH_BASE:-54000}"
export ROUTEMETRICS_TOPIC_NAMESPACE="$run-"
export ROUTEMETRICS_CLICKHOUSE_DATABASE="$run"
export ROUTEMETRICS_STREAMS_APPLICATION_ID="$run-metrics"
export ROUTEMETRICS_SINK_GROUP_ID="$run-sink"
export ROUTEMETRICS_GENERATION=""
port=$((ROUTEMETRICS_INGEST_PORT + 2))
export ROUTEMETRICS_INGEST_PORT="$port"
export ROUTEMETRICS_INGEST_API_KEYS_FILE="$out/api-keys.json"
export ROUTEMETRICS_QUERY_API_KEYS_FILE="$out/api-keys.json"
export ROUTEMETRICS_LOGS="$out/logs"

if [ "$build" = 1 ]; then
  mvn -B -q package -DskipTests >"$out/logs/build.log" 2>&1 || { tail -n 40 "$out/logs/build.log"; die "build failed"; }
fi
# The pipeline's topics with 3 copies each before any service would create them with its default of 1.
java -cp "cli/target/routemetrics.jar:cli/target/lib/*" dev.routemetrics.schemas.topics.TopicProvisioner \
  "$ROUTEMETRICS_KAFKA_BOOTSTRAP" 6 3 "$ROUTEMETRICS_TOPIC_NAMESPACE" >"$out/logs/topics.log" 2>&1 \
  || { cat "$out/logs/topics.log"; die "creating the topics failed"; }
# Migrations once, before two sinks start (each also applies them at start, and then finds nothing to do).
bin/routemetrics migrate >"$out/logs/migrate.log" 2>&1 || { cat "$out/logs/migrate.log"; die "migrate failed"; }
ROUTEMETRICS_API_KEY="$(bin/routemetrics keys add "$run")"
export ROUTEMETRICS_API_KEY

# instance NAME N ACTION: deploy/services.sh for instance N of NAME, with a pid file, log, port, state
# dir and static member id of its own.
instance() {
  local name="$1" n="$2" action="$3" dir="$out/$1-$2"
  mkdir -p "$dir"
  ROUTEMETRICS_RUN_DIR="$dir" ROUTEMETRICS_LOGS="$dir" \
    ROUTEMETRICS_STREAMS_PORT=$((ROUTEMETRICS_STREAMS_PORT + 10 + n)) ROUTEMETRICS_SINK_PORT=$((ROUTEMETRICS_SINK_PORT + 20 + n)) \
    ROUTEMETRICS_STREAMS_STATE_DIR="$dir/state" ROUTEMETRICS_STREAMS_INSTANCE_ID="i$n" \
    "$DEPLOY_DIR/services.sh" "$action" "$name"
}
simulator=""
cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if [ -n "$simulator" ]; then
    pkill -TERM -P "$simulator" 2>/dev/null || true
    kill "$simulator" 2>/dev/null || true
  fi
  for s in streams sink; do for n in 1 2; do instance "$s" "$n" stop >/dev/null 2>&1 || true; done; done
  instance ingest 1 stop >/dev/null 2>&1 || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
began=$(date +%s)
# One after the other, each up to three times: five JVMs starting at once on two busy cores timed
# out their first calls (the sink's to ClickHouse, "failed to respond"; the streams app's listTopics,
# "Timed out waiting for a node assignment") and exited, at load 25.
start_instance() {
  local attempt
  for attempt in 1 2 3; do
    instance "$1" "$2" start >>"$out/logs/start-$1-$2.log" 2>&1 && return 0
    log "$run: $1 $2 did not start (attempt $attempt; $out/logs/start-$1-$2.log)"
  done
  cat "$out/logs/start-$1-$2.log" >&2
  die "$1 $2 did not start in three attempts"
}
for s in streams sink; do for n in 1 2; do start_instance "$s" "$n"; done; done
start_instance ingest 1
log "$run: 1 ingest, 2 streams, 2 sinks up in $(($(date +%s) - began)) s"

ch() { clickhouse-client --port "$CH_TCP" -q "$1" 2>/dev/null; }
newest_write() {
  local t
  t="$(ch "SELECT toUnixTimestamp(max(written_at)) FROM $run.channel_metrics")" || t=0
  echo "${t:-0}"
}
probe() {
  local body i
  body="$(printf '{"event_id":"%s-probe-%d","event_time":"%s","channel_id":"direct-api","account_id":"probe","end_user_ref":null,"model_id":"frontier-fast","request_id":"%s-probe-%d","request_count":1,"input_tokens":1,"output_tokens":1,"latency_ms":1,"outcome":"SUCCESS","telemetry":"METADATA"}' \
    "$run" "$1" "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$run" "$1")"
  for ((i = 0; i < 240; i++)); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 -XPOST "http://127.0.0.1:$port/v1/events/usage" \
      -H "Authorization: Bearer $ROUTEMETRICS_API_KEY" -H 'Content-Type: application/json' -d "$body")" = 202 ] && return 0
    sleep 0.5
  done
  die "probe $1 not accepted within two minutes"
}

start="$(date -u -d '2 days ago 00:00' +%Y-%m-%dT%H:%M:%SZ)"
latest="$(date -u -d 'yesterday 23:00' +%Y-%m-%dT%H:%M:%SZ)"
batch=$((events / 1440 / 2 / 8))
batch=$((batch < 1 ? 1 : batch > 100 ? 100 : batch))
log "$run: simulating $events records of one day over HTTP to :$port in batches of $batch; ${#fault_list[@]} faults, $every s apart"
began=$(date +%s)
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
  echo "Cluster fault run $run: $events simulated records over HTTP; 3 brokers, 2 streams, 2 sinks, 2 shards x 2 replicas; faults $every s apart."
  echo
  echo '| # | fault | at (s into the run) | down (s) | ingest accepts again after (s) | rows reach ClickHouse again after (s) |'
  echo '|---|---|---:|---:|---:|---:|'
} >"$report"
n=0
for what in "${fault_list[@]}"; do
  n=$((n + 1))
  sleep "$every"
  t0=$(date +%s)
  case "$what" in
    streams|sink)
      name="$what instance 1 SIGKILL"
      kill -KILL "$(cat "$out/$what-1/$what.pid")"
      sleep 2
      start_instance "$what" 1 ;;
    kafka)
      leader="$("$DEPLOY_DIR/cluster.sh" leader "${run}-usage-events" 0)"
      name="SIGKILL of broker $leader (leader of usage-events/0)"
      # The clock starts at the kill, not before the leader lookup: that TopicCommand JVM took
      # about 150 s at load 50 (run cfault1796192407) and was counted as the broker's downtime.
      t0=$(date +%s)
      "$DEPLOY_DIR/cluster.sh" kill-broker "$leader" >/dev/null
      # Probe while it is down: the other two brokers (2 of 3 in sync) must keep accepting writes.
      sleep 5
      "$DEPLOY_DIR/cluster.sh" start-broker "$leader" >>"$out/logs/broker-restart.log" 2>&1 ;;
    shard)
      name="ClickHouse shard 2 (both replicas) stopped 30 s"
      "$DEPLOY_DIR/cluster.sh" stop-shard 2 >>"$out/logs/shard-restart.log" 2>&1
      sleep 30
      "$DEPLOY_DIR/cluster.sh" start-shard 2 >>"$out/logs/shard-restart.log" 2>&1 ;;
  esac
  t1=$(date +%s)
  probe "$n"
  accepted=$(($(date +%s) - t0))
  flowing="no new rows within 300 s"
  for ((i = 0; i < 600; i++)); do
    if [ "$(newest_write)" -ge "$t1" ]; then flowing=$(($(date +%s) - t0)); break; fi
    sleep 0.5
  done
  printf '| %d | %s | %d | %d | %d | %s |\n' "$n" "$name" $((t0 - began)) $((t1 - t0)) "$accepted" "$flowing" | tee -a "$report"
done

wait "$simulator" || { tail -n 20 "$out/simulate.log"; die "the simulator failed"; }
simulator=""
sent=$(cat "$out/simulate.done")
log "$run: all records sent $((sent - began)) s after the start: $(tail -n 1 "$out/simulate.log")"
verified=1
for window in HOUR DAY MINUTE; do
  bin/routemetrics verify "$out/simulation/expected-metrics.json" --window "$window" --timeout "${VERIFY_TIMEOUT:-1800}" \
    >"$out/verify-$window.txt" 2>/dev/null || verified=0
  log "$run: $window: $(head -n 1 "$out/verify-$window.txt")"
  [ "$verified" = 1 ] || break
done
done_at=$(date +%s)
{
  echo
  for s in streams sink; do
    for i in 1 2; do
      # grep -c prints 0 and exits 1 when nothing matches: "|| true", not "|| echo 0" (which printed "0 0").
      echo "- $s $i: $(grep -c . "$out/$s-$i/$s.log" 2>/dev/null || true) log lines, $(grep -ciE 'assigned|revok' "$out/$s-$i/$s.log" 2>/dev/null || true) assignment lines"
    done
  done
  tail -n 1 "$out/simulate.log"
  echo "All sent $((sent - began)) s after the start; verified $((done_at - began)) s after the start:"
  for window in HOUR DAY MINUTE; do [ ! -s "$out/verify-$window.txt" ] || echo "- $(head -n 1 "$out/verify-$window.txt")"; done
} >>"$report"
cat "$report"
[ "$verified" = 1 ] || die "$run: ClickHouse does not equal the expectation (see $out)"
if [ "$keep" = 0 ]; then
  ch "DROP DATABASE IF EXISTS $run ON CLUSTER $ROUTEMETRICS_CLICKHOUSE_CLUSTER" >/dev/null || true
  "$DEPLOY_DIR/cluster.sh" topics --delete --topic "$run-.*" >/dev/null 2>&1 || true
  log "$run: passed; report in $report (topics and database dropped)"
else
  log "$run: passed; report in $report (data kept in database $run and topics $run-*)"
fi
