#!/usr/bin/env bash
# Stable-toolchain fuzz smoke run (CI): builds fuzz/examples/smoke.rs and runs
# every fuzz target (fuzz/src/lib.rs) over its seed corpus plus deterministic
# mutations, for about FUZZ_SMOKE_SECONDS seconds in all (default 20).
# Fails on the first panic, saving the input under fuzz/artifacts/<target>/.
# Coverage-guided fuzzing (nightly, cargo fuzz) is scripts/fuzz-long.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SMOKE_SECONDS:-20}"
# Share the workspace's target folder: most dependencies are already built there.
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$PWD/target}"
manifest=fuzz/Cargo.toml

echo "fuzz smoke: unit tests of the harness"
cargo test -q --manifest-path "$manifest" --no-default-features --lib
echo "fuzz smoke: build"
cargo build -q --manifest-path "$manifest" --no-default-features --example smoke
echo "fuzz smoke: ${seconds}s over every target"
timeout --signal=KILL "$((seconds + 120))" "$CARGO_TARGET_DIR/debug/examples/smoke" --seconds "$seconds"
