#!/usr/bin/env bash
# The Python package, Spark and deployment checks (issue 19):
#   1. a virtual environment in target/py-venv with maturin, pytest, pyarrow,
#      DuckDB, PySpark, hadolint and kubernetes-validate (from PyPI; pip's
#      cache makes later runs quick);
#   2. Java for Spark's local mode (Debian's openjdk-17-jre-headless) if missing;
#   3. the `hepatica` binary the tests compare with (cargo build, dev profile);
#   4. the abi3 wheel (maturin, crates/python), installed into the venv;
#   5. pytest: the API against the CLI, Arrow, Parquet read back with pyarrow
#      and DuckDB, PySpark local mode over NDJSON and a Bulk export, hadolint
#      and the Kubernetes schema check.
# Prints the time each step took. Nothing is installed system-wide but Java.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${HEPATICA_PY_VENV:-$ROOT/target/py-venv}
start=$(date +%s)
step() { echo "== python-test: $1 ($(($(date +%s) - start)) s so far)"; }

step "virtual environment $VENV"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -r crates/python/requirements-test.txt

if ! command -v java >/dev/null 2>&1; then
    step "Java for Spark"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends openjdk-17-jre-headless >/dev/null
fi

step "hepatica binary"
cargo build -q -p hepatica-cli
export HEPATICA_BIN="$ROOT/target/debug/hepatica"

step "wheel (maturin, abi3)"
rm -rf target/wheels
# The shared target folder lets the wheel reuse the workspace's dev builds.
CARGO_TARGET_DIR="$ROOT/target" PYO3_PYTHON="$VENV/bin/python" \
    "$VENV/bin/maturin" build -q -m crates/python/Cargo.toml --compatibility linux -o target/wheels
"$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps target/wheels/hepatica-*-abi3-*.whl

step "pytest"
cd crates/python
# Run from the tests folder's parent so `import hepatica` is the installed wheel, not the source tree.
"$VENV/bin/python" -m pytest -q -p no:cacheprovider tests "$@"
step "done"
