#!/usr/bin/env bash
# Start, stop or check routemetrics' own services (ingest, streams, sink, query-server) as background
# processes with pid files and logs under the state dir. Idempotent like kafka.sh: a service already
# running is left as it is. `start` goes on only once each service it started answers as itself on
# its /health (its pid, its name); a port already held fails at once naming the process that holds
# it; a service that dies during start fails with the last lines of its log. If start fails or is
# interrupted, it stops the services it started in this call (not those already running).
#   deploy/services.sh start|stop|status [ingest|streams|sink|query-server ...]
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"
# shellcheck source=service-checks.sh
source "$DEPLOY_DIR/service-checks.sh"

action="${1:-status}"
shift || true
services=("$@")
[ ${#services[@]} -gt 0 ] || services=(ingest streams sink query-server)
# Pid files; a run of its own (deploy/fault-run.sh) keeps its services apart from the demo's.
run="${ROUTEMETRICS_RUN_DIR:-$ROUTEMETRICS_STATE/run}"
mkdir -p "$run"
# The live metrics generation, as `routemetrics rebuild --swap` recorded it (none: the first),
# unless the caller set ROUTEMETRICS_GENERATION (even to empty).
if [ -s "$ROUTEMETRICS_STATE/generation" ] && [ -z "${ROUTEMETRICS_GENERATION+set}" ]; then
  ROUTEMETRICS_GENERATION="$(tr -d '[:space:]' <"$ROUTEMETRICS_STATE/generation")"
  export ROUTEMETRICS_GENERATION
fi

# port_of NAME / setting_of NAME: the HTTP port each service answers on, and the variable that sets it.
port_of() {
  case "$1" in
    ingest) echo "$ROUTEMETRICS_INGEST_PORT" ;;
    streams) echo "$ROUTEMETRICS_STREAMS_PORT" ;;
    sink) echo "$ROUTEMETRICS_SINK_PORT" ;;
    query-server) echo "$ROUTEMETRICS_QUERY_PORT" ;;
  esac
}
setting_of() {
  case "$1" in
    ingest) echo ROUTEMETRICS_INGEST_PORT ;;
    streams) echo ROUTEMETRICS_STREAMS_PORT ;;
    sink) echo ROUTEMETRICS_SINK_PORT ;;
    query-server) echo ROUTEMETRICS_QUERY_PORT ;;
  esac
}

started=()
# On a failed or interrupted start, stop what this call started; what ran before is left alone.
stop_started() {
  local rc=$? s
  trap - EXIT INT TERM
  if [ "$rc" != 0 ] && [ ${#started[@]} -gt 0 ]; then
    log "start failed: stopping what it started (${started[*]})"
    for s in "${started[@]}"; do stop_pid "$s" "$run/$s.pid" "RouteMetrics $s" >&2; done
  fi
  exit "$rc"
}

start_one() {
  local name="$1" pidfile="$run/$1.pid"
  case "$name" in ingest|streams|sink|query-server) ;; *) die "unknown service '$name' (ingest, streams, sink, query-server)" ;; esac
  if pid_alive "$pidfile" "RouteMetrics $name"; then
    log "$name: already running (pid $(cat "$pidfile"))"
    return 0
  fi
  [ -f "$REPO/cli/target/routemetrics.jar" ] || die "not built: run mvn -B -q package -DskipTests first"
  require_free_port "$name" "$(port_of "$name")" "$(setting_of "$name")"
  local args=()
  # The sink's HTTP port is a flag; the query service reads ROUTEMETRICS_QUERY_PORT (its setting
  # routemetrics.query.port) itself, and the flag says the port in its command line too. Its key
  # file comes from ROUTEMETRICS_QUERY_API_KEYS_FILE (env.sh).
  [ "$name" != query-server ] || args=(--port "$ROUTEMETRICS_QUERY_PORT")
  [ "$name" != sink ] || args=(--port "$ROUTEMETRICS_SINK_PORT")
  # Streams keeps its local state with the rest of ours, not in /tmp where the OS may clear it.
  echo "[deploy] starting $name $(date -u +%Y-%m-%dT%H:%M:%SZ)" >>"$ROUTEMETRICS_LOGS/$name.log"
  ROUTEMETRICS_STREAMS_STATE_DIR="${ROUTEMETRICS_STREAMS_STATE_DIR:-$ROUTEMETRICS_STATE/streams}" \
    nohup setsid "$REPO/bin/routemetrics" "$name" "${args[@]}" >>"$ROUTEMETRICS_LOGS/$name.log" 2>&1 &
  echo $! >"$pidfile"
  started+=("$name")
  log "$name: started (pid $!, log $ROUTEMETRICS_LOGS/$name.log)"
}

case "$action" in
  start)
    trap stop_started EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    for s in "${services[@]}"; do start_one "$s"; done
    for s in "${started[@]}"; do
      ready_line=""
      # The streams app's log says when its threads run; it stands in for a build without /health.
      [ "$s" != streams ] || ready_line="metrics topology started"
      wait_ready "$s" "$(port_of "$s")" "$(cat "$run/$s.pid")" "$ROUTEMETRICS_LOGS/$s.log" "" "$ready_line"
    done
    ;;
  stop)
    for s in "${services[@]}"; do stop_pid "$s" "$run/$s.pid" "RouteMetrics $s"; done
    ;;
  status)
    rc=0
    for s in "${services[@]}"; do
      if pid_alive "$run/$s.pid" "RouteMetrics $s"; then log "$s: running (pid $(cat "$run/$s.pid"))"; else log "$s: stopped"; rc=1; fi
    done
    exit $rc
    ;;
  *) die "usage: deploy/services.sh start|stop|status [ingest|streams|sink|query-server ...]" ;;
esac
