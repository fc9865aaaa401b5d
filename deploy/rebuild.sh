#!/usr/bin/env bash
# Derive every metric again from the event log and hand the live system over to the result:
#   1. `routemetrics rebuild` builds a new generation beside the running services (minutes to hours);
#   2. the live streams and sink stop (ingest keeps accepting; events wait in Kafka);
#   3. `routemetrics rebuild --swap` catches up the last seconds and swaps the rebuilt tables in;
#   4. streams and sink start again, on the new generation.
# Queries answer throughout; between 2 and 4 their numbers are a few seconds older.
#   deploy/rebuild.sh [GENERATION]      (default r<UTC timestamp>)
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

generation="${1:-r$(date -u +%Y%m%d%H%M%S)}"
[ -f cli/target/routemetrics.jar ] || mvn -B -q package -DskipTests
log "rebuilding every metric as generation $generation (the live services keep running)"
bin/routemetrics rebuild --generation "$generation"
"$DEPLOY_DIR/services.sh" stop streams sink
bin/routemetrics rebuild --generation "$generation" --swap --generation-file "$ROUTEMETRICS_STATE/generation"
"$DEPLOY_DIR/services.sh" start streams sink
log "generation $generation is live"
