#!/usr/bin/env bash
# Stop both local servers. Data stays in $ROUTEMETRICS_STATE; `rm -rf` it for a reset.
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

# Stop both even if the first one fails to stop cleanly.
rc=0
"$DEPLOY_DIR/clickhouse.sh" stop || rc=$?
"$DEPLOY_DIR/kafka.sh" stop || rc=$?
exit "$rc"
