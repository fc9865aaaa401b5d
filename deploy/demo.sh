#!/usr/bin/env bash
# The demo, from nothing: install and start Kafka and ClickHouse, build, start the pipeline
# (ingest -> Kafka -> Streams -> sink -> ClickHouse, and the query service with its dashboard),
# simulate six hours of traffic over all seven routes (with the duplicates, conflicts, late events,
# refunds, skewed partner statements and malformed records reality sends), post it over HTTP, check
# every channel-window row in ClickHouse against the simulator's independent expectation, and print
# what each audience would look at, and write the month's route review (HTML and PDF). Safe to run again: what is up is reused, and the same seeded
# traffic counts once.
#   deploy/demo.sh [--events N]
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

events=20000
[ "${1:-}" != "--events" ] || events="$2"

"$DEPLOY_DIR/up.sh"
log "building (mvn package, tests skipped; deploy/test.sh runs them)"
mvn -B -q package -DskipTests >"$ROUTEMETRICS_LOGS/build.log" 2>&1 || { tail -n 40 "$ROUTEMETRICS_LOGS/build.log"; die "build failed"; }
# The services this run starts (not those already up): stopped again if the demo fails or is
# interrupted; left running when it succeeds, as the last line says.
fresh=()
for s in ingest streams sink query-server; do
  "$DEPLOY_DIR/services.sh" status "$s" >/dev/null 2>&1 || fresh+=("$s")
done
stop_fresh() {
  local rc=$?
  trap - EXIT INT TERM
  if [ "$rc" != 0 ] && [ ${#fresh[@]} -gt 0 ]; then
    log "the demo did not finish: stopping what it started (${fresh[*]})"
    "$DEPLOY_DIR/services.sh" stop "${fresh[@]}" >/dev/null 2>&1 || true
  fi
  exit "$rc"
}
trap stop_fresh EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
"$DEPLOY_DIR/services.sh" start

# The demo's own lab key, kept in the state dir so a second run reuses it.
key_file="$ROUTEMETRICS_STATE/demo-api-key"
if [ ! -s "$key_file" ]; then
  bin/routemetrics keys add demo-lab >"$key_file"
  log "created the demo's API key (hash in $ROUTEMETRICS_INGEST_API_KEYS_FILE)"
fi
export ROUTEMETRICS_API_KEY="$(cat "$key_file")"

# Yesterday's first six hours: in the past (the edge refuses future events). The same period, seed
# and cut-off for late events (midnight) give the same events all day, so a second run is a replay
# that must change nothing.
start="$(date -u -d 'yesterday 00:00' +%Y-%m-%dT%H:%M:%SZ)"
day_end="$(date -u -d 'today 00:00' +%Y-%m-%dT%H:%M:%SZ)"
sim="$ROUTEMETRICS_STATE/demo-simulation"
log "simulating $events records over all seven routes from $start, posted to the ingest over HTTP"
bin/routemetrics simulate --to http --url "http://127.0.0.1:$ROUTEMETRICS_INGEST_PORT" --start "$start" \
  --duration PT6H --events "$events" --seed 7 --latest-event-time "$day_end" --out "$sim"

log "checking ClickHouse against the simulator's independent expectation (expected-metrics.json)"
# It returns as soon as every row matches (well under a minute on a quiet machine); the long timeout
# is for a busy one, where a demo at load 40 timed out after 180 s while the streams app caught up.
bin/routemetrics verify "$sim/expected-metrics.json" --window HOUR --timeout 900

# `routemetrics query` reads ClickHouse directly, as an operator with the database's credentials;
# over HTTP the same views need an API key: the lab key sees them all.
curl -sf -o /dev/null -H "Authorization: Bearer $ROUTEMETRICS_API_KEY" \
  "http://127.0.0.1:$ROUTEMETRICS_QUERY_PORT/api/health" || die "the query service did not answer the demo's key"
for view in reach-control learning finance reconciliation; do
  echo
  log "query $view (DAY window of $start)"
  if [[ "$view" == learning ]]; then
    log "  feedback_events, trainable_feedback: feedback about the window's requests (arrived within 7 days of them),"
    log "  what every rate divides; feedback_received, trainable_received: feedback that came in during the window,"
    log "  on its own channel, including feedback naming no request (the vertical partners' reports)"
  fi
  bin/routemetrics query "$view" --window DAY --from "$start" --until "$day_end"
done

# The monthly route review of the demo's month, for the lab's leadership: HTML and its PDF
# (headless Chromium, which deploy/install.sh installs); progress goes to stderr.
month="${start:0:7}"
review_dir="$ROUTEMETRICS_STATE/review"
echo
log "route review of $month (bin/routemetrics review --month $month --out $review_dir)"
review_files="$(bin/routemetrics review --month "$month" --out "$review_dir")" || die "the route review failed"
log "route review: $(sed -n 1p <<<"$review_files")"
log "         PDF: $(sed -n 2p <<<"$review_files")"
echo
log "dashboard: http://127.0.0.1:$ROUTEMETRICS_QUERY_PORT/?range=custom&from=$start&until=$day_end&window=HOUR"
log "  it asks for an API key: the demo's lab key is in $key_file (a partner's: bin/routemetrics keys add NAME --partner nimbus-cloud)"
log "the pipeline keeps running: deploy/services.sh stop stops it, deploy/down.sh the servers"
