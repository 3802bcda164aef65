#!/usr/bin/env bash
# ci/fuzzers-test.sh TANDEM [SECONDS]: the libFuzzer targets in CI. Builds them with
# ci/build-fuzzers.sh (clang-14, ASan, UBSan, libFuzzer), runs each for SECONDS (default 60) on
# its seed corpus and dictionary, all three at once, and fails on any crash; prints each
# target's executions per second and coverage (libFuzzer's cov:). Then shows that the
# differential target finds a seeded fault: it must crash, write case.wasm and script.json,
# and those must replay with `tandem diff --seed-fault` (and agree without the fault).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
tandem="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
seconds="${2:-60}"
export OUT="$root/build/fuzzers/out" WORK="$root/build/fuzzers/work"
"$root/ci/build-fuzzers.sh"

runs="$root/build/fuzzers/runs"
rm -rf "$runs"
targets=(decode_validate run_ref differential)
pids=()
for t in "${targets[@]}"; do
  mkdir -p "$runs/$t/corpus" "$runs/$t/seeds"
  python3 -m zipfile -e "$OUT/${t}_seed_corpus.zip" "$runs/$t/seeds"
  (
    cd "$runs/$t"
    exec "$OUT/$t" -max_total_time="$seconds" -print_final_stats=1 -dict="$OUT/$t.dict" \
      -artifact_prefix="$runs/$t/" corpus seeds >"$runs/$t/log" 2>&1
  ) &
  pids+=($!)
done
failed=0
for i in "${!targets[@]}"; do
  t="${targets[$i]}"
  if wait "${pids[$i]}"; then
    done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$runs/$t/log" | tail -1)
    echo "  $t: ${seconds} s, no crash: $done_line"
  else
    echo "ci/fuzzers-test.sh: $t failed:" >&2
    grep -E 'ERROR|SUMMARY|==[0-9]+==|differential:' "$runs/$t/log" | head -20 >&2 || tail -20 "$runs/$t/log" >&2
    failed=1
  fi
done
[ "$failed" = 0 ] || exit 1

# The seeded fault: load-sign (x64 sign-extends i32.load8_u) through TANDEM_SEED_FAULT.
fault="$runs/fault"
mkdir -p "$fault/corpus"
cd "$fault"
start=$SECONDS
set +e
TANDEM_SEED_FAULT=load-sign "$OUT/differential" -max_total_time=600 -artifact_prefix="$fault/" \
  corpus >"$fault/log" 2>&1
rc=$?
set -e
if [ "$rc" = 0 ] || ! ls "$fault"/crash-* >/dev/null 2>&1 || [ ! -f case.wasm ] || [ ! -f script.json ]; then
  echo "ci/fuzzers-test.sh: the differential target did not find the seeded fault load-sign (exit $rc)" >&2
  tail -20 "$fault/log" >&2
  exit 1
fi
replay=(diff case.wasm --script script.json --engines ref,x64 --fuel 100000 --max-depth 500
        --max-memory-pages 64)
if "$tandem" "${replay[@]}" --seed-fault load-sign >/dev/null; then
  echo "ci/fuzzers-test.sh: the case the differential target wrote does not replay with the fault" >&2
  exit 1
fi
"$tandem" "${replay[@]}" >/dev/null
runs_done=$(grep -oE '^#[0-9]+' "$fault/log" | tail -1)
echo "  differential with TANDEM_SEED_FAULT=load-sign: crashed after $((SECONDS - start)) s" \
     "(${runs_done:-#?} inputs); case.wasm replays with the fault and agrees without it"
