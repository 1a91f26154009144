#!/usr/bin/env bash
# Every check the project has, in the order a failure is cheapest to see:
# formatting, lints, all Rust tests, the knowledge-base check, the browser
# (accessibility) test, and short fuzz and load smoke runs where present.
# Run from anywhere; installs what the browser test needs (Chromium, npm packages).
set -euo pipefail
cd "$(dirname "$0")/.."
# Each step prints the seconds since the start, so a slow CI run shows where its time went.
step() { echo "== $* (at ${SECONDS} s)"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

step "cargo test"
cargo test --workspace

step "hepatica kb check"
# The binary `cargo test --workspace` built (`cargo run -p hepatica-cli` would
# resolve features for the CLI alone and rebuild the server stack).
source scripts/lib/workspace-build.sh
workspace_build
"${CARGO_TARGET_DIR:-target}/debug/hepatica" kb check

step "browser test (axe-core, keyboard, reflow, no-JS)"
bash scripts/browser-test.sh
step "python-test"
bash scripts/python-test.sh  # the Python package and PySpark local mode; prints its own "== python-test:" steps

for smoke in scripts/fuzz-smoke.sh scripts/load-smoke.sh scripts/slowloris-smoke.sh; do
  if [ -f "$smoke" ]; then
    step "$smoke"
    bash "$smoke"
  fi
done
step "scripts/pg-test.sh (real PostgreSQL: shared replay cache and feedback)"
bash scripts/pg-test.sh
echo "all checks passed in ${SECONDS} s"
