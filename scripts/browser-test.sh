#!/usr/bin/env bash
# Browser test of the web app: builds and starts `hepatica serve` on a free
# loopback port with a temporary data folder, then runs tests/browser/run.mjs
# (axe-core WCAG 2.2 AA, keyboard, reflow, no-JS, screenshots in
# target/screenshots/). Installs Chromium and the two npm packages if missing.
# Prints "browser: N passed, M failed"; exits non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
target="${CARGO_TARGET_DIR:-$root/target}"

if [ ! -x /usr/bin/chromium ]; then
  echo "browser-test: installing chromium" >&2
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium
fi
if ! command -v node >/dev/null 2>&1; then
  echo "browser-test: installing node" >&2
  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y nodejs npm
fi
if [ ! -d tests/browser/node_modules/playwright-core ] || [ ! -d tests/browser/node_modules/axe-core ]; then
  (cd tests/browser && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi)
fi

source scripts/lib/workspace-build.sh
workspace_build
server=("$target/debug/hepatica" serve)

tmp=$(mktemp -d)
"${server[@]}" --addr 127.0.0.1:0 --data-dir "$tmp/data" 2>"$tmp/server.log" &
pid=$!
cleanup() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$tmp"
}
trap cleanup EXIT

url=""
for _ in $(seq 1 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*' "$tmp/server.log" | head -n1 || true)
  [ -n "$url" ] && break
  if ! kill -0 "$pid" 2>/dev/null; then
    cat "$tmp/server.log" >&2
    echo "browser-test: the server did not start" >&2
    exit 1
  fi
  sleep 0.1
done
if [ -z "$url" ]; then
  echo "browser-test: no listening address after 10 s" >&2
  exit 1
fi
echo "browser-test: server at $url" >&2

SCREENSHOT_DIR="$target/screenshots" HEPATICA_URL="$url" node tests/browser/run.mjs
