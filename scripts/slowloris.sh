#!/usr/bin/env bash
# Slowloris run against `hepatica serve` on 127.0.0.1: at least 2,000 slow or
# idle connections (a third idle, a third trickling an endless request head,
# a third sending a 100 KB unfinished head), reopened as the server closes
# them, while /healthz is probed every 50 ms on the public listener and on the
# health listener (`serve --health-addr`, its own connection budget). Prints
# the figures (opened and server-closed connections, /healthz p50/p99/max on
# each listener, server peak RSS) and fails if a probe failed or a /healthz p99
# was 100 ms or more (SLOW_GATE=health: judge the health listener only).
#
#   bash scripts/slowloris.sh             # release build, 2,000 connections, 30 s, default timers
#   bash scripts/slowloris.sh --smoke     # debug build, 2,000 connections, 12 s, short timers (CI)
#   SLOW_CONNECTIONS=3000 SLOW_SECONDS=60 bash scripts/slowloris.sh
#   SLOW_CONNECTIONS=4300 SLOW_ADDRESSES=8 SLOW_GATE=health bash scripts/slowloris.sh   # fill the 4,096 public cap
#
# Raises the open-file limit with ulimit (the server and the attacker each
# need one descriptor per connection). Only 127.0.0.1 is targeted; every run
# is bounded by SLOW_SECONDS and an outer timeout.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target="${CARGO_TARGET_DIR:-$root/target}"

profile=release
connections="${SLOW_CONNECTIONS:-2000}"
seconds="${SLOW_SECONDS:-30}"
timers=()
if [ "${1:-}" = "--smoke" ]; then
  profile=debug
  seconds="${SLOW_SECONDS:-12}"
  timers=(--first-byte-timeout 2 --header-read-timeout 4)
fi
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
ulimit -n 65536 2>/dev/null || true
echo "slowloris: open-file limit $(ulimit -n)"

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
    for _ in $(seq 1 150); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$server_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

HEPATICA_LOG=warn "${server[@]}" --addr 127.0.0.1:0 --health-addr 127.0.0.1:0 --data-dir "$work/data" "${timers[@]}" 2>"$work/server.log" &
server_pid=$!
addr=""
for _ in $(seq 1 600); do
  addr=$(grep -o 'listening on http://127\.0\.0\.1:[0-9]*' "$work/server.log" 2>/dev/null | head -1 | sed 's|listening on http://||') || true
  [ -n "$addr" ] && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; echo "slowloris: the server exited" >&2; exit 1; }
  sleep 0.1
done
[ -n "$addr" ] || { echo "slowloris: the server did not start" >&2; exit 1; }
health=$(grep -o 'health checks on http://127\.0\.0\.1:[0-9]*' "$work/server.log" | head -1 | sed 's|health checks on http://||') || true
[ -n "$health" ] || { echo "slowloris: the server did not open its health listener" >&2; exit 1; }

echo "slowloris: $profile build, $connections connections from ${SLOW_ADDRESSES:-4} addresses for $seconds s against $addr (health listener $health) ${timers[*]}"
status=0
out=$(timeout --signal=KILL "$((${seconds%.*} + 60))" python3 scripts/slowloris.py "$addr" "$connections" "$seconds" "$server_pid" "$health") || status=$?
echo "${out#RESULT }"
curl -s "http://$addr/metrics" | grep -E '^hepatica_http_connections' || true
if ! kill -0 "$server_pid" 2>/dev/null; then
  echo "slowloris: the server died" >&2
  cat "$work/server.log" >&2
  exit 1
fi
exit "$status"
