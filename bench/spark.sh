#!/usr/bin/env bash
# Spark against `hepatica batch`, rows per second per core, on this machine.
# Release builds of the binary and of the wheel (into target/py-venv, which
# scripts/python-test.sh sets up), N synthetic cases (default 200,000).
#   bash bench/spark.sh            N=50000 REPEAT=1 bash bench/spark.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
N=${N:-200000}
VENV=${HEPATICA_PY_VENV:-$ROOT/target/py-venv}
mkdir -p bench/out
[ -x "$VENV/bin/python" ] || { python3 -m venv "$VENV"; }
"$VENV/bin/pip" install -q --disable-pip-version-check -r crates/python/requirements-test.txt
cargo build -q --release -p hepatica-cli
CARGO_TARGET_DIR="$ROOT/target" PYO3_PYTHON="$VENV/bin/python" \
    "$VENV/bin/maturin" build -q --release -m crates/python/Cargo.toml --compatibility linux -o target/wheels-release
"$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps target/wheels-release/hepatica-*-abi3-*.whl
target/release/hepatica synth --count "$N" --seed 1 --output bench/out/spark-cohort.ndjson
"$VENV/bin/python" bench/spark.py bench/out/spark-cohort.ndjson target/release/hepatica bench/out | tee bench/out/spark.md
