#!/usr/bin/env bash
# Formats every module's src/main/java and src/test/java with the build's formatter (Spotless with
# google-java-format, configured in the root pom.xml); `mvn verify` checks the same format.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
exec nice -n 19 mvn -B -q spotless:apply "$@"
