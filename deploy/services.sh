#!/usr/bin/env bash
# Start, stop or check routemetrics' own services (ingest, streams, sink, query-server) as background
# processes with pid files and logs under the state dir. Idempotent like kafka.sh.
#   deploy/services.sh start|stop|status [ingest|streams|sink|query-server ...]
set -euo pipefail
# shellcheck source=env.sh
source "$(dirname "${BASH_SOURCE[0]}")/env.sh"

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

start_one() {
  local name="$1" pidfile="$run/$1.pid"
  if pid_alive "$pidfile" "RouteMetrics $name"; then
    log "$name: already running (pid $(cat "$pidfile"))"
    return 0
  fi
  [ -f "$REPO/cli/target/routemetrics.jar" ] || die "not built: run mvn -B -q package -DskipTests first"
  local args=()
  # The query service's and the sink's HTTP ports are flags; the query service's key file comes
  # from ROUTEMETRICS_QUERY_API_KEYS_FILE (env.sh).
  [ "$name" != query-server ] || args=(--port "$ROUTEMETRICS_QUERY_PORT")
  [ "$name" != sink ] || args=(--port "$ROUTEMETRICS_SINK_PORT")
  # Streams keeps its local state with the rest of ours, not in /tmp where the OS may clear it.
  ROUTEMETRICS_STREAMS_STATE_DIR="${ROUTEMETRICS_STREAMS_STATE_DIR:-$ROUTEMETRICS_STATE/streams}" \
    nohup setsid "$REPO/bin/routemetrics" "$name" "${args[@]}" >>"$ROUTEMETRICS_LOGS/$name.log" 2>&1 &
  echo $! >"$pidfile"
  log "$name: started (pid $!, log $ROUTEMETRICS_LOGS/$name.log)"
}

# wait_http NAME PORT: until the service's /health answers (it needs no key), or it exits.
wait_http() {
  local name="$1" port="$2" i
  for ((i = 0; i < 60; i++)); do
    if curl -sf "http://127.0.0.1:$port/health" >/dev/null; then
      log "$name: answering on http://127.0.0.1:$port"
      return 0
    fi
    pid_alive "$run/$name.pid" || { tail -n 30 "$ROUTEMETRICS_LOGS/$name.log" >&2; die "$name exited"; }
    sleep 1
  done
  tail -n 30 "$ROUTEMETRICS_LOGS/$name.log" >&2
  die "$name did not answer within 60 s"
}

case "$action" in
  start)
    for s in "${services[@]}"; do start_one "$s"; done
    for s in "${services[@]}"; do
      case "$s" in
        ingest) wait_http ingest "$ROUTEMETRICS_INGEST_PORT" ;;
        query-server) wait_http query-server "$ROUTEMETRICS_QUERY_PORT" ;;
      esac
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
