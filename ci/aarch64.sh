#!/usr/bin/env bash
# ci/aarch64.sh: cross-compiles tandem for aarch64 and tests it under qemu-user (issue 5,
# docs/aarch64.md): the unit tests through ctest, and the non-SIMD spec files on the a64 engine
# running natively (inside qemu). Idempotent; installs the arm64 multiarch packages it needs.
# Environment: TANDEM_TESTSUITE (the .wast files; default ../shared/testsuite), TANDEM_BUILD_LOCK
# (a lock file: builds run under flock, for machines shared by several builders),
# TANDEM_AARCH64_SKIP_SPEC=1 (build and unit tests only).
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
jobs="$(nproc)"
start=$SECONDS
step() { printf '\n==> aarch64: %s (%ds)\n' "$*" $((SECONDS - start)); }
locked() {
  if [ -n "${TANDEM_BUILD_LOCK:-}" ]; then flock "$TANDEM_BUILD_LOCK" "$@"; else "$@"; fi
}

SUDO=""
[ "$(id -u)" != 0 ] && SUDO=sudo
export DEBIAN_FRONTEND=noninteractive

step "arm64 multiarch packages"
# Libraries tandem links, for arm64 (headers of catch2, nlohmann-json and CLI11 are
# arch-independent and come from ci/setup.sh).
ARM64_PACKAGES=(libc6:arm64 libstdc++6:arm64 libfmt-dev:arm64 libcapstone-dev:arm64
  libunicorn-dev:arm64 libz3-dev:arm64)
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  $SUDO dpkg --add-architecture arm64
  $SUDO apt-get update -qq
fi
missing=()
for p in "${ARM64_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "installing ${missing[*]}"
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

step "qemu-user"
# qemu 7.2 (Debian 12) tracks guest pages one by one: mapping a store's 1 TiB arena reservation
# takes ~18 s there, and every store makes one. qemu >= 8 keeps an interval tree (instant), so
# take qemu-user from bookworm-backports, unpacked into build/tools without touching the system's
# apt sources or packages (the binary is static). Falls back to the system's qemu, slowly.
qemu="$(command -v qemu-aarch64-static || true)"
tools="$root/build/tools"
if [ -x "$tools/qemu/usr/bin/qemu-aarch64" ]; then
  qemu="$tools/qemu/usr/bin/qemu-aarch64"
elif [ -z "$qemu" ] || ! "$qemu" --version | grep -qE 'version ([89]|[1-9][0-9])\.'; then
  apt_dir="$tools/apt"
  mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$tools/qemu"
  # The Debian mirror this machine's apt already uses (deb822 .sources or one-line .list).
  mirror="$({ grep -h '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}'
              grep -hE '^deb ' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
                awk '{for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break }}'
            } | grep -v -- '-security' | head -n 1 || true)"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg]" \
    "$mirror bookworm-backports main" >"$apt_dir/sources.list"
  apt_opts=(-o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache"
    -o APT::Sandbox::User=root -o Debug::NoLocking=1)
  if [ -n "$mirror" ] && apt-get "${apt_opts[@]}" update -qq >/dev/null 2>&1 &&
    (cd "$apt_dir" && apt-get "${apt_opts[@]}" download -qq qemu-user/bookworm-backports \
      >/dev/null 2>&1); then
    dpkg-deb --fsys-tarfile "$apt_dir"/qemu-user_*.deb |
      tar -x -C "$tools/qemu" ./usr/bin/qemu-aarch64
    rm -f "$apt_dir"/qemu-user_*.deb
    qemu="$tools/qemu/usr/bin/qemu-aarch64"
  else
    echo "ci/aarch64.sh: cannot fetch qemu-user from bookworm-backports; using $qemu (slow)" >&2
  fi
fi
[ -n "$qemu" ] || { echo "ci/aarch64.sh: no qemu-aarch64 (install qemu-user-static)" >&2; exit 2; }
"$qemu" --version | head -1
# The CPU model is the one Unicorn is pinned to. No -L: libc6:arm64 provides the loader, and
# under -L a forked child hangs in qemu (7.2 and 10.0 alike).
run_a64=("$qemu" -cpu cortex-a72)

step "cross build (release preset aarch64)"
locked cmake --preset aarch64 -DTANDEM_QEMU="$qemu" >/dev/null
locked cmake --build --preset aarch64

# Tests that run x86-64 code (x64 stores, "every engine" comparisons that include x64): x86-64
# code runs natively or not at all, so on an aarch64 host their stores cannot be created
# (x86-64 emulation is not offered). Everything else runs, the a64 executors natively.
X64_ONLY=(
  "a64 seeded condition-code fault is reported by the comparison"
  "code: calls, jumps, bounds records and forms of every spec-suite function"
  "code: seeded faults in the code or the side table are caught"
  "compiler: operators run as reference/numerics.h computes them (NaN-canonical)"
  "compiler: control flow, calls, tables, memory and limits run as specified"
  "golden: x64 listings of corpus/golden/x64 match their .expected files"
  "jit arena: snapshot, run, restore, run again replays results and bytes"
  "jit arena: two fresh stores running the same sequence are byte-identical"
  "jit arena: x64 and a64 stores running the same sequence are byte-identical"
  "jit arena: a seeded difference is reported by field name"
  "jit arena: a planted host pointer is found and named"
  "jit arena: no host address range covers arena offsets or small field pairs"
  "jit arena: stores built from the spec modules hold no host address and are deterministic"
  "fuel: one unit per function entry and loop header, same on every engine"
  "call depth limit decides exhaustion, not the host stack"
  "NaN-canonical mode canonicalises arithmetic NaNs and keeps bit operations"
  "NaN-canonical mode covers the vector float arithmetic, lane by lane"
  "instantiation: a trapping segment keeps earlier writes (Wasm 2.0)"
  "comparator: every compared field fires in tandem diff's harness"
  "comparator: every compared field fires in the spec runner's multi-engine mode"
  "gen corpus: a campaign replays the folder and reports ref's instructions per case"
  "verify: every access of every non-SIMD spec module's x64 code is proved"
  "verify: a sample of every region is proved"
  "verify: a dropped or an off-by-one bounds check is rejected with a counterexample"
  "verify cache: a second pass over the same code is answered by the cache, with the same results"
  "verify cache: a store fact the proofs use misses the cache when it changes, and the result is the changed facts' own"
  "verify cache: a weakened bounds check verified after the sound one, with the same cache, is rejected"
  "runner: --verify counts the x64 code's accesses, and a weakened bounds check fails the file"
  "fuzz: --verify proves the x64 code of every case, and a weakened bounds check is a verify finding"
  "verify axioms: the x64 runtime keeps every axiom the verifier assumes"
  "verify: every corpus/regress module's x64 code is proved"
  "verify: the quick prover and the solver give the same results"
  "verify cache: a block met again in another function is answered whole, with the same results"
  "x64 cpu features: CPUID agrees with /proc/cpuinfo's flags"
  "verify: table accesses and indirect calls are proved by the first walk, and each of their checks weakened is rejected"
  "verify: the frame-zeroing loop's store is proved by the first walk, and a longer or differently counted loop is rejected"
  "verify: vector memory accesses are proved, and rejected under a narrowed check"
)
# Slow under emulation and covered on x86-64 (where the same a64 code runs under Unicorn): the
# verifier's proofs of every spec module's a64 code (Z3 under qemu-user takes several minutes).
# And the quick prover's 4,000 random queries checked against Z3.
QEMU_SLOW=(
  "verify: every access of every non-SIMD spec module's a64 code is proved"
  "the quick prover never claims what Z3 refutes"
)
# The V8 peer's tests ("v8: ...", "validation: ..."): node is an x86-64 program on this host,
# which the emulated test binary cannot start.
exclude="^v8: |^validation: "
for t in "${X64_ONLY[@]}" "${QEMU_SLOW[@]}"; do
  exclude+="${exclude:+|}^$(printf '%s' "$t" | sed 's/[][\\.^$*+?(){}|]/\\&/g')\$"
done
step "unit tests under qemu (ctest, emulator from ci/toolchain-aarch64.cmake; ${#X64_ONLY[@]} x64-only tests, ${#QEMU_SLOW[@]} slow under emulation, and the V8 tests excluded)"
ctest --preset aarch64 -j "$jobs" --output-on-failure -E "$exclude"

if [ "${TANDEM_AARCH64_SKIP_SPEC:-0}" = 1 ]; then
  step "done (spec files skipped: TANDEM_AARCH64_SKIP_SPEC=1)"
  exit 0
fi
testsuite="${TANDEM_TESTSUITE:-$(cd "$root/.." && pwd)/shared/testsuite}"
if [ ! -d "$testsuite" ]; then
  echo "ci/aarch64.sh: test suite not found at $testsuite (set TANDEM_TESTSUITE)" >&2
  exit 2
fi
core=("$testsuite"/*.wast)
step "spec suite under qemu, engine a64 native (strict): all ${#core[@]} core files, SIMD included"
# The runner forks per file; wast2json (an x86-64 host binary) is exec'ed by qemu as a host
# process.
"${run_a64[@]}" build/aarch64/tandem spec --engines a64 --strict -j "$jobs" \
  --junit build/aarch64/spec-a64.xml "${core[@]}"

step "done"
