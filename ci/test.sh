#!/usr/bin/env bash
# ci/test.sh: sets up, builds and runs every test (README "Quick start"; DESIGN.md "Layout" ci/):
# unit tests (release), every unit test and the spec suite under ASan+UBSan, and the spec suite
# (all core files) on every engine.
# Needs no input; works as root on a fresh clone with ../shared beside the repository.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
jobs="$(nproc)"
start=$SECONDS
step() { printf '\n==> %s (%ds)\n' "$*" $((SECONDS - start)); }

step "setup"
ci/setup.sh

testsuite="${TANDEM_TESTSUITE:-$(cd "$root/.." && pwd)/shared/testsuite}"
if [ ! -d "$testsuite" ]; then
  echo "ci/test.sh: test suite not found at $testsuite (set TANDEM_TESTSUITE)" >&2
  exit 2
fi
export TANDEM_TESTSUITE="$testsuite"
core=("$testsuite"/*.wast)

step "build (release)"
cmake --preset release >/dev/null
cmake --build --preset release

step "unit tests (release)"
ctest --preset release -j "$jobs" --output-on-failure

tandem=build/release/tandem
step "spec suite, engine ref: ${#core[@]} core files"
"$tandem" spec --engines ref -j "$jobs" --junit build/release/spec-ref.xml "${core[@]}"
step "spec suite, engine x64 (strict): all ${#core[@]} core files, SIMD included"
"$tandem" spec --engines x64 --strict -j "$jobs" --junit build/release/spec-x64.xml "${core[@]}"
step "spec suite, engine a64 (strict, under Unicorn): all ${#core[@]} core files, SIMD included"
"$tandem" spec --engines a64 --strict -j "$jobs" --junit build/release/spec-a64.xml "${core[@]}"
step "spec suite, engines ref, x64 and a64 compared after every command, arenas byte for byte: all ${#core[@]} core files"
"$tandem" spec --engines ref,x64,a64 --strict --compare-arena -j "$jobs" --quiet "${core[@]}"
ci/report-test.sh "$tandem"  # tandem report: all 146 files on ref,x64,a64, a changed copy, headless chromium
step "spec suite, V8 peers v8-liftoff and v8-turbofan (strict): ${#core[@]} core files"
"$tandem" spec --engines v8-liftoff --strict -j "$jobs" --quiet --junit build/release/spec-v8-liftoff.xml "${core[@]}"
"$tandem" spec --engines v8-turbofan --strict -j "$jobs" --quiet --junit build/release/spec-v8-turbofan.xml "${core[@]}"

# tandem diff: a seeded codegen fault in a64 (i32.lt_s compiled as le) on equal operands is a
# result difference, exit 1; without the fault the engines agree, exit 0.
step "tandem diff: the seeded a64 fault is reported, and only with the fault"
ltcase="$(mktemp -d)"
cat > "$ltcase/lt.wat" <<'EOF'
(module
  (global $g (mut i32) (i32.const 7))
  (func (export "lt") (param i32 i32) (result i32)
    (global.set $g (i32.lt_s (local.get 0) (local.get 1)))
    (global.get $g)))
EOF
echo '{"calls": [{"invoke": "lt", "args": ["i32:5", "i32:5"]}]}' > "$ltcase/lt.json"
"$tandem" diff "$ltcase/lt.wat" --script "$ltcase/lt.json" --engines ref,a64
set +e
"$tandem" diff "$ltcase/lt.wat" --script "$ltcase/lt.json" --engines ref,a64 --seed-fault cond
rc=$?
set -e
rm -rf "$ltcase"
if [ "$rc" != 1 ]; then
  echo "ci/test.sh: tandem diff with --seed-fault cond exited $rc, expected 1" >&2
  exit 1
fi

# Bad input to tandem diff, gen and fuzz: a clear message and exit 2, never a crash.
step "tandem diff, gen, fuzz: bad input exits 2"
bad="$(mktemp -d)"
printf 'not wasm' > "$bad/bad.wasm"
printf '{"calls": [' > "$bad/bad.json"
printf '(module (func (export "f")))' > "$bad/ok.wat"
mkdir "$bad/gen-empty"
expect2() {
  set +e
  "$tandem" "$@" >/dev/null 2>"$bad/err"
  local rc=$?
  set -e
  if [ "$rc" != 2 ]; then
    echo "ci/test.sh: tandem $* exited $rc, expected 2" >&2
    exit 1
  fi
  echo "  exit 2: tandem $*: $(head -c 160 "$bad/err")"
}
expect2 diff "$bad/missing.wasm"
expect2 diff "$bad/bad.wasm"
expect2 diff "$bad/ok.wat" --script "$bad/bad.json"
expect2 diff "$bad/ok.wat" --script "$bad/missing.json"
expect2 diff "$bad/ok.wat" --engines ref,nope
expect2 diff "$bad/ok.wat" --seed-fault nope
expect2 gen --generator smith --cases 5
expect2 gen --generator nope --cases 1 --out "$bad/gen"
expect2 fuzz --generator corpus --cases 1
expect2 fuzz --generator corpus --corpus "$bad/missing" --cases 1
expect2 fuzz --generator corpus --corpus "$bad/gen-empty" --cases 1
expect2 fuzz --generator smith --corpus "$bad" --cases 1
expect2 fuzz --engines ref,v8-liftoff --generator smith --cases 1
expect2 fuzz --engines ref,v8-liftoff --generator single --denan --cases 1
expect2 check "$bad/missing.wasm"
expect2 reduce "$bad/missing"
expect2 reduce "$bad"
expect2 diff "$bad/ok.wat" --signature not-a-signature
expect2 verify "$bad/missing.wasm"
expect2 verify "$bad/bad.wasm"
expect2 verify "$bad/ok.wat" --engines nope
expect2 fuzz --list-faults --json "$bad/missing/faults.json"
# fuzz --list-faults --json FILE writes the catalogue (diff --list-faults --json prints it).
"$tandem" fuzz --list-faults --json "$bad/faults.json" >/dev/null
python3 -c 'import json, sys; f = json.load(open(sys.argv[1])); assert len(f) > 20 and all("name" in x for x in f), f' "$bad/faults.json"
# Without node (a PATH with wast2json only) the V8 engines are unavailable (exit 2, saying so);
# the others still work.
mkdir "$bad/bin"
ln -s "$(command -v wast2json)" "$bad/bin/wast2json"
set +e
PATH="$bad/bin" "$root/$tandem" spec --engines v8-liftoff "$testsuite/nop.wast" >/dev/null 2>"$bad/err"
rc=$?
set -e
if [ "$rc" != 2 ] || ! grep -q "unavailable" "$bad/err"; then
  echo "ci/test.sh: without node, tandem spec --engines v8-liftoff exited $rc: $(cat "$bad/err")" >&2
  exit 1
fi
echo "  exit 2 without node: $(head -c 160 "$bad/err")"
if ! PATH="$bad/bin" "$root/$tandem" spec --engines ref --quiet "$testsuite/nop.wast" >/dev/null; then
  echo "ci/test.sh: without node, tandem spec --engines ref failed" >&2
  exit 1
fi
echo "  without node: tandem spec --engines ref runs"
rm -rf "$bad"

# A fuzz campaign of a fixed size and seed: no finding expected (exit 1 would be one).
step "tandem fuzz: 3000 cases of single and mutate, seed 1"
"$tandem" fuzz --generator single,mutate --seed 1 --cases 3000 -j "$jobs" \
  --out build/release/fuzz-ci --json build/release/fuzz-ci/summary.json
step "tandem fuzz: 600 cases of smith and ttf, seed 1"
"$tandem" fuzz --generator smith,ttf --seed 1 --cases 600 -j "$jobs" \
  --out build/release/fuzz-ci-whole --json build/release/fuzz-ci-whole/summary.json
step "tandem fuzz: 300 --denan cases of smith and ttf on ref, x64 and both V8 tiers, seed 1"
"$tandem" fuzz --engines ref,x64,v8-liftoff,v8-turbofan --generator smith,ttf --denan --seed 1 \
  --cases 300 -j "$jobs" --out build/release/fuzz-ci-v8 --json build/release/fuzz-ci-v8/summary.json
step "tandem fuzz --validation: 3000 modules of mutate and smith, seed 1 (tandem, V8, WABT)"
"$tandem" fuzz --validation --generator mutate,smith --seed 1 --cases 3000 -j "$jobs" \
  --out build/release/fuzz-ci-validation --json build/release/fuzz-ci-validation/summary.json

# Seeded faults end to end: three faults on in one campaign of a fixed size, its findings
# grouped by signature, each signature replayed with each fault alone (tandem diff --signature);
# then one finding reduced, and its regression case checked with and without the fault.
step "bench/fault_combined.py: cond, load-sign and br-table-default in one campaign of 1500 cases"
python3 bench/fault_combined.py --tandem "$tandem" --cases 1500 -j "$jobs" \
  --out build/release/fault-combined
step "tandem reduce: one finding of that campaign"
finding=$(ls -d build/release/fault-combined/findings/*/ | head -1)
"$tandem" reduce "$finding" --time 30 -q
(
  cd "$finding/reduced"
  engines=$(python3 -c 'import json; print(",".join(json.load(open("../outcome.json"))["engine_names"]))')
  "$root/$tandem" diff case.wasm --script case.script.json --engines "$engines" --fuel 1000000 >/dev/null
  if "$root/$tandem" diff case.wasm --script case.script.json --engines "$engines" --fuel 1000000 \
       --seed-fault cond,load-sign,br-table-default >/dev/null; then
    echo "ci/test.sh: the reduced regression case passes with the faults on" >&2
    exit 1
  fi
  echo "  reduced: $(wc -c < ../case.wasm) -> $(wc -c < case.wasm) bytes; regression case passes without the faults, fails with them"
)

# The verifier (jit/verify/): a module's x64 code proved in bounds (exit 0); with a bounds check
# one byte short, the verifier rejects the access with a counterexample (exit 1).
step "tandem verify: the x64 code of a module proved; a weakened bounds check rejected"
vcase="$(mktemp -d)"
cat > "$vcase/m.wat" <<'EOF'
(module
  (memory 1)
  (table 2 funcref)
  (type $t (func (param i32) (result i32)))
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "f") (param i32) (result i32)
    (i32.store offset=4 (local.get 0) (i32.load8_u (local.get 0)))
    (drop (memory.grow (i32.const 1)))
    (call_indirect (type $t) (local.get 0) (i32.const 1)))
  (elem (i32.const 1) $id))
EOF
"$tandem" verify "$vcase/m.wat" | tail -1
set +e
"$tandem" verify "$vcase/m.wat" --seed-fault bounds-off-by-one -q > "$vcase/out"
rc=$?
set -e
if [ "$rc" != 1 ] || ! grep -q "can leave memory 0" "$vcase/out"; then
  echo "ci/test.sh: tandem verify with bounds-off-by-one exited $rc: $(head -c 400 "$vcase/out")" >&2
  exit 1
fi
echo "  with bounds-off-by-one: $(grep -c 'failed at' "$vcase/out") accesses rejected"
rm -rf "$vcase"

# The verifier during fuzzing: every function the x64 engine compiles for a campaign of a fixed
# seed and size is verified; an access not proved is a finding (exit 1), and the summary must
# count accesses, all proved.
step "tandem fuzz --verify: 1500 cases of single, mutate and smith on ref and x64, seed 1 (about 20 s)"
"$tandem" fuzz --engines ref,x64 --verify --generator single,mutate,smith --seed 1 --cases 1500 -j "$jobs" -q \
  --out build/release/fuzz-ci-verify --json build/release/fuzz-ci-verify/summary.json | tail -2
python3 - build/release/fuzz-ci-verify/summary.json <<'PY'
import json, sys
s = json.load(open(sys.argv[1]))
v = s["verify"]["x64"]
assert s["verdicts"].get("verify", 0) == 0 and v["failed"] == 0 and v["unknown"] == 0, v
assert v["accesses"] > 0 and v["proved"] == v["accesses"], v
print(f"  {s['cases']} cases, {v['functions']} functions, {v['accesses']} accesses proved "
      f"({s['cases_per_second']:.0f} cases/s)")
PY

# The three larger programs of bench/large (each with at least 100 KB of code), verified at once:
# every access of their x64 code proved.
step "tandem verify: bench/large's three programs (C on wasi-libc, generated C, wasm-opt -ttf)"
bench/large/build.sh
large=(wasi_app generated ttf)
pids=()
for m in "${large[@]}"; do
  "$tandem" verify "build/bench/large/$m.wasm" -q > "build/bench/large/$m.verify" 2>&1 &
  pids+=($!)
done
failed=0
for i in "${!large[@]}"; do
  m=${large[$i]}
  if ! wait "${pids[$i]}"; then
    failed=1
    echo "ci/test.sh: tandem verify build/bench/large/$m.wasm: not every access proved:" >&2
    head -c 3000 "build/bench/large/$m.verify" >&2
  fi
  echo "  $m: $(tail -1 "build/bench/large/$m.verify")"
done
[ "$failed" = 0 ]

# The nightly campaign with a fixed seed and case count (so that CI does not go red by chance on
# a slow machine): three nights make three history lines, none with a new signature; a night
# with a seeded fault has a new signature, reduces its finding and exits 1.
step "ci/nightly-fuzz.sh --seed 1 --cases 100: three nights, then one with a seeded fault"
nightly=build/release/nightly
rm -rf "$nightly"
for night in 1 2 3; do
  ci/nightly-fuzz.sh --seed 1 --cases 100 -j "$jobs" --out "$nightly/$night" \
    --history "$nightly/history.jsonl" | tail -1
  test -s "$nightly/$night/summary.json"
done
python3 - "$nightly/history.jsonl" <<'PY'
import json, sys
lines = [json.loads(l) for l in open(sys.argv[1])]
assert len(lines) == 3, f"{len(lines)} history lines after three nights"
for l in lines:
    assert l["cases"] > 0 and l["commit"] and l["campaigns"], l
    assert all(c["coverage"] for c in l["campaigns"] if c["name"] != "validation"), l
print(f"  history: {len(lines)} lines, {lines[-1]['cases']} cases a night")
PY
set +e
ci/nightly-fuzz.sh --seed 1 --cases 200 -j "$jobs" --out "$nightly/fault" --seed-fault load-sign \
  --reduce-time 30 --history "$nightly/fault-history.jsonl" | tail -2
rc=${PIPESTATUS[0]}
set -e
if [ "$rc" != 1 ] || ! grep -q '"new_signatures":\["x64:' "$nightly/fault-history.jsonl"; then
  echo "ci/test.sh: the night with a seeded fault exited $rc (expected 1 with a new x64 signature)" >&2
  exit 1
fi

# The throughput benchmark's machinery (tandem gen, the corpus generator, the wasm-opt
# baseline) on a few modules; its figures are printed, not checked (this machine is shared).
step "bench/fuzz_throughput.py: 200 modules, one round (figures not checked)"
python3 bench/fuzz_throughput.py --tandem "$tandem" --modules 200 --rounds 1 --no-a64 \
  --out build/release/bench-fuzz-throughput

step "build (asan)"
cmake --preset asan >/dev/null
cmake --build --preset asan

# Every unit test (reference, jit, diff, spec-tests) under ASan+UBSan, the decoder fuzz test
# (100,000 inputs decoded, validated, instantiated and run on every engine) among them.
step "unit tests under ASan+UBSan (ctest, asan preset)"
ctest --preset asan -j "$jobs" --output-on-failure

step "spec suite under ASan+UBSan (engine ref, all core files)"
build/asan/tandem spec --engines ref -j "$jobs" --quiet "${core[@]}"
step "spec suite under ASan+UBSan (engine x64, strict, all ${#core[@]} core files)"
build/asan/tandem spec --engines x64 --strict -j "$jobs" --quiet "${core[@]}"

# libFuzzer targets (corpus/fuzz-targets), built as OSS-Fuzz builds them: 60 s each on the
# spec suite's modules without a crash, and the differential target finds a seeded fault.
step "libFuzzer targets: ci/build-fuzzers.sh, each target 60 s, a seeded fault found"
ci/fuzzers-test.sh "$tandem" 60

step "aarch64: cross build, unit tests and spec suite (a64 native) under qemu-user"
ci/aarch64.sh

step "all passed"
