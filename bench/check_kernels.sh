#!/usr/bin/env bash
# bench/check_kernels.sh: checks that every benchmark kernel computes the same checksum natively,
# under WABT wasm-interp and under node (V8). DESIGN.md "Measures that matter" (kernel sanity).
#
# Usage: bench/check_kernels.sh   (builds the kernels first; node is skipped when absent)
# Exit status 0 when all agree, 1 on any disagreement or failed run, 2 on setup errors.
set -uo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
out="${OUT:-$(dirname "$here")/build/bench}"
OUT="$out" "$here/build.sh" || exit 2
command -v wasm-interp >/dev/null || { echo "check_kernels.sh: wasm-interp not found (wabt)" >&2; exit 2; }
have_node=0
command -v node >/dev/null && have_node=1

# Prints the unsigned value of a `TYPE:N` result, so signed and unsigned printers compare equal.
normalize() {
  python3 -c 'import sys,re
m=re.search(r"(i32|i64):(-?\d+)\s*$", sys.stdin.read().strip())
print(f"{m[1]}:{int(m[2]) & ((1 << int(m[1][1:])) - 1)}" if m else "none")'
}

status=0
printf '%-10s %-28s %-28s %-28s\n' kernel native wasm-interp node
for wasm in "$out"/*.wasm; do
  name="$(basename "$wasm" .wasm)"
  native="$("$out/$name.native" | normalize)"
  interp="$(wasm-interp "$wasm" --run-all-exports | normalize)"
  v8="skipped"
  if [ "$have_node" = 1 ]; then
    v8="$(node -e '
      const fs = require("fs");
      WebAssembly.instantiate(fs.readFileSync(process.argv[1])).then(({instance}) => {
        const r = instance.exports.run();
        console.log((typeof r === "bigint" ? "i64:" : "i32:") + r);
      });' "$wasm" | normalize)"
  fi
  mark=""
  if [ "$native" = none ] || [ "$native" != "$interp" ] ||
     { [ "$have_node" = 1 ] && [ "$native" != "$v8" ]; }; then
    mark="  <-- MISMATCH"
    status=1
  fi
  printf '%-10s %-28s %-28s %-28s%s\n' "$name" "$native" "$interp" "$v8" "$mark"
done
exit $status
