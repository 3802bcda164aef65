#!/usr/bin/env bash
# bench/large/build.sh: builds the three larger programs of bench/large/ (README.md there) into
# build/bench/large/, each with at least 100 KB of code section, for the verifier and the JITs.
#
# Usage: bench/large/build.sh [--force]
#   --force  rebuild even when the outputs are newer than their sources
# Env: CLANG (default clang-14), WASM_OPT (default wasm-opt), OUT (default <repo>/build/bench/large).
# Outputs: wasi_app.wasm (C on wasi-libc), generated.wasm (C written by gen_program.py),
#   ttf.wasm (wasm-opt -ttf on 1 MB of ttf_input.py); prints each one's code-section size.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="${OUT:-$root/build/bench/large}"
clang="${CLANG:-clang-14}"
wasm_opt="${WASM_OPT:-wasm-opt}"
force=0
while [ $# -gt 0 ]; do
  case "$1" in
    --force) force=1; shift ;;
    -h|--help) sed -n '2,9p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "build.sh: unknown argument '$1' (try --help)" >&2; exit 2 ;;
  esac
done

need() {
  if ! command -v "$1" >/dev/null; then
    echo "build.sh: '$1' not found; $2" >&2
    exit 2
  fi
}
need "$clang" "install clang-14 (ci/setup.sh) or set CLANG="
need "$wasm_opt" "install binaryen (ci/setup.sh) or set WASM_OPT="
need python3 "install python3"
# Debian's wasi-libc: headers in /usr/include/wasm32-wasi, libraries in /usr/lib/wasm32-wasi,
# where clang-14 --target=wasm32-wasi looks by itself.
if [ ! -f /usr/lib/wasm32-wasi/libc.a ]; then
  echo "build.sh: wasi-libc not found (/usr/lib/wasm32-wasi/libc.a); install wasi-libc (ci/setup.sh)" >&2
  exit 2
fi
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

stale() {  # stale OUTPUT INPUT...: the output is missing or older than an input
  local o="$1"
  shift
  [ "$force" = 1 ] || [ ! -f "$o" ] && return 0
  for i in "$@"; do [ "$i" -nt "$o" ] && return 0; done
  return 1
}

# (i) C on wasi-libc. -nodefaultlibs: the wasm32 builtins of compiler-rt are not installed
# (builtins.c has the one libc needs); --strip-all drops libc's debug sections.
if stale "$out/wasi_app.wasm" "$here/wasi_app.c" "$here/builtins.c"; then
  "$clang" --target=wasm32-wasi -O2 -nodefaultlibs -Wl,--strip-all "${linker_flag[@]}" \
    -o "$out/wasi_app.wasm" "$here/wasi_app.c" "$here/builtins.c" -lc -lm
fi
# (ii) generated C, freestanding (no libc), `run` exported.
if stale "$out/generated.wasm" "$here/gen_program.py"; then
  python3 "$here/gen_program.py" --functions 640 --seed 1 -o "$out/generated.c"
  "$clang" --target=wasm32 -O2 -nostdlib -fno-builtin -Wl,--no-entry -Wl,--strip-all \
    "${linker_flag[@]}" -o "$out/generated.wasm" "$out/generated.c"
fi
# (iii) binaryen's translate-to-fuzz on 1 MB of fixed input, with the features tandem's ttf
# generator asks for (diff/gen/ttf.cc).
if stale "$out/ttf.wasm" "$here/ttf_input.py"; then
  python3 "$here/ttf_input.py" --bytes 1000000 -o "$out/ttf_input.dat"
  "$wasm_opt" "$out/ttf_input.dat" -ttf --mvp-features --enable-sign-ext --enable-mutable-globals \
    --enable-nontrapping-float-to-int --enable-bulk-memory --enable-multivalue \
    -o "$out/ttf.wasm" 2>/dev/null
fi

# Each module's code-section size (section id 10), which must be at least 100 KB.
python3 - "$out"/wasi_app.wasm "$out"/generated.wasm "$out"/ttf.wasm <<'PY'
import sys
def leb(b, i):
    v = s = 0
    while True:
        x = b[i]; i += 1; v |= (x & 0x7f) << s; s += 7
        if x < 0x80: return v, i
bad = 0
for path in sys.argv[1:]:
    b = open(path, "rb").read()
    i, code = 8, 0
    while i < len(b):
        sid = b[i]; size, i = leb(b, i + 1)
        if sid == 10: code = size
        i += size
    print(f"{path}: {len(b)} bytes, code section {code} bytes")
    bad |= code < 100 * 1024
sys.exit("build.sh: a module has less than 100 KB of code" if bad else 0)
PY
