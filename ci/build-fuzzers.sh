#!/usr/bin/env bash
# ci/build-fuzzers.sh: builds the libFuzzer targets of corpus/fuzz-targets the way OSS-Fuzz
# builds a project (its build.sh contract): compilers and flags come from $CC, $CXX, $CFLAGS and
# $CXXFLAGS, the targets link with $LIB_FUZZING_ENGINE, and everything a fuzzing
# infrastructure needs goes to $OUT: each target, TARGET.dict (the WebAssembly tokens and
# every opcode) and TARGET_seed_corpus.zip (the modules of the spec test suite). Without
# OSS-Fuzz's environment it builds locally with clang-14, ASan, UBSan and libFuzzer.
#
#   ci/build-fuzzers.sh            # -> build/fuzzers/out/{decode_validate,run_ref,differential}
#   OUT=/out WORK=/work ci/build-fuzzers.sh
#
# The spec test suite for the seed corpus: $TANDEM_TESTSUITE, else ../shared/testsuite beside
# the repository (without it, no seed corpus is written, and the script says so).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

: "${CC:=clang-14}"
: "${CXX:=clang++-14}"
: "${CFLAGS:=-O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=undefined -fsanitize=fuzzer-no-link}"
: "${CXXFLAGS:=$CFLAGS}"
: "${LIB_FUZZING_ENGINE:=-fsanitize=fuzzer}"
: "${OUT:=$root/build/fuzzers/out}"
: "${WORK:=$root/build/fuzzers/work}"
export CC CXX CFLAGS CXXFLAGS

for tool in "$CC" "$CXX" cmake ninja; do
  if ! command -v "${tool%% *}" >/dev/null; then
    echo "ci/build-fuzzers.sh: $tool not found (Debian: clang-14, cmake, ninja-build)" >&2
    exit 2
  fi
done
mkdir -p "$OUT" "$WORK"

targets=(decode_validate run_ref differential)
# CMAKE_BUILD_TYPE None: the flags are exactly the environment's.
cmake -S "$root" -B "$WORK/build" -G Ninja -DCMAKE_BUILD_TYPE=None -DBUILD_TESTING=OFF \
  -DTANDEM_FUZZ_TARGETS=ON "-DTANDEM_FUZZING_ENGINE=$LIB_FUZZING_ENGINE" >/dev/null
cmake --build "$WORK/build" --target fuzz_make_dict "${targets[@]/#/fuzz_}"

"$WORK/build/fuzz-targets/fuzz_make_dict" > "$WORK/wasm.dict"
for t in "${targets[@]}"; do
  cp "$WORK/build/fuzz-targets/$t" "$OUT/$t"
  cp "$WORK/wasm.dict" "$OUT/$t.dict"
done

# The seed corpus: every module of the spec test suite (wast2json), valid or not, named by its
# hash as libFuzzer names its inputs.
testsuite="${TANDEM_TESTSUITE:-$(cd "$root/.." && pwd)/shared/testsuite}"
if [ -d "$testsuite" ] && command -v wast2json >/dev/null; then
  seeds="$WORK/seeds"
  rm -rf "$seeds" "$WORK/wast"
  mkdir -p "$seeds" "$WORK/wast"
  for f in "$testsuite"/*.wast; do
    wast2json --enable-all "$f" -o "$WORK/wast/$(basename "$f" .wast).json" >/dev/null 2>&1 || true
  done
  for m in "$WORK"/wast/*.wasm; do
    [ -e "$m" ] || continue
    cp "$m" "$seeds/$(sha1sum "$m" | cut -c1-40)"
  done
  python3 - "$seeds" "$WORK/seed_corpus.zip" <<'PY'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as z:
    for name in sorted(os.listdir(src)):
        z.write(os.path.join(src, name), name)
PY
  for t in "${targets[@]}"; do cp "$WORK/seed_corpus.zip" "$OUT/${t}_seed_corpus.zip"; done
  echo "seed corpus: $(ls "$seeds" | wc -l) modules from $testsuite"
else
  echo "ci/build-fuzzers.sh: no seed corpus (the spec test suite at $testsuite or wast2json is missing)" >&2
fi
echo "built in $OUT: ${targets[*]} (with .dict and _seed_corpus.zip)"
