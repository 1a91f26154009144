#!/usr/bin/env bash
# Load test of the running server on loopback with wrk: sustained GET /healthz
# (the floor: routing, middleware and HTTP alone), POST /api/v1/assess (Case
# JSON) and GET /results?a=... (the sealed results page the questionnaire form
# redirects to), one after the other, printing throughput, latency percentiles
# and the count of non-2xx answers and socket errors for each, then the ratio of
# assess to healthz throughput (issue 12 aims at 0.6 or more). Fails if any
# answer is not 2xx.
#
#   bash scripts/load.sh                 # release build, 30 s per route, 16 connections
#   bash scripts/load.sh --smoke         # debug build, 3 s per route (scripts/load-smoke.sh, CI)
#   LOAD_SECONDS=60 LOAD_CONNECTIONS=64 bash scripts/load.sh
#
# Installs wrk from Debian's packages if missing. Only 127.0.0.1 is targeted;
# every run is bounded by wrk's duration and an outer timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target="${CARGO_TARGET_DIR:-$root/target}"

profile=release
seconds="${LOAD_SECONDS:-30}"
connections="${LOAD_CONNECTIONS:-16}"
threads="${LOAD_THREADS:-2}"
if [ "${1:-}" = "--smoke" ]; then
  profile=debug
  seconds="${LOAD_SECONDS:-3}"
  connections="${LOAD_CONNECTIONS:-8}"
fi

if ! command -v wrk >/dev/null 2>&1; then
  echo "load: installing wrk" >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk) >/dev/null
fi

if [ "$profile" = release ]; then
  cargo build -q --release -p hepatica-cli
else
  source scripts/lib/workspace-build.sh
  workspace_build
fi
server=("$target/$profile/hepatica" serve)

work=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

HEPATICA_LOG=warn "${server[@]}" --addr 127.0.0.1:0 --data-dir "$work/data" 2>"$work/server.log" &
server_pid=$!
addr=""
for _ in $(seq 1 600); do
  addr=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$work/server.log" 2>/dev/null | head -1 | sed 's|listening on http://||') || true
  [ -n "$addr" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "load: the server exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$addr" ] || { echo "load: the server did not start" >&2; exit 1; }
base="http://$addr"

case_json='{"id":"load-1","primary_site":"bowel","bowel_side":"left","biomarkers":{"KRAS":"wild_type","NRAS":"wild_type","BRAF_V600":"absent","MSI":"stable"},"liver":{"tumour_count":2,"largest_tumour_cm":3.5,"all_removable":true,"future_liver_remnant_percent":55,"liver_condition":"normal"},"spread_elsewhere":[],"performance_status":0,"fit_for_major_surgery":true}'
form='for=self&primary_site=bowel&bowel_side=left&liver.tumour_count=2&liver.largest_tumour_cm=3.5&liver.all_removable=true&liver.future_liver_remnant_percent=55&liver.liver_condition=normal&spread_elsewhere=none&performance_status=0&fit_for_major_surgery=true&biomarkers.KRAS=wild_type&biomarkers.NRAS=wild_type'

# Check each request once before loading it, so a 4xx is caught with its body.
check() {
  local path=$1 type=$2 body=$3
  local code
  code=$(curl -s -o "$work/check.out" -w '%{http_code}' -X POST -H "Content-Type: $type" --data-binary "$body" "$base$path")
  if [ "$code" != 200 ]; then
    echo "load: POST $path answered $code:" >&2
    head -c 600 "$work/check.out" >&2
    exit 1
  fi
}
check /api/v1/assess application/json "$case_json"
# The questionnaire posts, then follows a 303 to its sealed results address
# (post-redirect-get); the page itself is rendered by that GET, so it is what we load.
code=$(curl -s -o "$work/check.out" -w '%{http_code} %{redirect_url}' -X POST -H "Content-Type: application/x-www-form-urlencoded" --data-binary "$form" "$base/results")
results_path=${code#* }
results_path=${results_path#"$base"}
if [ "${code%% *}" != 303 ] || [ "${results_path#/results?a=}" = "$results_path" ]; then
  echo "load: POST /results answered $code (expected 303 to /results?a=...):" >&2
  head -c 600 "$work/check.out" >&2
  exit 1
fi
[ "$(curl -s -o /dev/null -w '%{http_code}' "$base$results_path")" = 200 ] || { echo "load: GET $results_path was not 200" >&2; exit 1; }

# One wrk Lua script per route: the request, a non-2xx counter per thread, and a summary line.
lua() {
  local path=$1 type=$2 body=$3 method=${4:-POST}
  cat <<LUA
wrk.method = "$method"
wrk.path = "$path"
wrk.headers["Content-Type"] = "$type"
wrk.body = [==[$body]==]
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) non2xx = 0 end
function response(status, headers, body)
  if status < 200 or status > 299 then non2xx = non2xx + 1 end
end
function done(summary, latency, requests)
  local bad = 0
  for _, t in ipairs(threads) do bad = bad + t:get("non2xx") end
  local e = summary.errors
  local sock = e.connect + e.read + e.write + e.timeout
  io.write(string.format("RESULT requests=%d seconds=%.1f rps=%.0f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f max_ms=%.2f non2xx=%d socket_errors=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(90) / 1000, latency:percentile(99) / 1000, latency.max / 1000, bad, sock))
end
LUA
}
lua /api/v1/assess application/json "$case_json" >"$work/assess.lua"
lua "$results_path" text/plain "" GET >"$work/results.lua"
lua /healthz text/plain "" GET >"$work/healthz.lua"

echo "load: $profile build, $seconds s per route, $connections connections, $threads wrk threads, server $base"
failed=0
declare -A rps
for route in healthz assess results; do
  out=$(timeout --signal=KILL "$((seconds + 30))" wrk -t "$threads" -c "$connections" -d "${seconds}s" --timeout 10s -s "$work/$route.lua" "$base" 2>&1) || true
  line=$(printf '%s\n' "$out" | grep '^RESULT' || true)
  if [ -z "$line" ]; then
    printf '%s\n' "$out" >&2
    echo "load: wrk gave no result for $route" >&2
    failed=1
    continue
  fi
  case $route in
    healthz) name="GET /healthz" ;;
    assess) name="POST /api/v1/assess" ;;
    *) name="GET /results?a=(sealed answers)" ;;
  esac
  rps[$route]=$(printf '%s\n' "$line" | sed -n 's/.* rps=\([0-9]*\).*/\1/p')
  echo "$name: ${line#RESULT }"
  bad=$(printf '%s\n' "$line" | sed -n 's/.*non2xx=\([0-9]*\).*/\1/p')
  sock=$(printf '%s\n' "$line" | sed -n 's/.*socket_errors=\([0-9]*\).*/\1/p')
  requests=$(printf '%s\n' "$line" | sed -n 's/.*requests=\([0-9]*\).*/\1/p')
  if [ "$bad" != 0 ] || [ "$sock" != 0 ] || [ "$requests" = 0 ]; then
    echo "load: $name had $bad non-2xx answers and $sock socket errors in $requests requests" >&2
    failed=1
  fi
done
if [ -n "${rps[healthz]:-}" ] && [ -n "${rps[assess]:-}" ] && [ "${rps[healthz]}" != 0 ]; then
  awk -v a="${rps[assess]}" -v h="${rps[healthz]}" 'BEGIN { printf "ratio POST /api/v1/assess / GET /healthz: %.2f (aim 0.6 or more)\n", a / h }'
fi
if grep -q '"level":"ERROR"\|panicked' "$work/server.log"; then
  echo "load: the server logged errors:" >&2
  grep '"level":"ERROR"\|panicked' "$work/server.log" | head -5 >&2
  failed=1
fi
exit "$failed"
