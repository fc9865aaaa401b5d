#!/usr/bin/env bash
# Probes the ingest edge as an outside client would and prints one line per probe:
#   probe-name  status  content-type  first 160 characters of the answer
# Usage: ingest/src/test/sh/probe-edge.sh URL API_KEY   (an ingest of your own; nothing here is destructive
# except that the valid events it sends are stored). docs/reliability.md lists what it printed before and
# after "Bounds and limits at the edge".
set -uo pipefail
url="${1:?ingest base URL}"; key="${2:?API key}"
now="$(date -u -d '-1 min' +%Y-%m-%dT%H:%M:%SZ)"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
usage() { # usage ID [field=json-value ...]: one usage event as JSON, fields overridden
  local id="$1"; shift
  local body="{\"event_id\":\"$id\",\"event_time\":\"$now\",\"channel_id\":\"direct-api\",\"account_id\":\"a\",\"end_user_ref\":null,\"model_id\":\"m\",\"request_id\":\"r-$id\",\"request_count\":1,\"input_tokens\":1,\"output_tokens\":1,\"latency_ms\":1,\"outcome\":\"SUCCESS\",\"telemetry\":\"FULL\""
  override "$body}" "$@"
}
override() { # override JSON [field=json-value ...]: the fields replaced in place (text-level, so odd values stay as sent)
  local body="$1"; shift
  python3 - "$body" "$@" <<'PY'
import re, sys
body = sys.argv[1]
for kv in sys.argv[2:]:
    name, value = kv.split("=", 1)
    body, n = re.subn(r'"%s":("[^"]*"|[^,}]*)' % re.escape(name), lambda m: '"%s":%s' % (name, value), body, count=1)
    if n == 0:
        body = body[:-1] + ',"%s":%s}' % (name, value)
print(body)
PY
}
charge() {
  local id="$1"; shift
  local body="{\"event_id\":\"$id\",\"event_time\":\"$now\",\"channel_id\":\"direct-api\",\"account_id\":\"a\",\"end_user_ref\":null,\"model_id\":\"m\",\"billing_id\":\"inv-$id\",\"kind\":\"CHARGE\",\"billed_by\":\"LAB\",\"currency\":\"USD\",\"gross_amount\":\"10\",\"partner_fee\":\"0\",\"net_amount\":\"10\",\"period_start\":\"2026-11-01T00:00:00Z\",\"period_end\":\"2026-11-01T01:00:00Z\""
  override "$body}" "$@"
}
show() { # show NAME: prints status, content type and the start of the body of the last curl
  printf '%-28s %s %-26s %s\n' "$1" "$(cut -d' ' -f1 "$tmp/meta")" "$(cut -d' ' -f2 "$tmp/meta")" \
    "$(head -c 160 "$tmp/body" | tr '\n\r' '  ')"
}
post() { # post NAME FAMILY BODY [curl args...]
  local name="$1" family="$2" body="$3"; shift 3
  printf '%s' "$body" >"$tmp/req"
  curl -s -o "$tmp/body" -w '%{http_code} %{content_type}' --max-time 60 -XPOST "$url/v1/events/$family" \
    -H "Authorization: Bearer $key" -H 'Content-Type: application/json' "$@" --data-binary @"$tmp/req" >"$tmp/meta"
  show "$name"
}
post year-minus-1e9     usage "$(usage p-y1 'event_time="-1000000000-01-01T00:00:00Z"')"
post year-1969          usage "$(usage p-y2 'event_time="1969-12-31T23:59:59Z"')"
post year-10000         usage "$(usage p-y3 'event_time="+10000-01-01T00:00:00Z"')"
post batch-ok-1969-ok   usage "[$(usage p-b1),$(usage p-b2 'event_time="1969-12-31T23:59:59Z"'),$(usage p-b3)]"
post input-tokens-2^63  usage "$(usage p-t1 'input_tokens=9223372036854775807')"
post request-count-2^31 usage "$(usage p-t2 'request_count=2147483647')"
post latency-2^31       usage "$(usage p-t3 'latency_ms=2147483647')"
post gross-14-digits    billing "$(charge p-m1 'gross_amount="99999999999999.9999"' 'net_amount="99999999999999.9999"')"
post money-1E+3         billing "$(charge p-m2 'net_amount="1E+3"' 'gross_amount="1000"')"
post money-spaces       billing "$(charge p-m3 'net_amount=" 10.00 "')"
post fee-above-gross    billing "$(charge p-m4 'partner_fee="20"' 'net_amount="0"')"
for c in XXX XTS XAU DEM ZWD; do post "currency-$c" billing "$(charge "p-c$c" "currency=\"$c\"")"; done
post two-documents      usage "$(usage p-d1)$(usage p-d2)"
post trailing-garbage   usage "$(usage p-d3) xyz"
post duplicate-key      usage "$(usage p-d4 | sed 's/"event_id":"p-d4"/"event_id":"p-d4","event_id":"p-d4-again"/')"
post lone-surrogate-id  usage "$(usage 'p-\ud800')"
post nul-in-id          usage "$(usage 'p-\u0000')"
printf '%s' "$(usage p-u1)" | sed 's/"p-u1"/"p-\xff\xfe"/' >"$tmp/req"
curl -s -o "$tmp/body" -w '%{http_code} %{content_type}' -XPOST "$url/v1/events/usage" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data-binary @"$tmp/req" >"$tmp/meta"; show invalid-utf8-id
printf '%s' "$(usage p-u2)" | sed 's/"p-u2"/"p-\xed\xa0\x80"/' >"$tmp/req"
curl -s -o "$tmp/body" -w '%{http_code} %{content_type}' -XPOST "$url/v1/events/usage" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' --data-binary @"$tmp/req" >"$tmp/meta"; show utf8-encoded-surrogate-id
printf '%s' "$(usage p-ct)" >"$tmp/req"
curl -s -o "$tmp/body" -w '%{http_code} %{content_type}' -XPOST "$url/v1/events/usage" -H "Authorization: Bearer $key" \
  -H 'Content-Type: text/plain' --data-binary @"$tmp/req" >"$tmp/meta"; show content-type-text
head -c $((10 * 1024 * 1024)) /dev/zero | tr '\0' ' ' >"$tmp/big"
curl -s -o "$tmp/body" -w '%{http_code} %{content_type}' -XPOST "$url/v1/events/usage" -H "Authorization: Bearer $key" \
  -H 'Content-Type: application/json' -H 'Transfer-Encoding: chunked' --data-binary @"$tmp/big" >"$tmp/meta"; show chunked-10MB
curl -s -o "$tmp/body" -w '%{http_code} %{content_type}' "$url/v1/events/usage?x=$(head -c 20000 /dev/zero | tr '\0' a)" >"$tmp/meta"; show uri-20k
curl -s -o "$tmp/body" -w '%{http_code} %{content_type}' "$url/health" -H "X-Big: $(head -c 20000 /dev/zero | tr '\0' a)" >"$tmp/meta"; show header-20k
printf 'GET /he\001alth HTTP/1.1\r\nHost: x\r\n\r\n' | timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/${url##*:}; cat >&3; cat <&3" >"$tmp/raw" 2>/dev/null
printf '%-28s %s\n' bad-request-line "$(tr '\r\n' '  ' <"$tmp/raw" | head -c 200)"
# Permits: two batches of 1,000 events that overflow after validation, then one valid event.
one="$(usage p-leak-N 'event_time="-1000000000-01-01T00:00:00Z"')"
batch="$(python3 -c 'import sys, random; r = random.randrange(10**6); print("[" + ",".join(sys.argv[1].replace("p-leak-N", "p-leak-%d-%d" % (r, i)) for i in range(1000)) + "]")' "$one")"
post leak-batch-1 usage "$batch"; post leak-batch-2 usage "$batch"; post after-leak usage "$(usage "p-after-$RANDOM")"
curl -s "$url/metrics" | grep -E '^routemetrics_ingest_(request_seconds_count|events_rejected_total|events_in_flight|requests_failed)' | grep -v 'status="20' | head -20
