#!/usr/bin/env bash
# Idempotent installer for what the local servers need. Safe to run on every
# `up.sh`: each piece is skipped (and says so) when it is already there.
#   deploy/install.sh            ClickHouse 18.16 (apt) + Kafka broker jars (Maven Central)
#                                + chDB, a current ClickHouse engine (npm), for the compatibility IT
#                                + zookeeper (apt), for deploy/cluster.sh's ClickHouse replicas
#                                + chromium + chromium-driver (apt), for the browser tests and the route review's PDF
#   deploy/install.sh --browser  the same (kept for scripts that pass it)
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

for arg in "$@"; do
  case "$arg" in
    --browser) ;; # the browser is installed by default now
    -h | --help) sed -n '2,7p' "$0"; exit 0 ;;
    *) die "unknown option: $arg (usage: $0 [--browser])" ;;
  esac
done

SUDO=()
if [[ $EUID -ne 0 ]]; then
  command -v sudo >/dev/null || die "apt-get needs root and sudo is not available"
  SUDO=(sudo)
fi

# Another apt/dpkg (e.g. a background provisioning step) holds the dpkg lock; a
# second apt-get would fail with "Could not get lock". Wait for it instead.
wait_for_apt() {
  local waited=0
  while pgrep -x apt-get >/dev/null || pgrep -x dpkg >/dev/null || pgrep -x apt >/dev/null; do
    ((waited % 15 == 0)) && log "install: another apt-get/dpkg is running, waiting for it..."
    sleep 1
    waited=$((waited + 1))
    ((waited < 900)) || die "install: apt/dpkg still busy after 15 min"
  done
}

APT_UPDATED=0
apt_install() {
  wait_for_apt
  if ((APT_UPDATED == 0)); then
    log "install: apt-get update"
    "${SUDO[@]}" apt-get update -qq
    APT_UPDATED=1
  fi
  log "install: apt-get install $*"
  # Lock timeout as a second line of defence against a concurrent apt.
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    -o DPkg::Lock::Timeout=300 "$@"
}

# Install the apt packages whose command is missing.
# Usage: ensure_pkgs "what" cmd1:pkg1 cmd2:pkg2 ...
ensure_pkgs() {
  local what="$1" pair missing=()
  shift
  for pair in "$@"; do
    command -v "${pair%%:*}" >/dev/null || missing+=("${pair#*:}")
  done
  if ((${#missing[@]} == 0)); then
    log "install: $what already installed, skipping"
    return 0
  fi
  local t0=$SECONDS
  apt_install "${missing[@]}"
  log "install: $what installed in $((SECONDS - t0)) s"
}

# --- tools the scripts themselves rely on ------------------------------------
# (Normally already present: the project is built with the same JDK and Maven.)
ensure_pkgs "java/maven/curl" java:openjdk-17-jdk-headless mvn:maven curl:curl

# --- ClickHouse ----------------------------------------------------------------
# Debian bookworm only has 18.16.1. The package's own service is never started
# (no systemd here); clickhouse.sh runs the binary with a config under .state/.
ensure_pkgs "clickhouse-server/clickhouse-client" \
  clickhouse-server:clickhouse-server clickhouse-client:clickhouse-client

# --- Kafka broker jars ------------------------------------------------------------
KAFKA_JAR="$KAFKA_LIB/kafka_2.13-$KAFKA_VERSION.jar"
if [[ -f "$KAFKA_JAR" && -f "$KAFKA_HOME/.lib-complete-$KAFKA_VERSION" ]]; then
  log "install: Kafka $KAFKA_VERSION jars already in $KAFKA_LIB ($(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars), skipping"
else
  t0=$SECONDS
  log "install: fetching Kafka $KAFKA_VERSION jars from Maven Central into $KAFKA_LIB"
  mkdir -p "$KAFKA_HOME"
  # Download into a scratch dir and swap it in only when complete, so an interrupted
  # run never leaves a half-filled lib/ that a later run would take as installed,
  # and a KAFKA_VERSION change never mixes two versions' jars on one classpath.
  tmp="$KAFKA_HOME/lib.tmp.$$"
  rm -rf "$tmp"
  trap 'rm -rf "$tmp"' EXIT
  # Maven's output goes to a log (shown only on failure) to keep up.sh readable.
  mvnlog="$ROUTEMETRICS_LOGS/install-kafka-jars.log"
  if ! mvn -B -q -Dstyle.color=never -f "$DEPLOY_DIR/kafka/pom.xml" \
    -Dkafka.version="$KAFKA_VERSION" -Dkafka.lib.dir="$tmp" \
    dependency:copy-dependencies >"$mvnlog" 2>&1; then
    tail -n 30 "$mvnlog" >&2
    die "install: fetching Kafka jars failed (full log: $mvnlog)"
  fi
  [[ -f "$tmp/kafka_2.13-$KAFKA_VERSION.jar" ]] || die "install: Maven finished but $tmp has no kafka_2.13-$KAFKA_VERSION.jar"
  rm -rf "$KAFKA_LIB" "$KAFKA_HOME"/.lib-complete-*
  mv "$tmp" "$KAFKA_LIB"
  trap - EXIT
  touch "$KAFKA_HOME/.lib-complete-$KAFKA_VERSION"
  log "install: Kafka jars ready: $(find "$KAFKA_LIB" -name '*.jar' | wc -l) jars, $(du -sh "$KAFKA_LIB" | cut -f1), $((SECONDS - t0)) s"
fi

# --- chDB: a current ClickHouse engine, for CurrentClickHouseCompatibilityIT ---------
# Pinned in query/chdb/package-lock.json; a 178 MB download, 546 MB on disk, 10-16 s.
# `npm install --no-save` rather than `npm ci`: chdb lists per-platform optional packages that
# are not all published (e.g. @chdb/lib-darwin-arm64 answers 404), so they are missing from the
# lock and `npm ci` refuses it as out of sync. With the lock present, `install` still takes the
# locked versions and checks their integrity hashes. --ignore-scripts: chdb's only script is a
# no-op (the engine comes prebuilt), so nothing runs at install time. The marker holds the lock's
# hash, so a changed pin reinstalls; a run cut short leaves no marker and is redone.
ensure_pkgs "node/npm" node:nodejs npm:npm
CHDB_DIR="$REPO/query/chdb"
chdb_lock_sum="$(sha256sum "$CHDB_DIR/package-lock.json" | cut -d' ' -f1)"
if [[ -f "$CHDB_DIR/node_modules/.installed-$chdb_lock_sum" ]]; then
  log "install: chdb already in $CHDB_DIR/node_modules, skipping"
else
  t0=$SECONDS
  log "install: npm install of chdb into $CHDB_DIR/node_modules (~180 MB download)"
  rm -rf "$CHDB_DIR/node_modules"
  npmlog="$ROUTEMETRICS_LOGS/install-chdb.log"
  if ! npm install --prefix "$CHDB_DIR" --no-save --ignore-scripts --no-audit --no-fund >"$npmlog" 2>&1; then
    tail -n 30 "$npmlog" >&2
    die "install: npm install of chdb failed (full log: $npmlog)"
  fi
  touch "$CHDB_DIR/node_modules/.installed-$chdb_lock_sum"
  log "install: chdb ready: $(du -sh "$CHDB_DIR/node_modules" | cut -f1), $((SECONDS - t0)) s"
fi

# --- ZooKeeper, for deploy/cluster.sh's ClickHouse replicas and ON CLUSTER DDL -------------
# Debian's package (3.8.0 on bookworm); its own service is never started, cluster.sh runs the jar
# with a config under .state/cluster/zookeeper. No command on PATH to test for: the jar is the mark.
if [[ -f /usr/share/java/zookeeper.jar ]]; then
  log "install: zookeeper already installed, skipping"
else
  t0=$SECONDS
  apt_install zookeeper
  [[ -f /usr/share/java/zookeeper.jar ]] || die "install: zookeeper installed but /usr/share/java/zookeeper.jar is missing"
  log "install: zookeeper installed in $((SECONDS - t0)) s"
fi

# --- browser for the dashboard's test (DashboardBrowserIT) ------------------------------
ensure_pkgs "chromium/chromium-driver" chromium:chromium chromedriver:chromium-driver

log "install: done"
