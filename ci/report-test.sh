#!/usr/bin/env bash
# ci/report-test.sh: `tandem report` end to end, checked in a real browser (docs/reports.md):
#   1. the spec suite's core files on ref, x64 and a64 as JSON, its page, the browser test;
#   2. a copy of the suite in which one assertion of i32.wast expects a wrong value, run again,
#      both runs on one page: the browser test checks that the page names the changed test;
#   3. bad input (a missing file, JSON of another kind, an empty run): exit 2 and no page.
# Pages, JSON and screenshots are kept in report/ beside the tandem executable.
#   ci/report-test.sh [TANDEM]        (default build/release/tandem)
# Needs chromium and libjs-chart.js (Debian) and node_modules/puppeteer-core: ci/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
root="$(pwd)"
tandem="${1:-build/release/tandem}"
out="$(dirname "$tandem")/report"
jobs="$(nproc)"
start=$SECONDS
say() { printf '  [report %ds] %s\n' $((SECONDS - start)) "$*"; }
fail() {
  echo "ci/report-test.sh: $*" >&2
  exit 1
}

testsuite="${TANDEM_TESTSUITE:-$(cd "$root/.." && pwd)/shared/testsuite}"
[ -d "$testsuite" ] || { echo "ci/report-test.sh: no test suite at $testsuite" >&2; exit 2; }
[ -d node_modules/puppeteer-core ] ||
  { echo "ci/report-test.sh: node_modules/puppeteer-core is missing: run ci/setup.sh" >&2; exit 2; }
browser_test=(node reports/tests/browser/report_page_test.mjs)
core=("$testsuite"/*.wast)

rm -rf "$out"
mkdir -p "$out"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# 1. Every core file on three engines.
say "tandem spec --engines ref,x64,a64 --json: ${#core[@]} core files"
"$tandem" spec --engines ref,x64,a64 -j "$jobs" --quiet --json "$out/run.json" "${core[@]}" \
  >"$out/run.txt" || fail "the spec run failed: $(tail -3 "$out/run.txt")"
say "$(tail -1 "$out/run.txt")"
"$tandem" report "$out/run.json" --out "$out/spec.html"
"${browser_test[@]}" --page "$out/spec.html" --run "$out/run.json" --screenshot "$out/spec.png" \
  >"$out/spec-browser.txt" || { cat "$out/spec-browser.txt"; fail "browser test of spec.html"; }
say "browser test of spec.html: $(tail -1 "$out/spec-browser.txt") (screenshot $out/spec.png)"

# 2. The same files, one assertion of i32.wast changed to expect 1 + 1 = 3.
mkdir "$tmp/suite"
cp "${core[@]}" "$tmp/suite/"
assertion='(assert_return (invoke "add" (i32.const 1) (i32.const 1)) (i32.const 2))'
line="$(grep -nF "$assertion" "$tmp/suite/i32.wast" | head -1 | cut -d: -f1)"
[ -n "$line" ] || fail "i32.wast has no line $assertion"
sed -i "${line}s/(i32.const 2))\$/(i32.const 3))/" "$tmp/suite/i32.wast"
grep -qxF "${assertion/(i32.const 2))/(i32.const 3))}" <(sed -n "${line}p" "$tmp/suite/i32.wast") ||
  fail "i32.wast:$line was not changed"
say "a copy of the suite with i32.wast:$line changed to expect i32:3"
set +e
"$tandem" spec --engines ref,x64,a64 -j "$jobs" --quiet --json "$out/run-changed.json" \
  "$tmp/suite"/*.wast >"$out/run-changed.txt"
rc=$?
set -e
[ "$rc" = 1 ] || fail "the changed run exited $rc, expected 1 (a failure)"
grep -q "^FAIL i32.wast:$line \[ref\]" "$out/run-changed.txt" || fail "the changed run did not fail i32.wast:$line"
say "$(tail -1 "$out/run-changed.txt")"
"$tandem" report "$out/run.json" "$out/run-changed.json" --label testsuite \
  --label "i32.wast:$line changed" --out "$out/spec-compare.html" --json "$out/spec-compare.json"
"${browser_test[@]}" --page "$out/spec-compare.html" --run "$out/run.json" \
  --run "$out/run-changed.json" --changed "i32.wast:$line" --screenshot "$out/spec-compare.png" \
  >"$out/spec-compare-browser.txt" ||
  { cat "$out/spec-compare-browser.txt"; fail "browser test of spec-compare.html"; }
say "browser test of spec-compare.html: $(tail -1 "$out/spec-compare-browser.txt")"

# 3. Bad input: a clear message, exit 2, no page.
printf '(module)\n' >"$tmp/empty.wast"  # a module and no test: a run with no result
"$tandem" spec --engines ref --quiet --json "$tmp/empty.json" "$tmp/empty.wast" >/dev/null
printf '{"calls": [{"invoke": "f"}]}\n' >"$tmp/script.json"
printf '{"summary": {"engines"' >"$tmp/cut.json"
expect2() {
  local page="$tmp/bad.html"
  rm -f "$page"
  set +e
  "$tandem" report "$@" --out "$page" >/dev/null 2>"$tmp/err"
  local rc=$?
  set -e
  [ "$rc" = 2 ] || fail "tandem report $* exited $rc, expected 2"
  [ ! -e "$page" ] || fail "tandem report $* wrote a page"
  say "exit 2, no page: $(head -c 200 "$tmp/err")"
}
expect2 "$tmp/missing.json"
expect2 "$tmp/script.json"
expect2 "$tmp/cut.json"
expect2 "$out/spec.html"
expect2 "$tmp/empty.json"
expect2 "$out/run.json" "$tmp/empty.json"
expect2 "$out/run.json" --chart-js "$tmp/missing.js"
say "done"
