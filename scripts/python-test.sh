#!/usr/bin/env bash
# The Python package and Spark checks (issue 19), from a fresh Debian machine:
#   1. python3-venv and Java 17 from Debian if missing (`java -version` must
#      work for Spark's local mode; else openjdk-17-jre-headless is installed);
#   2. a virtual environment (target/py-venv, or $HEPATICA_PY_VENV) with the
#      pinned packages of crates/python/requirements-test.txt (from PyPI:
#      maturin, pytest, pyarrow, DuckDB, PySpark, hadolint, kubernetes-validate);
#   3. the `hepatica` binary the tests compare with (`cargo build --bin hepatica`,
#      dev profile, workspace target);
#   4. the abi3 wheel (maturin, crates/python), dev profile, built into the
#      workspace's target folder (CARGO_TARGET_DIR=target: crates/python is its
#      own workspace, but its Cargo.lock is kept in step with the root one and
#      its feature pins give every shared crate the workspace's features, so
#      the dependencies are reused, not rebuilt; a crate that drifts is named),
#      then installed into the venv;
#   5. pytest: the API against the CLI, Arrow, Parquet read back with pyarrow
#      and DuckDB, PySpark local[2] over NDJSON and a Bulk export against
#      `hepatica batch`, hadolint and the Kubernetes schema check.
# Prints the time each step took. Arguments go to pytest (e.g. -k spark).
# Nothing is installed system-wide but the Debian packages of step 1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${HEPATICA_PY_VENV:-$ROOT/target/py-venv}
start=$(date +%s)
step() { echo "== python-test: $1 ($(($(date +%s) - start)) s so far)"; }

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        echo "python-test: $* missing; install them (apt-get install $*) or run as root" >&2
        exit 1
    fi
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

step "system packages"
if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo "installing python3-venv (Debian)"
    apt_install python3-venv
fi
if ! java -version >/dev/null 2>&1; then
    echo "installing openjdk-17-jre-headless (Debian) for Spark's local mode"
    apt_install openjdk-17-jre-headless
fi

step "virtual environment $VENV"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install -q --disable-pip-version-check -r crates/python/requirements-test.txt

step "hepatica binary (the workspace test build's, scripts/lib/workspace-build.sh)"
source scripts/lib/workspace-build.sh
workspace_build
export HEPATICA_BIN="$ROOT/target/debug/hepatica"

step "feature pins (crates/python/Cargo.toml against the workspace)"
# A crate both builds use, with other features here than in `cargo test
# --workspace`, is built twice (with everything above it): name any such crate.
features() { cargo tree -e features -f '{p} {f}' --prefix none "$@" 2>/dev/null | grep -v '^hepatica' | grep -v ' feature "' | sed 's/ (\*)$//; s/ (proc-macro)$//' | sort -u; }
features --workspace > target/features-workspace.txt
(cd crates/python && features) > target/features-python.txt
drift=$(comm -13 target/features-workspace.txt target/features-python.txt | while read -r name version rest; do
    if grep -q "^$name $version " target/features-workspace.txt; then echo "  $name $version: here [$rest], workspace [$(grep "^$name $version " target/features-workspace.txt | cut -d' ' -f3- | paste -sd'|')]"; fi
done)
if [ -n "$drift" ]; then
    echo "python-test: warning: these crates get other features in the wheel build than in the workspace, so the wheel rebuilds them; add them to the feature pins in crates/python/Cargo.toml:"
    echo "$drift"
fi

step "wheel (maturin, abi3, dev profile)"
rm -rf target/wheels
CARGO_TARGET_DIR="$ROOT/target" PYO3_PYTHON="$VENV/bin/python" \
    "$VENV/bin/maturin" build -q -m crates/python/Cargo.toml --compatibility linux -o target/wheels
"$VENV/bin/pip" install -q --disable-pip-version-check --force-reinstall --no-deps target/wheels/hepatica-*-abi3-*.whl

step "pytest"
cd crates/python
# Settings the CLI would read from the environment must not differ between the two sides.
unset HEPATICA_KB HEPATICA_KB_DIR HEPATICA_KB_FILE HEPATICA_KB_PUBLIC_KEY HEPATICA_KB_EXPECT_HASH
# Run from crates/python so `import hepatica` is the installed wheel (there is no
# hepatica/ folder here; the sources are under python/).
"$VENV/bin/python" -m pytest -q -p no:cacheprovider tests "$@"
step "done"
