#!/usr/bin/env bash
# Shared settings for the deploy/ scripts. Source it; do not execute it.
# Every value can be overridden from the environment, so CI or a second checkout
# can run on other ports / another state dir without editing files.

# REPO = the checkout this file belongs to (works however the caller was invoked).
DEPLOY_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$DEPLOY_DIR/.." && pwd)"
export REPO DEPLOY_DIR

# All mutable state (jars, broker data, ClickHouse data, logs, pid files) lives
# here, so `rm -rf .state` is a full reset. It must be git-ignored.
export ROUTEMETRICS_STATE="${ROUTEMETRICS_STATE:-$REPO/.state}"
export ROUTEMETRICS_LOGS="${ROUTEMETRICS_LOGS:-$ROUTEMETRICS_STATE/logs}"

export KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
export KAFKA_PORT="${KAFKA_PORT:-9092}"
export KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
# 512 MiB: its live set here is far smaller; with 1 GiB G1 let used heap grow past 600 MiB before collecting.
export KAFKA_HEAP="${KAFKA_HEAP:-512m}"
export KAFKA_HOME="$ROUTEMETRICS_STATE/kafka"
export KAFKA_LIB="$KAFKA_HOME/lib"
export KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"

export CLICKHOUSE_HTTP_PORT="${CLICKHOUSE_HTTP_PORT:-8123}"
export CLICKHOUSE_TCP_PORT="${CLICKHOUSE_TCP_PORT:-9000}"
export CLICKHOUSE_HOME="$ROUTEMETRICS_STATE/clickhouse"
export CLICKHOUSE_URL="http://127.0.0.1:$CLICKHOUSE_HTTP_PORT"

log() { echo "[deploy] $*"; }
die() { echo "[deploy] ERROR: $*" >&2; exit 1; }

# Cheap "is something listening" probe using bash's /dev/tcp (no nc needed).
# The subshell + timeout keep a filtered port from hanging us.
port_open() {
  timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null
}

# pid_alive PIDFILE [CMDLINE_SUBSTRING]: true if the pid in the file is a live
# process (and, if given, its command line contains the substring). The substring
# check matters after a crash/reboot: the old pid may now belong to something else,
# which we must neither wait for nor kill.
pid_alive() {
  local f="$1" want="${2:-}" pid
  [[ -s "$f" ]] || return 1
  pid="$(cat "$f")"
  [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  [[ -z "$want" ]] && return 0
  [[ "$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)" == *"$want"* ]]
}

# stop_pid NAME PIDFILE [CMDLINE_SUBSTRING]: SIGTERM, wait up to 30 s, then SIGKILL.
# Removes the pid file.
stop_pid() {
  local name="$1" f="$2" want="${3:-}" pid i
  if ! pid_alive "$f" "$want"; then
    log "$name: not running (no live pid in $f)"
    rm -f "$f"
    return 0
  fi
  pid="$(cat "$f")"
  log "$name: stopping pid $pid (SIGTERM)"
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < 30; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$name: still alive after 30 s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 1
  fi
  rm -f "$f"
  log "$name: stopped"
}

# producer_performance TOPIC RECORDS SIZE: the raw ceiling of one producer on this broker, as the
# benchmarks' baseline: Kafka's ProducerPerformance into a new 3-partition topic with the settings
# the edge uses (acks=all, idempotent, lz4, linger 5 ms). Prints records/s; the whole line goes to
# $ROUTEMETRICS_LOGS/producer-performance.log.
producer_performance() {
  local topic="$1" records="$2" size="$3" line
  java -cp "$KAFKA_LIB/*" -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2-tools.properties" org.apache.kafka.tools.TopicCommand \
    --bootstrap-server "$KAFKA_BOOTSTRAP" --create --topic "$topic" --partitions 3 --replication-factor 1 >/dev/null
  line="$(java -Xmx512m -cp "$KAFKA_LIB/*" -Dlog4j2.configurationFile="$KAFKA_HOME/log4j2-tools.properties" \
    org.apache.kafka.tools.ProducerPerformance --topic "$topic" --num-records "$records" --record-size "$size" \
    --throughput -1 --producer-props "bootstrap.servers=$KAFKA_BOOTSTRAP" acks=all enable.idempotence=true \
    linger.ms=5 compression.type=lz4 | tail -n 1)"
  echo "$topic: $line" >>"$ROUTEMETRICS_LOGS/producer-performance.log"
  sed -E 's/.* records sent, ([0-9.]+) records\/sec.*/\1/' <<<"$line"
}

mkdir -p "$ROUTEMETRICS_LOGS"

# The Java services read ROUTEMETRICS_* (see each service's config class); point them at the
# servers these scripts run, unless the caller already pointed them elsewhere.
export ROUTEMETRICS_KAFKA_BOOTSTRAP="${ROUTEMETRICS_KAFKA_BOOTSTRAP:-$KAFKA_BOOTSTRAP}"
export ROUTEMETRICS_CLICKHOUSE_URL="${ROUTEMETRICS_CLICKHOUSE_URL:-jdbc:clickhouse://127.0.0.1:$CLICKHOUSE_HTTP_PORT/default?compress=0}"
export ROUTEMETRICS_INGEST_PORT="${ROUTEMETRICS_INGEST_PORT:-8080}"
export ROUTEMETRICS_INGEST_API_KEYS_FILE="${ROUTEMETRICS_INGEST_API_KEYS_FILE:-$ROUTEMETRICS_STATE/api-keys.json}"
# The query service reads the same key file: one key per partner (or lab user) writes and reads,
# and `routemetrics keys add|revoke` acts on both without a restart.
export ROUTEMETRICS_QUERY_API_KEYS_FILE="${ROUTEMETRICS_QUERY_API_KEYS_FILE:-$ROUTEMETRICS_INGEST_API_KEYS_FILE}"
export ROUTEMETRICS_QUERY_PORT="${ROUTEMETRICS_QUERY_PORT:-8090}"
# The sink's /metrics and /health.
export ROUTEMETRICS_SINK_PORT="${ROUTEMETRICS_SINK_PORT:-8091}"
# The streams app's /health (lag per topic partition, state, records dropped).
export ROUTEMETRICS_STREAMS_PORT="${ROUTEMETRICS_STREAMS_PORT:-8092}"
