#!/usr/bin/env bash
# The demo, from nothing: install and start Kafka and ClickHouse, build, start the pipeline
# (ingest -> Kafka -> Streams -> sink -> ClickHouse), send a seeded burst of usage over all
# seven routes, and print the per-channel table read back from ClickHouse beside what was sent.
# Safe to run again: servers and services already up are reused; each run sends new traffic.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

"$DEPLOY_DIR/up.sh"
log "building (mvn package, tests skipped; deploy/test.sh runs them)"
mvn -B -q package -DskipTests >"$ROUTEMETRICS_LOGS/build.log" 2>&1 || { tail -n 40 "$ROUTEMETRICS_LOGS/build.log"; die "build failed"; }
"$DEPLOY_DIR/services.sh" start

# The demo's own lab key, kept in the state dir so a second run reuses it.
key_file="$ROUTEMETRICS_STATE/demo-api-key"
if [ ! -s "$key_file" ]; then
  bin/routemetrics keys add demo-lab >"$key_file"
  log "created the demo's API key (hash in $ROUTEMETRICS_STATE/api-keys.json)"
fi
export ROUTEMETRICS_API_KEY="$(cat "$key_file")"

expected="$ROUTEMETRICS_STATE/demo-expected.json"
log "sending a burst of usage over all seven routes"
bin/routemetrics demo-traffic --url "http://127.0.0.1:$ROUTEMETRICS_INGEST_PORT" --expected-out "$expected" "$@"
log "waiting for the numbers to land in ClickHouse"
bin/routemetrics report --expect "$expected" --timeout 120
log "the pipeline keeps running: deploy/services.sh stop stops it, deploy/down.sh the servers"
