#!/usr/bin/env bash
# Checks the scripts that start routemetrics services share. Source it after env.sh; do not execute it.

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
