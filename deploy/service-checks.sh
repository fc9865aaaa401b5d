#!/usr/bin/env bash
# What the scripts that start processes share: the checks around routemetrics' services
# (services.sh, load-run.sh, bench-e2e.sh), and the start/stop/status shape of the servers
# (kafka.sh, clickhouse.sh; server_* below). Source it after env.sh; do not execute it.

# port_holder PORT: prints "pid N (command line)" of the process listening on PORT and succeeds,
# or fails when nothing listens there. From `ss -ltnp` (iproute2); /proc for the command line.
port_holder() {
  local port="$1" line pid
  line="$(ss -ltnpH "sport = :$port" 2>/dev/null | head -n 1)"
  [ -n "$line" ] || return 1
  pid="$(grep -oE 'pid=[0-9]+' <<<"$line" | head -n 1 | cut -d= -f2)"
  if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ]; then
    echo "pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" | sed 's/ $//' | cut -c1-160))"
  else
    echo "a process this user may not see (ss: $(tr -s ' ' <<<"$line"))"
  fi
}

# require_free_port NAME PORT SETTING: fails fast, naming the holder, when PORT is already taken.
require_free_port() {
  local name="$1" port="$2" setting="$3" holder
  if holder="$(port_holder "$port")"; then
    die "$name: port $port is already held by $holder; stop that process, or set $setting to a free port"
  fi
}

# since_start LOG: the lines of LOG after the last "[deploy] starting" marker the scripts write before a start.
since_start() {
  awk '/^\[deploy\] starting /{n=0} {line[n++]=$0} END{for (i = 0; i < n; i++) print line[i]}' "$1" 2>/dev/null
}

# health_json_field JSON FIELD: the value of a top-level string or number field, or nothing.
health_json_field() {
  python3 -c 'import json,sys
try:
    v = json.loads(sys.argv[1]).get(sys.argv[2])
except Exception:
    v = None
print("" if v is None else v)' "$1" "$2"
}

# wait_ready NAME PORT PID LOG [TIMEOUT]: until GET http://127.0.0.1:PORT/health answers as this
# service: its JSON names service NAME and pid PID where it says them, and PORT is held by PID
# (ss). Fails with the last lines of LOG when PID exits first, and at once when another process
# answers on PORT. READY_LINE (optional, a grep -E pattern): for a build without a /health, a line
# of LOG that counts as ready while nothing listens on PORT (said with a warning).
wait_ready() {
  local name="$1" port="$2" pid="$3" logfile="$4" timeout="${5:-${ROUTEMETRICS_START_TIMEOUT:-90}}" ready_line="${6:-}"
  local i body service said holder
  for ((i = 0; i < timeout; i++)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "[deploy] $name (pid $pid) exited during start; the last lines of $logfile:" >&2
      since_start "$logfile" | tail -n 20 >&2
      die "$name exited during start (see $logfile)"
    fi
    holder="$(ss -ltnpH "sport = :$port" 2>/dev/null | grep -oE 'pid=[0-9]+' | head -n 1 | cut -d= -f2 || true)"
    if [ -n "$holder" ] && [ "$holder" != "$pid" ]; then
      die "$name: port $port answers for $(port_holder "$port"), not for the $name just started (pid $pid)"
    fi
    body="$(curl -s --max-time 2 "http://127.0.0.1:$port/health" || true)"
    if [ -n "$body" ] && [ "$holder" = "$pid" ]; then
      service="$(health_json_field "$body" service)"
      said="$(health_json_field "$body" pid)"
      if [ -n "$service" ] && [ "$service" != "$name" ]; then
        die "$name: http://127.0.0.1:$port/health answers as service '$service', not $name"
      fi
      if [ -n "$said" ] && [ "$said" != "$pid" ]; then
        die "$name: http://127.0.0.1:$port/health answers for pid $said, not for the $name just started (pid $pid)"
      fi
      log "$name: answering as itself on http://127.0.0.1:$port (pid $pid)"
      return 0
    fi
    if [ -z "$holder" ] && [ -n "$ready_line" ] && [ "$i" -ge 5 ] && since_start "$logfile" | grep -qE "$ready_line"; then
      log "$name: WARNING: running (pid $pid; its log: $(since_start "$logfile" | grep -E "$ready_line" | tail -n 1 | cut -c1-100)) but no /health on :$port (a build without it)"
      return 0
    fi
    sleep 1
  done
  echo "[deploy] $name (pid $pid) did not answer on http://127.0.0.1:$port/health within $timeout s; the last lines of $logfile:" >&2
  tail -n 20 "$logfile" >&2
  die "$name did not answer within $timeout s"
}

# require_accepted NAME URL FAMILY FILE: posts the first event of FILE (NDJSON) to the ingest at URL
# with $ROUTEMETRICS_API_KEY before a run sends them all, and stops the script at once with the
# ingest's answer when it refuses the request itself (401/403: the key; 404; 5xx), rather than
# posting every record to be refused. 2xx and 400/207 (the event's own fields) go on. Harmless to
# the run: event ids count once, and the run sends the same event again.
require_accepted() {
  local name="$1" url="$2" family="$3" file="$4" answer code
  answer="$(head -n 1 "$file" | curl -s --max-time 30 -w '\n%{http_code}' -XPOST "$url/v1/events/$family" \
    -H "Authorization: Bearer ${ROUTEMETRICS_API_KEY:-}" -H 'Content-Type: application/json' --data-binary @- || true)"
  code="$(tail -n 1 <<<"$answer")"
  case "$code" in
    2??|400) return 0 ;;
  esac
  die "$name: the ingest at $url refused the run's first request (HTTP ${code:-no answer}: $(head -n -1 <<<"$answer" | tr -d '\n' | cut -c1-300)); every record would be refused the same way, so the run stops here"
}

# --- The servers' lifecycle: kafka.sh and clickhouse.sh -------------------------------------------
# A server script sets, before calling server_start, server_stop or server_status:
#   SERVER_NAME     what the messages call it (kafka, clickhouse)
#   SERVER_ADDRESS  where it answers, for the messages (host:port or URL)
#   SERVER_PIDFILE  its pid file under the state dir
#   SERVER_MATCH    a substring of its command line naming this state dir's config, so that a pid
#                   reused after a crash or reboot is neither waited for nor killed
#   SERVER_START_TIMEOUT, SERVER_POLL  seconds to wait for it to answer, and between two looks
# and defines:
#   server_answers       succeeds when the server answers as itself (not just an open port)
#   server_about         prints what to add after its address (", version 18.16.1"), or nothing
#   server_failure_logs  prints (to stderr) the log lines that explain a failed start
#   server_launch        writes its config and starts it in the background, setting SERVER_PID

# server_find_pid: the pid of this state dir's server found by its command line (the pid file
# missing or stale), or fails.
server_find_pid() {
  local p cmd
  for p in /proc/[0-9]*; do
    # 2>/dev/null before the redirection: a process that exits meanwhile is skipped without a word.
    cmd="$(tr '\0' ' ' 2>/dev/null <"$p/cmdline")" || continue
    if [[ "$cmd" == *"$SERVER_MATCH"* ]]; then
      echo "${p#/proc/}"
      return 0
    fi
  done
  return 1
}

# server_wait_until_up PID: until the server answers; exits 1 with its failure logs when PID exits
# first (removing the pid file) or after SERVER_START_TIMEOUT seconds.
server_wait_until_up() {
  local pid="$1" deadline=$((SECONDS + SERVER_START_TIMEOUT))
  while ((SECONDS < deadline)); do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "[deploy] $SERVER_NAME: process $pid exited during startup" >&2
      server_failure_logs
      rm -f "$SERVER_PIDFILE"
      exit 1
    fi
    if server_answers; then
      return 0
    fi
    sleep "$SERVER_POLL"
  done
  echo "[deploy] $SERVER_NAME: not answering on $SERVER_ADDRESS after ${SERVER_START_TIMEOUT}s" >&2
  server_failure_logs
  exit 1
}

# server_start PORT_VARIABLE...: idempotent. Nothing to do when the server answers; waits for this
# state dir's server when it is still starting; otherwise drops a stale pid file, refuses a port
# another process holds (naming it and the variable that moves the port), launches the server and
# waits until it answers.
server_start() {
  local variable pid t0
  if server_answers; then
    log "$SERVER_NAME: already running on $SERVER_ADDRESS$(server_about), nothing to do"
    return 0
  fi
  if pid_alive "$SERVER_PIDFILE" "$SERVER_MATCH"; then
    log "$SERVER_NAME: pid $(cat "$SERVER_PIDFILE") is starting, waiting for it"
    server_wait_until_up "$(cat "$SERVER_PIDFILE")"
    log "$SERVER_NAME: up on $SERVER_ADDRESS"
    return 0
  fi
  if [[ -e "$SERVER_PIDFILE" ]]; then
    log "$SERVER_NAME: removing stale pid file (pid $(cat "$SERVER_PIDFILE" 2>/dev/null) is gone)"
    rm -f "$SERVER_PIDFILE"
  fi
  for variable in "$@"; do
    require_free_port "$SERVER_NAME" "${!variable}" "$variable"
  done
  SERVER_PID=""
  server_launch
  [[ -n "$SERVER_PID" ]] || die "$SERVER_NAME: server_launch set no SERVER_PID"
  pid="$SERVER_PID"
  echo "$pid" >"$SERVER_PIDFILE"
  t0=$SECONDS
  server_wait_until_up "$pid"
  log "$SERVER_NAME: up on $SERVER_ADDRESS (pid $pid$(server_about), $((SECONDS - t0)) s)"
}

# server_stop: SIGTERM, up to 30 s, then SIGKILL (stop_pid), finding the server by its command
# line when the pid file is missing or stale.
server_stop() {
  local pid
  if ! pid_alive "$SERVER_PIDFILE" "$SERVER_MATCH"; then
    if pid="$(server_find_pid)"; then
      log "$SERVER_NAME: pid file missing/stale, found its pid $pid by its command line"
      echo "$pid" >"$SERVER_PIDFILE"
    fi
  fi
  stop_pid "$SERVER_NAME" "$SERVER_PIDFILE" "$SERVER_MATCH"
}

# server_status: exit 0 when the server answers, saying whether this state dir's script started it.
server_status() {
  local who
  if server_answers; then
    who="not started by $SERVER_NAME.sh"
    pid_alive "$SERVER_PIDFILE" "$SERVER_MATCH" && who="pid $(cat "$SERVER_PIDFILE")"
    log "$SERVER_NAME: up on $SERVER_ADDRESS$(server_about) ($who)"
    return 0
  fi
  log "$SERVER_NAME: down (nothing answers on $SERVER_ADDRESS)"
  return 1
}
