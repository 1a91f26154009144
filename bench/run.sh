#!/usr/bin/env bash
# Hepatica cohort-batch benchmark (see bench/README.md).
#
# Builds the release binary, generates 100k and 1M synthetic cases, and prints
# from one run on this machine:
#   - batch throughput (cases/s) on 1M cases, and the same for --validate-only
#     (ratio batch / validate-only),
#   - peak RSS of batch at 100k and at 1M cases (/usr/bin/time -v),
#   - the json-rules-engine peer on the 100k cases: its throughput, the ratio
#     Hepatica / peer, and agreement with Hepatica's answers for the four
#     treatments it implements (disagreements listed).
# Everything it writes goes to bench/out/ (git-ignored).
#
# Environment: N_SMALL (100000), N_LARGE (1000000), PEER_CASES (= N_SMALL),
# THREADS (all cores), SKIP_PEER=1, BENCH_FULL=1 (also time --full on N_SMALL),
# BULK_PATIENTS (20000; 0 skips the FHIR Bulk Data folder run).
set -euo pipefail

ROOT="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT"
OUT="$ROOT/bench/out"
mkdir -p "$OUT"
N_SMALL="${N_SMALL:-100000}"
N_LARGE="${N_LARGE:-1000000}"
PEER_CASES="${PEER_CASES:-$N_SMALL}"
THREADS_ARG=()
if [[ -n "${THREADS:-}" ]]; then THREADS_ARG=(--threads "$THREADS"); fi

say() { printf '%s\n' "$*" >&2; }

if [[ ! -x /usr/bin/time ]]; then
  say "installing GNU time (for peak RSS)"
  (apt-get update -qq && apt-get install -y -qq time) >/dev/null
fi

say "building release binary"
cargo build --release -q -p hepatica-cli
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/hepatica"

gen() { # count file
  if [[ ! -s "$2" ]] || [[ "$(wc -l <"$2")" -ne "$1" ]]; then
    say "generating $1 synthetic cases -> ${2#"$ROOT"/}"
    "$BIN" synth --count "$1" --seed 1 --output "$2"
  fi
}
SMALL="$OUT/cases-small.ndjson"
LARGE="$OUT/cases-large.ndjson"
gen "$N_SMALL" "$SMALL"
gen "$N_LARGE" "$LARGE"

now() { date +%s.%N; }
calc() { awk "BEGIN { print $1 }"; }

# run NAME INPUT OUTPUT [extra batch args...]: times one batch run; sets SECS and RSS_KB.
run() {
  local name="$1" input="$2" output="$3"
  shift 3
  local t0 t1 rc=0
  t0=$(now)
  /usr/bin/time -v -o "$OUT/time-$name.txt" "$BIN" batch --input "$input" --output "$output" "${THREADS_ARG[@]}" "$@" 2>"$OUT/stderr-$name.txt" || rc=$?
  t1=$(now)
  if [[ $rc -ne 0 ]]; then
    say "batch $name exited $rc:"
    cat "$OUT/stderr-$name.txt" >&2
    exit 1
  fi
  SECS=$(calc "$t1 - $t0")
  RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$OUT/time-$name.txt")
  CPU=$(awk -F': ' '/Percent of CPU/ {print $2}' "$OUT/time-$name.txt")
  USER_S=$(awk -F': ' '/User time/ {print $2}' "$OUT/time-$name.txt")
}

rate() { printf '%.0f' "$(calc "$1 / $2")"; }
mib() { printf '%.1f' "$(calc "$1 / 1024")"; }

say "batch on $N_SMALL cases"
run small "$SMALL" "$OUT/out-small.ndjson" --summary "$OUT/summary-small.json"
SMALL_SECS=$SECS SMALL_RSS=$RSS_KB SMALL_CPU=$CPU

say "batch on $N_LARGE cases"
run large "$LARGE" "$OUT/out-large.ndjson" --summary "$OUT/summary-large.json"
LARGE_SECS=$SECS LARGE_RSS=$RSS_KB LARGE_CPU=$CPU LARGE_USER=$USER_S

say "batch --validate-only on $N_LARGE cases"
run validate "$LARGE" "$OUT/validate-large.ndjson" --validate-only
VALID_SECS=$SECS VALID_RSS=$RSS_KB VALID_CPU=$CPU VALID_USER=$USER_S

if [[ "${BENCH_FULL:-0}" == 1 ]]; then
  say "batch --full on $N_SMALL cases"
  run full "$SMALL" "$OUT/full-small.ndjson" --full
  FULL_SECS=$SECS FULL_RSS=$RSS_KB
fi

BULK_PATIENTS="${BULK_PATIENTS:-20000}"
if [[ "$BULK_PATIENTS" -gt 0 ]]; then
  say "FHIR Bulk Data folder with $BULK_PATIENTS patients"
  node bench/make-bulk.js "$OUT/bulk-export" "$BULK_PATIENTS"
  run bulk "$OUT/bulk-export" "$OUT/out-bulk.ndjson"
  BULK_SECS=$SECS BULK_RSS=$RSS_KB BULK_CPU=$CPU
  BULK_MB=$(du -sm "$OUT/bulk-export" | cut -f1)
fi

SMALL_RATE=$(rate "$N_SMALL" "$SMALL_SECS")
LARGE_RATE=$(rate "$N_LARGE" "$LARGE_SECS")
VALID_RATE=$(rate "$N_LARGE" "$VALID_SECS")
RATIO=$(printf '%.2f' "$(calc "$LARGE_RATE / $VALID_RATE")")

PEER_LINE="peer: skipped (SKIP_PEER=1)"
PEER_JSON="null"
if [[ "${SKIP_PEER:-0}" != 1 ]]; then
  say "peer: json-rules-engine on $PEER_CASES cases"
  (cd bench/peer && npm ci --silent --no-audit --no-fund >/dev/null)
  PEER_IN="$SMALL" PEER_HEP="$OUT/out-small.ndjson"
  if [[ "$PEER_CASES" -ne "$N_SMALL" ]]; then
    PEER_IN="$OUT/cases-peer.ndjson" PEER_HEP="$OUT/out-peer.ndjson"
    head -n "$PEER_CASES" "$SMALL" >"$PEER_IN"
    head -n "$PEER_CASES" "$OUT/out-small.ndjson" >"$PEER_HEP"
  fi
  node bench/peer/run.js --cases "$PEER_IN" --hepatica "$PEER_HEP" --thresholds content/thresholds.toml --json "$OUT/peer.json" >/dev/null
  PEER_RATE=$(node -e 'const r=require(process.argv[1]); console.log(Math.round(r.cases_per_second))' "$OUT/peer.json")
  PEER_AGREE=$(node -e 'const r=require(process.argv[1]); console.log(r.agreement_percent.toFixed(2))' "$OUT/peer.json")
  PEER_BY=$(node -e 'const r=require(process.argv[1]); console.log(Object.entries(r.agreement_by_treatment).map(([k,v])=>k+" "+v.toFixed(2)+"%").join(", "))' "$OUT/peer.json")
  PEER_RATIO=$(printf '%.0f' "$(calc "$SMALL_RATE / $PEER_RATE")")
  PEER_LINE="peer (json-rules-engine, 4 treatments, $PEER_CASES cases): $PEER_RATE cases/s; Hepatica (9 treatments + scores) at $N_SMALL: ${PEER_RATIO}x faster; agreement ${PEER_AGREE}% ($PEER_BY)"
  PEER_JSON=$(cat "$OUT/peer.json")
fi

MACHINE="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//') x $(nproc), load average $(cut -d' ' -f1-3 /proc/loadavg)"
{
  echo
  echo "Hepatica batch benchmark ($(date -u +%Y-%m-%dT%H:%MZ), $MACHINE, threads: ${THREADS:-all cores})"
  echo "  batch          $N_SMALL cases: $(printf %.2f "$SMALL_SECS")s, $SMALL_RATE cases/s, peak RSS $(mib "$SMALL_RSS") MiB, CPU $SMALL_CPU"
  echo "  batch          $N_LARGE cases: $(printf %.2f "$LARGE_SECS")s, $LARGE_RATE cases/s, peak RSS $(mib "$LARGE_RSS") MiB, CPU $LARGE_CPU"
  echo "  validate-only  $N_LARGE cases: $(printf %.2f "$VALID_SECS")s, $VALID_RATE cases/s, peak RSS $(mib "$VALID_RSS") MiB, CPU $VALID_CPU"
  echo "  batch / validate-only throughput: $RATIO (aim >= 0.8, issue 12); CPU time per case: $(calc "$LARGE_USER * 1000000 / $N_LARGE") us vs $(calc "$VALID_USER * 1000000 / $N_LARGE") us"
  echo "  peak RSS $N_SMALL -> $N_LARGE: $(mib "$SMALL_RSS") -> $(mib "$LARGE_RSS") MiB (aim: flat)"
  if [[ -n "${BULK_SECS:-}" ]]; then
    echo "  bulk folder    $BULK_PATIENTS patients ($BULK_MB MB of NDJSON): $(printf %.2f "$BULK_SECS")s, $(rate "$BULK_PATIENTS" "$BULK_SECS") patients/s, peak RSS $(mib "$BULK_RSS") MiB, CPU $BULK_CPU"
  fi
  if [[ -n "${FULL_SECS:-}" ]]; then
    echo "  batch --full   $N_SMALL cases: $(rate "$N_SMALL" "$FULL_SECS") cases/s, peak RSS $(mib "$FULL_RSS") MiB"
  fi
  echo "  $PEER_LINE"
} | tee "$OUT/report.txt"
if [[ "$PEER_JSON" != "null" ]]; then
  node -e 'const r=require(process.argv[1]); if (r.disagreements.length) { console.log("  disagreements (first 20):"); for (const d of r.disagreements) console.log("    " + d.case_id + " " + d.treatment + ": hepatica " + d.hepatica + ", peer " + d.peer); }' "$OUT/peer.json" | tee -a "$OUT/report.txt"
fi
cat >"$OUT/results.json" <<EOF
{"n_small": $N_SMALL, "n_large": $N_LARGE, "small_cases_per_s": $SMALL_RATE, "large_cases_per_s": $LARGE_RATE,
 "validate_only_cases_per_s": $VALID_RATE, "ratio_to_validate_only": $RATIO,
 "rss_kib_small": $SMALL_RSS, "rss_kib_large": $LARGE_RSS, "rss_kib_validate": $VALID_RSS, "peer": $PEER_JSON}
EOF
