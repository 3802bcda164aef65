#!/usr/bin/env bash
# ci/nightly-fuzz.sh: the nightly campaign. Builds (release preset), then runs every generator
# on every local engine, V8 when node is present and the validation differential within the
# budget; reduces the first finding of each signature no earlier night had; writes
# OUT/summary.json (cases, cases/s, findings by signature, coverage per engine, unsupported
# reasons, the commit) and appends it to the history file (JSON Lines). Exit 1 on new
# signatures, 0 without, 2 when it cannot run.
#
#   ci/nightly-fuzz.sh [--budget S] [--seed N] [--out DIR] [--history FILE] [--cases N] [-j N]
#
# CI runs it with a fixed seed and --cases, so that its result does not depend on the machine's
# speed. Options: ci/nightly_fuzz.py --help.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
for arg in "$@"; do
  case "$arg" in -h|--help) exec python3 ci/nightly_fuzz.py --help ;; esac
done
if ! cmake --preset release >/dev/null || ! cmake --build --preset release >/dev/null; then
  echo "ci/nightly-fuzz.sh: the release build failed" >&2
  exit 2
fi
exec python3 ci/nightly_fuzz.py --tandem "$root/build/release/tandem" "$@"
