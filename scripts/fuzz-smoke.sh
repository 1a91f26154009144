#!/usr/bin/env bash
# Stable-toolchain fuzz smoke run (CI): builds fuzz/examples/smoke.rs and runs
# every fuzz target (fuzz/src/lib.rs) over its seed corpus plus deterministic
# mutations, for about FUZZ_SMOKE_SECONDS seconds in all (default 20).
# Fails on the first panic, saving the input under fuzz/artifacts/<target>/.
# Coverage-guided fuzzing (nightly, cargo fuzz) is scripts/fuzz-long.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${FUZZ_SMOKE_SECONDS:-20}"
target="${CARGO_TARGET_DIR:-$PWD/target}"

# The fuzz crate is a workspace member: `cargo test --workspace` runs the
# harness's unit tests and builds examples/smoke.rs, so after that step of
# scripts/test.sh this build is a no-op.
echo "fuzz smoke: build"
source scripts/lib/workspace-build.sh
workspace_build
echo "fuzz smoke: ${seconds}s over every target"
timeout --signal=KILL "$((seconds + 120))" "$target/debug/examples/smoke" --seconds "$seconds"
