#!/usr/bin/env bash
# bench/build.sh: compiles every benchmark kernel (bench/*.c except native_main.c) to wasm32
# and to a native executable, into build/bench/. DESIGN.md "Measures that matter".
#
# Usage: bench/build.sh [--scale N] [--force]
#   --scale N  pass -DBENCH_SCALE=N (multiplies each kernel's repeat count; default 1)
#   --force    rebuild even when outputs are newer than their sources
# Env: CLANG (default clang-14), OUT (default <repo>/build/bench).
# Outputs: build/bench/X.wasm and build/bench/X.native for each kernel X.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$here")"
out="${OUT:-$root/build/bench}"
clang="${CLANG:-clang-14}"
scale=1
force=0

while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="${2:?--scale needs a number}"; shift 2 ;;
    --force) force=1; shift ;;
    -h|--help) sed -n '2,10p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done
case "$scale" in ''|*[!0-9]*|0) echo "build.sh: --scale must be a positive integer" >&2; exit 2 ;; esac

if ! command -v "$clang" >/dev/null; then
  echo "build.sh: '$clang' not found; install clang-14 (ci/setup.sh) or set CLANG=" >&2
  exit 2
fi
# clang looks for the wasm linker under the name wasm-ld (lld-14 provides wasm-ld-14 and,
# through the lld package, wasm-ld).
linker_flag=()
if ! command -v wasm-ld >/dev/null; then
  if command -v wasm-ld-14 >/dev/null; then
    linker_flag=(-fuse-ld="$(command -v wasm-ld-14)")
  else
    echo "build.sh: wasm-ld not found; install lld-14 (ci/setup.sh)" >&2
    exit 2
  fi
fi

mkdir -p "$out"
# A scale change must rebuild everything: remember the scale used last.
stamp="$out/.scale"
if [ ! -f "$stamp" ] || [ "$(cat "$stamp")" != "$scale" ]; then force=1; fi

wasm_flags=(--target=wasm32 -O2 -nostdlib -fno-builtin -Wl,--no-entry -Wl,--export=run
            "${linker_flag[@]}")
built=0
for src in "$here"/*.c; do
  name="$(basename "$src" .c)"
  [ "$name" = native_main ] && continue
  wasm="$out/$name.wasm"
  native="$out/$name.native"
  if [ "$force" = 0 ] && [ "$wasm" -nt "$src" ] && [ "$native" -nt "$src" ] &&
     [ "$wasm" -nt "$here/kernel.h" ] && [ "$native" -nt "$here/native_main.c" ]; then
    continue
  fi
  # The simd_* kernels use 128-bit SIMD (wasm_simd128.h); natively they build their plain C.
  simd=()
  case "$name" in simd_*) simd=(-msimd128) ;; esac
  "$clang" "${wasm_flags[@]}" "${simd[@]}" -DBENCH_SCALE="$scale" -o "$wasm" "$src"
  i64=0
  grep -Eq '^i64 run\(void\)' "$src" && i64=1
  "$clang" -O2 -fno-builtin -DBENCH_SCALE="$scale" -DBENCH_RUN_I64="$i64" \
    -o "$native" "$src" "$here/native_main.c" -lm
  built=$((built + 1))
done
echo "$scale" > "$stamp"
echo "build.sh: $built kernel(s) built into $out (scale $scale)" >&2
