#!/usr/bin/env bash
# Bring up the local stack: install what is missing, then start Kafka and ClickHouse.
# Idempotent: with everything already running it only reports the addresses.
# Extra arguments go to install.sh (e.g. `deploy/up.sh --browser`).
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

t0=$SECONDS
"$DEPLOY_DIR/install.sh" "$@"
"$DEPLOY_DIR/kafka.sh" start
"$DEPLOY_DIR/clickhouse.sh" start

log "up in $((SECONDS - t0)) s (state: $ROUTEMETRICS_STATE, logs: $ROUTEMETRICS_LOGS)"
echo "[deploy] kafka       KAFKA_BOOTSTRAP=$KAFKA_BOOTSTRAP"
echo "[deploy] clickhouse  CLICKHOUSE_URL=$CLICKHOUSE_URL  (native tcp 127.0.0.1:$CLICKHOUSE_TCP_PORT)"
