#!/usr/bin/env python3
# bench/ref_vs_wasm_interp.py: times tandem's reference interpreter against WABT's wasm-interp
# on the bench/ kernels, side by side. DESIGN.md "Measures that matter" (ref vs wasm-interp).
"""Reference interpreter vs WABT wasm-interp, on the same kernels, in one run.

For each kernel (bench/*.c, built by bench/build.sh into build/bench/), runs alternately
`tandem run X.wasm --invoke run` and `wasm-interp X.wasm --run-all-exports`, REPS times each,
checks that every run printed the same checksum (and that it equals the native build's, when
that exists), and prints the median wall time of each tool, their ratio, and the geomean ratio.

Exit status: 0 when every kernel ran and agreed; 1 when a checksum mismatched or a run failed;
2 on a usage or setup error (missing tool, build failure).
"""

import argparse
import json
import os
import subprocess
import sys

from benchlib import (DEFAULT_OUT, DEFAULT_TANDEM, HERE, BenchError, FindTool, FormatChecksum,
                      Geomean, Kernels, Median, ParseChecksum, Run)

# `tandem run --invoke` prints `i32:N` per result; wasm-interp prints `run() => i32:N`.


def RunOnce(cmd, timeout):
    """Runs `cmd`; returns (seconds, checksum or None, error text or None)."""
    seconds, proc, error = Run(cmd, timeout)
    if error:
        return seconds, None, error
    checksum = ParseChecksum(proc.stdout)
    if checksum is None:
        return seconds, None, "no i32:/i64: result in its output: " + repr(proc.stdout[-200:])
    return seconds, checksum, None


def Build(out, force):
    cmd = [os.path.join(HERE, "build.sh")] + (["--force"] if force else [])
    env = dict(os.environ, OUT=out)
    proc = subprocess.run(cmd, env=env)
    if proc.returncode != 0:
        raise BenchError(f"bench/build.sh failed (exit status {proc.returncode})")


def BenchKernel(name, args, tandem, wasm_interp):
    wasm = os.path.join(args.out, name + ".wasm")
    if not os.path.isfile(wasm):
        raise BenchError(f"{wasm} missing after build")
    tools = {
        "tandem": [tandem, "run", wasm, "--invoke", "run"],
        "wasm-interp": [wasm_interp, wasm, "--run-all-exports"] + args.wasm_interp_flags,
    }
    times = {tool: [] for tool in tools}
    seen = {tool: set() for tool in tools}
    errors = []
    order = list(tools)
    for rep in range(args.reps):
        # Alternate which tool goes first, so neither always runs on a warm (or cold) machine.
        for tool in (order if rep % 2 == 0 else order[::-1]):
            seconds, checksum, err = RunOnce(tools[tool], args.timeout)
            if err:
                errors.append(f"{tool} (rep {rep + 1}): {err}")
                continue
            times[tool].append(seconds)
            seen[tool].add(checksum)
            if not args.quiet:
                print(f"  {name:<10} rep {rep + 1}/{args.reps} {tool:<11} {seconds:8.3f} s  "
                      f"{FormatChecksum(checksum)}", file=sys.stderr)

    native = None
    native_exe = os.path.join(args.out, name + ".native")
    if os.path.isfile(native_exe):
        _, native, err = RunOnce([native_exe], args.timeout)
        if err:
            errors.append(f"native: {err}")

    all_checksums = seen["tandem"] | seen["wasm-interp"] | ({native} if native else set())
    mismatch = len(all_checksums) > 1
    if mismatch:
        errors.append("CHECKSUM MISMATCH: tandem " +
                      ", ".join(map(FormatChecksum, sorted(seen["tandem"]))) +
                      "; wasm-interp " +
                      ", ".join(map(FormatChecksum, sorted(seen["wasm-interp"]))) +
                      f"; native {FormatChecksum(native)}")
    result = {
        "kernel": name,
        "checksum": FormatChecksum(next(iter(all_checksums))) if len(all_checksums) == 1 else None,
        "native_checksum": FormatChecksum(native) if native else None,
        "times_s": times,
        "tandem_s": Median(times["tandem"]),
        "wasm_interp_s": Median(times["wasm-interp"]),
        "mismatch": mismatch,
        "errors": errors,
    }
    ok = not errors and result["tandem_s"] is not None and result["wasm_interp_s"]
    result["ratio"] = result["tandem_s"] / result["wasm_interp_s"] if ok else None
    return result


def PrintTable(results, geomean):
    print(f"{'kernel':<12} {'tandem s':>10} {'wasm-interp s':>14} {'tandem/wasm-interp':>19}")

    def Cell(v, fmt):
        return format(v, fmt) if v is not None else "-"

    for r in results:
        ratio = Cell(r["ratio"], ".2f")
        if r["ratio"] is None:
            ratio = "MISMATCH" if r["mismatch"] else "FAILED"
        print(f"{r['kernel']:<12} {Cell(r['tandem_s'], '.3f'):>10} "
              f"{Cell(r['wasm_interp_s'], '.3f'):>14} {ratio:>19}")
    print(f"{'geomean':<12} {'':>10} {'':>14} {Cell(geomean, '.2f'):>19}")


def main():
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="A ratio above 1 means tandem's reference interpreter is slower than wasm-interp. "
               "See docs/benchmarks.md.")
    parser.add_argument("--reps", type=int, default=3, help="runs per tool per kernel (default 3)")
    parser.add_argument("--tandem", default=DEFAULT_TANDEM,
                        help="tandem binary (default build/release/tandem)")
    parser.add_argument("--wasm-interp", default="wasm-interp",
                        help="WABT wasm-interp binary (default: wasm-interp on PATH)")
    parser.add_argument("--wasm-interp-flag", dest="wasm_interp_flags", action="append",
                        default=[], metavar="FLAG",
                        help="extra flag for wasm-interp, e.g. --wasm-interp-flag=-C100000 "
                             "(repeatable)")
    parser.add_argument("--kernels", help="comma-separated subset of kernels (default: all)")
    parser.add_argument("--out", default=DEFAULT_OUT, help="build directory (default build/bench)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the kernels first")
    parser.add_argument("--timeout", type=float, default=600.0,
                        help="seconds before one run is killed (default 600)")
    parser.add_argument("--json", metavar="FILE", help="also write the results as JSON to FILE")
    parser.add_argument("-q", "--quiet", action="store_true", help="no per-run progress lines")
    args = parser.parse_args()
    if args.reps < 1:
        parser.error("--reps must be at least 1")
    args.out = os.path.abspath(args.out)

    try:
        tandem = FindTool(os.path.abspath(args.tandem) if os.sep in args.tandem else args.tandem,
                          "tandem", "build it (cmake --preset release && cmake --build --preset "
                          "release --target tandem) or pass --tandem PATH")
        wasm_interp = FindTool(args.wasm_interp, "wasm-interp",
                               "install WABT (Debian package wabt, see ci/setup.sh) or pass "
                               "--wasm-interp PATH")
        available = Kernels()
        names = available
        if args.kernels:
            names = [k.strip() for k in args.kernels.split(",") if k.strip()]
            unknown = [k for k in names if k not in available]
            if unknown:
                raise BenchError(f"unknown kernel(s) {', '.join(unknown)}; "
                                 f"available: {', '.join(available)}")
        Build(args.out, args.rebuild)
        results = []
        for name in names:
            results.append(BenchKernel(name, args, tandem, wasm_interp))
    except BenchError as e:
        print(f"ref_vs_wasm_interp: error: {e}", file=sys.stderr)
        return 2

    ratios = [r["ratio"] for r in results if r["ratio"] is not None]
    geomean = Geomean(ratios)
    print(f"tandem: {tandem}\nwasm-interp: {wasm_interp}\nreps: {args.reps} (median wall time)")
    PrintTable(results, geomean)

    failed = [r for r in results if r["errors"]]
    for r in failed:
        for err in r["errors"]:
            print(f"ref_vs_wasm_interp: {r['kernel']}: {err}", file=sys.stderr)
    if any(r["mismatch"] for r in results):
        print("ref_vs_wasm_interp: *** CHECKSUM MISMATCH: the engines disagree; this is a bug in "
              "one of them (the native checksum says which) ***", file=sys.stderr)

    if args.json:
        with open(args.json, "w") as f:
            json.dump({"tandem": tandem, "wasm_interp": wasm_interp, "reps": args.reps,
                       "kernels": results, "geomean_ratio": geomean,
                       "ok": not failed}, f, indent=2)
            f.write("\n")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
