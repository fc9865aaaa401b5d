#!/usr/bin/env bash
# Sink throughput beside clickhouse-client inserting the same rows, in the same run, into the same
# server: the sink's figure includes reading from Kafka, decoding Avro and JDBC batches; the
# baseline is ClickHouse's own client loading a TSV file. Loopback only.
#   deploy/bench-sink.sh [ROWS]    (default 200000)
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

rows="${1:-200000}"
"$DEPLOY_DIR/up.sh" >/dev/null
mvn -B -q package -DskipTests >"$ROUTEMETRICS_LOGS/build.log" 2>&1 || { tail -n 40 "$ROUTEMETRICS_LOGS/build.log"; die "build failed"; }
tsv="$ROUTEMETRICS_STATE/bench-sink.tsv"

read -r n seconds rate db startup < <(ROUTEMETRICS_JAVA_OPTS=-Xmx1g bin/routemetrics bench-sink --rows "$rows" --tsv "$tsv" 2>"$ROUTEMETRICS_LOGS/bench-sink.log")
columns="window_size, window_start, channel_id, version, route, partner_id, control_points_owned, usage_events, requests, input_tokens, output_tokens, active_accounts, visible_end_users, identified_requests, error_requests, latency_p50_ms, latency_p95_ms, latency_p99_ms, full_telemetry_requests, feedback_events, trainable_feedback, covered_requests, newest_event_time"
clickhouse-client --port "$CLICKHOUSE_TCP_PORT" -q "CREATE TABLE ${db}.baseline AS ${db}.channel_metrics"
t0=$(date +%s.%N)
clickhouse-client --port "$CLICKHOUSE_TCP_PORT" -q "INSERT INTO ${db}.baseline ($columns) FORMAT TabSeparated" <"$tsv"
t1=$(date +%s.%N)
loaded=$(clickhouse-client --port "$CLICKHOUSE_TCP_PORT" -q "SELECT count() FROM ${db}.baseline")
sunk=$(clickhouse-client --port "$CLICKHOUSE_TCP_PORT" -q "SELECT count() FROM ${db}.channel_metrics")
base_rate=$(awk -v n="$loaded" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
printf '| path | rows | seconds | rows/s | vs clickhouse-client |\n|---|---:|---:|---:|---:|\n'
printf '| clickhouse-client, TSV file | %d | %.2f | %d | 100%% |\n' "$loaded" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$base_rate"
printf '| sink: Kafka → Avro → JDBC RowBinary batches (after its first write; start-up took %s s) | %d | %s | %s | %.0f%% |\n' "$startup" "$sunk" "$seconds" "$rate" "$(awk -v a="$rate" -v b="$base_rate" 'BEGIN { print 100 * a / b }')"
clickhouse-client --port "$CLICKHOUSE_TCP_PORT" -q "DROP DATABASE ${db}"
