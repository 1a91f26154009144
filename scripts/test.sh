#!/usr/bin/env bash
# Every check the project has, in the order a failure is cheapest to see:
# formatting, lints, all Rust tests, the knowledge-base check, the browser
# (accessibility) test, and short fuzz and load smoke runs where present.
# Run from anywhere; installs what the browser test needs (Chromium, npm packages).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo fmt --check"
cargo fmt --all --check

echo "== cargo clippy -D warnings"
cargo clippy --workspace --all-targets -- -D warnings

echo "== cargo test"
cargo test --workspace

echo "== hepatica kb check"
cargo run -q -p hepatica-cli -- kb check

echo "== browser test (axe-core, keyboard, reflow, no-JS)"
bash scripts/browser-test.sh
bash scripts/python-test.sh  # the Python package and PySpark local mode; prints its own "== python-test:" steps

for smoke in scripts/fuzz-smoke.sh scripts/load-smoke.sh scripts/slowloris-smoke.sh; do
  if [ -f "$smoke" ]; then
    echo "== $smoke"
    bash "$smoke"
  fi
done
echo "== scripts/pg-test.sh (real PostgreSQL: shared replay cache and feedback)"
bash scripts/pg-test.sh
echo "all checks passed"
