#!/usr/bin/env bash
# Metrics-topology throughput beside Kafka's own ceiling, in the same run, on the same broker:
#   1. `simulate --to kafka` fills fresh namespaced event topics with a seeded day of traffic;
#   2. Kafka's ProducerPerformance writes the same number of records of the same mean size;
#   3. the topology (exactly_once_v2, fresh application id) runs until it has consumed them all;
#   4. Kafka Streams alone, with the app's settings, on the same usage events: nothing, decoding, one
#      and two RocksDB stores with changelogs per event (the floor under the topology's figure).
# Prints a markdown table for docs/benchmarks.md. Loopback only; stops by itself.
#   deploy/bench-streams.sh [EVENTS] [THREADS] [INSTANCES]
#   (defaults 50000; the streams app's threads, one per processor; 1)
# With INSTANCES > 1, that many processes share one application id (the tasks spread over them) and
# the row is timed until the last of them sees the group done; on one two-core machine they share the
# cores, so the figure is about correctness of the split and overhead, not speed-up.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

events="${1:-50000}"
threads="${2:-0}" # 0: the streams app's default
instances="${3:-1}"
ns="bench-streams-$(date +%s)."
"$DEPLOY_DIR/up.sh" >/dev/null
mvn -B -q package -DskipTests >"$ROUTEMETRICS_LOGS/build.log" 2>&1 || { tail -n 40 "$ROUTEMETRICS_LOGS/build.log"; die "build failed"; }

log "filling ${ns}* with a seeded day of about $events records"
bin/routemetrics simulate --to kafka --topic-namespace "$ns" --events "$events" --duration P1D --no-progress \
  --out "$ROUTEMETRICS_STATE/bench-streams-sim" >"$ROUTEMETRICS_LOGS/bench-streams-sim.log" 2>&1
if ((instances == 1)); then
  read -r records seconds rate startup threads < <(ROUTEMETRICS_JAVA_OPTS=-Xmx1g bin/routemetrics bench-streams \
    --topic-namespace "$ns" --threads "$threads" 2>"$ROUTEMETRICS_LOGS/bench-streams.log")
else
  app="bench-streams-shared-$(date +%s)"
  pids=()
  rm -f "$ROUTEMETRICS_STATE"/bench-streams-*.out
  for ((i = 1; i <= instances; i++)); do
    ROUTEMETRICS_JAVA_OPTS=-Xmx1g bin/routemetrics bench-streams --topic-namespace "$ns" --threads "$threads" \
      --application-id "$app" >"$ROUTEMETRICS_STATE/bench-streams-$i.out" 2>"$ROUTEMETRICS_LOGS/bench-streams-$i.log" &
    pids+=("$!")
  done
  trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
  for pid in "${pids[@]}"; do wait "$pid" || die "a bench-streams instance failed (see $ROUTEMETRICS_LOGS/bench-streams-*.log)"; done
  trap - EXIT
  # The slowest instance's clock: the group is done when its last member sees it so.
  read -r records seconds rate startup threads < <(sort -k2,2 -n -r "$ROUTEMETRICS_STATE"/bench-streams-*.out | head -n 1)
  cp "$ROUTEMETRICS_LOGS/bench-streams-1.log" "$ROUTEMETRICS_LOGS/bench-streams.log"
fi

raw_rate="$(producer_performance "${ns}raw" "$records" 167)"
# What Kafka Streams itself costs on the same usage events with the app's settings: the floor under
# the topology's figure (StreamsCeiling). Skipped with ROUTEMETRICS_BENCH_CEILING=0.
ceiling=""
if [ "${ROUTEMETRICS_BENCH_CEILING:-1}" != 0 ]; then
  ceiling="$(ROUTEMETRICS_JAVA_OPTS=-Xmx1g bin/routemetrics bench-streams --topic-namespace "$ns" --threads "$threads" \
    --ceiling 2>>"$ROUTEMETRICS_LOGS/bench-streams.log")" || die "the ceiling runs failed (see $ROUTEMETRICS_LOGS/bench-streams.log)"
fi

grep -h "^writes" "$ROUTEMETRICS_LOGS/bench-streams.log" | sed 's/^/# /' || true
echo "# load average: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '| path | records | seconds | records/s | vs ProducerPerformance |\n|---|---:|---:|---:|---:|\n'
printf '| Kafka ProducerPerformance (167-byte records) | %d | — | %.0f | 100%% |\n' "$records" "$raw_rate"
# Start-up (topics created, tasks assigned, the first commit) is in the seconds; the rate after it
# is what the topology sustains once running.
steady="$(awk -v n="$records" -v s="$seconds" -v u="$startup" 'BEGIN { printf "%.0f", (s > u) ? n / (s - u) : 0 }')"
printf '| metrics topology, exactly_once_v2, %d instance(s) x %d thread(s) (start-up %s s; %s records/s after it, %.1f%%) | %d | %s | %s | %.1f%% |\n' \
  "$instances" "$threads" "$startup" "$steady" "$(awk -v a="$steady" -v b="$raw_rate" 'BEGIN { print 100 * a / b }')" \
  "$records" "$seconds" "$rate" "$(awk -v a="$rate" -v b="$raw_rate" 'BEGIN { print 100 * a / b }')"
while read -r work n s r; do
  [ -n "$work" ] || continue
  printf '| Kafka Streams alone on the usage events, exactly_once_v2, %s | %d | %s | %s | %.1f%% |\n' \
    "$(case "$work" in NOTHING) echo "reading them, nothing else" ;; DECODE) echo "decoding them (Avro)" ;;
      ONE_STORE) echo "one RocksDB store with changelog, read and written per event" ;;
      TWO_STORES) echo "two such stores per event (the topology writes an event id and a request)" ;; *) echo "$work" ;; esac)" \
    "$n" "$s" "$r" "$(awk -v a="$r" -v b="$raw_rate" 'BEGIN { print 100 * a / b }')"
done <<<"$ceiling"
