#!/usr/bin/env bash
# ci/spec.sh: the main job for a new user: set up, build the release preset, run the spec test
# suite on every engine and print the summary (README "Quick start"). Extra arguments go to
# `tandem spec` (e.g. --filter 'i32*', --json results.json).
set -euo pipefail
cd "$(dirname "$0")/.."

ci/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release --target tandem

engines="${TANDEM_ENGINES:-$(build/release/tandem engines | paste -sd, -)}"
exec build/release/tandem spec --engines "$engines" "$@"
