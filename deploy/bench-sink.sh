#!/usr/bin/env bash
# Sink throughput beside clickhouse-client inserting the same rows, in the same run, into the same
# server and a table of the same engine and columns: the sink's figure includes reading from
# Kafka, turning Avro into RowBinary and the JDBC inserts; the baseline is ClickHouse's own client
# loading a TSV file. The script checks both tables end up with the same rows. Loopback only.
# The sink runs for days, so its figure is taken warm: it first moves WARMUP rows (dated 2025,
# timed too and reported as the cold figure), stops, and starts again in the same JVM for ROWS.
#   deploy/bench-sink.sh [ROWS] [WARMUP]    (defaults 200000 and 200000)
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

rows="${1:-200000}"
warmup="${2:-200000}"
"$DEPLOY_DIR/up.sh" >/dev/null
mvn -B -q package -DskipTests >"$ROUTEMETRICS_LOGS/build.log" 2>&1 || { tail -n 40 "$ROUTEMETRICS_LOGS/build.log"; die "build failed"; }
tsv="$ROUTEMETRICS_STATE/bench-sink.tsv"

read -r n seconds rate db startup warmup_rows warmup_seconds warmup_rate < <(ROUTEMETRICS_JAVA_OPTS=-Xmx1g \
  bin/routemetrics bench-sink --rows "$rows" --warmup-rows "$warmup" --tsv "$tsv" 2>"$ROUTEMETRICS_LOGS/bench-sink.log")
columns="window_size, window_start, channel_id, version, route, partner_id, control_points_owned, usage_events, requests, input_tokens, output_tokens, active_accounts, visible_end_users, identified_requests, error_requests, latency_p50_ms, latency_p95_ms, latency_p99_ms, full_telemetry_requests, feedback_events, trainable_feedback, covered_requests, newest_event_time, feedback_received, trainable_received"
ch() { clickhouse-client --port "$CLICKHOUSE_TCP_PORT" "$@"; }
ch -q "CREATE TABLE ${db}.baseline AS ${db}.channel_metrics"
# The sink's parts may still be merging; let them finish so they do not slow the baseline down.
for _ in $(seq 1 60); do
  [[ "$(ch -q "SELECT count() FROM system.merges WHERE database = '${db}'")" == 0 ]] && break
  sleep 0.5
done
# clickhouse-client timed two ways: its whole process (start and connection included), and the
# INSERT alone as it reports it (--time). The sink's figure leaves its start-up out, so the
# comparison uses the INSERT alone, the faster of the two.
t0=$(date +%s.%N)
ch --time -q "INSERT INTO ${db}.baseline ($columns) FORMAT TabSeparated" <"$tsv" 2>"$ROUTEMETRICS_STATE/bench-sink.time"
t1=$(date +%s.%N)
query_seconds=$(tail -n 1 "$ROUTEMETRICS_STATE/bench-sink.time")
loaded=$(ch -q "SELECT count() FROM ${db}.baseline")
# The measured rows are those dated 2026; the warm-up's are dated 2025.
measured="window_start >= toDateTime('2026-01-01 00:00:00', 'UTC')"
sunk=$(ch -q "SELECT count() FROM ${db}.channel_metrics WHERE $measured")
# Like with like: the same rows in both tables, every column compared (written_at aside).
digest() { ch -q "SELECT $columns FROM ${db}.$1 WHERE $measured ORDER BY window_size, window_start, channel_id FORMAT TabSeparated" | md5sum; }
[[ "$loaded" == "$sunk" && "$(digest baseline)" == "$(digest channel_metrics)" ]] || die "the sink's table and the baseline differ ($sunk vs $loaded rows)"
process_rate=$(awk -v n="$loaded" -v a="$t0" -v b="$t1" 'BEGIN { printf "%.0f", n / (b - a) }')
base_rate=$(awk -v n="$loaded" -v s="$query_seconds" 'BEGIN { printf "%.0f", n / s }')
printf '| path | rows | seconds | rows/s | vs clickhouse-client |\n|---|---:|---:|---:|---:|\n'
printf '| clickhouse-client, TSV file, INSERT alone (--time) | %d | %.2f | %d | 100%% |\n' "$loaded" "$query_seconds" "$base_rate"
printf '| clickhouse-client, TSV file, whole process | %d | %.2f | %d | %.0f%% |\n' "$loaded" "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }')" "$process_rate" "$(awk -v a="$process_rate" -v b="$base_rate" 'BEGIN { print 100 * a / b }')"
[[ "$warmup_rows" -gt 0 ]] && printf '| sink, cold: its first %d rows after start, from its first record read | %d | %s | %s | %.0f%% |\n' \
  "$warmup_rows" "$warmup_rows" "$warmup_seconds" "$warmup_rate" "$(awk -v a="$warmup_rate" -v b="$base_rate" 'BEGIN { print 100 * a / b }')"
printf '| sink, warm: Kafka → Avro transcoded to RowBinary → HTTP, two stages (from its first record read; start-up took %s s) | %d | %s | %s | %.0f%% |\n' "$startup" "$sunk" "$seconds" "$rate" "$(awk -v a="$rate" -v b="$base_rate" 'BEGIN { print 100 * a / b }')"
echo "same rows in both tables: $sunk rows, every column equal"
ch -q "DROP DATABASE ${db}"
