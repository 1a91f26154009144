#!/usr/bin/env bash
# Coverage-guided fuzzing of every target with libFuzzer (`cargo +nightly fuzz`),
# SECONDS_PER_TARGET each (first argument, default 60). Needs the nightly
# toolchain and cargo-fuzz (`cargo install cargo-fuzz`); without them it says
# so and runs the stable smoke harness for the same total time instead.
#
#   bash scripts/fuzz-long.sh            # 60 s per target
#   bash scripts/fuzz-long.sh 600 case_json fhir_bundle
#
# New inputs go to fuzz/target/corpus/<target>/ (not committed); crashes to
# fuzz/artifacts/<target>/. Turn each crash into a regression test in the
# owning crate (tests/fuzz_regressions.rs) before fixing it.
set -euo pipefail
cd "$(dirname "$0")/.."
per="${1:-60}"
shift || true
cd fuzz

have_nightly_fuzz() {
  command -v rustup >/dev/null 2>&1 &&
    rustup toolchain list 2>/dev/null | grep -q '^nightly' &&
    cargo +nightly fuzz --version >/dev/null 2>&1
}

if ! have_nightly_fuzz; then
  echo "fuzz-long: nightly toolchain or cargo-fuzz not available; running the stable smoke harness instead" >&2
  target="${CARGO_TARGET_DIR:-$PWD/../target}"
  (cd .. && source scripts/lib/workspace-build.sh && workspace_build)
  targets=("$@")
  if [ ${#targets[@]} -eq 0 ]; then
    "$target/debug/examples/smoke" --seconds "$((per * 10))"
  else
    for t in "${targets[@]}"; do
      "$target/debug/examples/smoke" --seconds "$per" --target "$t"
    done
  fi
  exit 0
fi

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  mapfile -t targets < <(cargo +nightly fuzz list)
fi
failed=()
for t in "${targets[@]}"; do
  mkdir -p "target/corpus/$t"
  echo "== $t (${per}s)"
  # -max_len keeps inputs near the real limits; -rss_limit_mb and -timeout catch blow-ups.
  log="target/fuzz-$t.log"
  if cargo +nightly fuzz run --features libfuzzer "$t" "target/corpus/$t" "corpus/$t" -- \
      -max_total_time="$per" -max_len=65536 -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 >"$log" 2>&1; then
    grep -E '^(stat::number_of_executed_units|stat::peak_rss_mb|stat::new_units_added)|DONE' "$log" || true
  else
    failed+=("$t")
    grep -E 'panicked|ERROR|SUMMARY|Test unit written|artifact' "$log" | head -20 || true
  fi
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz-long: crashes in: ${failed[*]} (see fuzz/artifacts/)" >&2
  exit 1
fi
echo "fuzz-long: ${#targets[@]} targets, ${per}s each, no crashes"
