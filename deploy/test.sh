#!/usr/bin/env bash
# The whole test suite, from nothing: install and start the real Kafka broker and ClickHouse
# (idempotent), then unit tests (*Test) and integration tests against those servers (*IT).
# Extra arguments go to Maven (e.g. -pl streams -am).
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
cd "$REPO"

"$DEPLOY_DIR/up.sh"
mvn -B verify "$@"
