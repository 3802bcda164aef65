#!/usr/bin/env python3
# bench/fuzz_throughput.py: cases per second of tandem's fuzz loop on one core, beside a
# process-per-case baseline (binaryen's wasm-opt --fuzz-exec), on the same smith modules, in one
# run. DESIGN.md "Measures that matter".
"""Fuzz-loop throughput: tandem fuzz -j 1 vs wasm-opt --fuzz-exec once per module.

1. `tandem gen` writes N smith modules (campaign defaults; code section between --min-code and
   --max-code bytes) and the same N cases made with `--binaryen` (no block parameters, no
   externref element segments, no table.init/elem.drop/table.copy/table.fill: what binaryen 108
   reads).
2. Each round runs, one after the other (so that the machine's noise falls on all alike):
   `tandem fuzz -j 1 --generator corpus` over the smith modules with the engines ref, ref+x64
   and ref+x64+a64; ref+x64 over the --binaryen modules; ref+v8-liftoff and ref+x64 over the same
   cases made with --denan (V8 is compared on NaN-free modules only); and `wasm-opt --fuzz-exec`
   started once per --binaryen module, the way binaryen's own fuzz loop runs a case.
3. Prints the median of the rounds: cases per second, the instructions the reference executed
   per case, and each tandem figure's ratio to the baseline on the same modules.

The calls differ: tandem runs each case's script (every export, one to three argument sets
biased toward edge values, hangLimitInitializer before each call, the state compared after
each); wasm-opt --fuzz-exec calls every export once with zero arguments, before and after its
(empty) optimisation pipeline.

Exit status: 0 when every run worked (and, with --check, the targets hold: ref+x64 at least
1,000 cases/s and at least 10 times the baseline); 1 when a run found something, failed, or a
target was missed under --check; 2 on a usage or setup error.
"""

import argparse
import json
import os
import subprocess
import sys
import time

from benchlib import DEFAULT_OUT, DEFAULT_TANDEM, BenchError, FindTool, Median

# What smith --binaryen modules use, as binaryen 108 names the features.
BINARYEN_FEATURES = ["--enable-bulk-memory", "--enable-reference-types", "--enable-multivalue",
                     "--enable-sign-ext", "--enable-nontrapping-float-to-int",
                     "--enable-mutable-globals"]
ENGINE_SETS = [["ref"], ["ref", "x64"], ["ref", "x64", "a64"]]
TARGET_CASES_PER_SECOND = 1000
TARGET_RATIO = 10


def Gen(tandem, out, args, extra):
    cmd = [tandem, "gen", "--generator", "smith", "--seed", str(args.seed), "--cases",
           str(args.modules), "--min-code-bytes", str(args.min_code), "--max-code-bytes",
           str(args.max_code), "--out", out, "-q"] + extra
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise BenchError(f"{' '.join(cmd)} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    with open(os.path.join(out, "cases.json")) as f:
        cases = json.load(f)
    files = [os.path.join(out, c["file"]) for c in cases]
    sizes = sorted(c["code_section_bytes"] for c in cases)
    return files, sizes


def Fuzz(tandem, corpus, engines, args, json_path):
    """tandem fuzz -j 1 over the corpus; returns its summary (cases_per_second, quality...)."""
    cmd = [tandem, "fuzz", "-j", "1", "-q", "--generator", "corpus", "--corpus", corpus,
           "--cases", str(args.modules), "--engines", ",".join(engines), "--json", json_path]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1) or not os.path.exists(json_path):
        raise BenchError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()[-500:]}")
    with open(json_path) as f:
        summary = json.load(f)
    os.unlink(json_path)
    return summary


def Baseline(wasm_opt, files):
    """wasm-opt --fuzz-exec once per module; returns (cases/s, unreadable, failed)."""
    unreadable, failed = [], []
    start = time.perf_counter()
    for path in files:
        proc = subprocess.run([wasm_opt, path, "--fuzz-exec", "-q"] + BINARYEN_FEATURES,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            if "parse exception" in proc.stderr or "error parsing" in proc.stderr:
                unreadable.append(os.path.basename(path))
            else:
                failed.append(os.path.basename(path))
    seconds = time.perf_counter() - start
    return len(files) / seconds, unreadable, failed


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tandem", default=DEFAULT_TANDEM, help="tandem binary (a release build)")
    ap.add_argument("--wasm-opt", default="wasm-opt", help="binaryen's wasm-opt")
    ap.add_argument("--modules", type=int, default=1000, help="smith modules (default 1000)")
    ap.add_argument("--seed", type=int, default=1, help="generator seed (default 1)")
    ap.add_argument("--min-code", type=int, default=1024, help="least code-section bytes")
    ap.add_argument("--max-code", type=int, default=4096, help="most code-section bytes")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; medians are printed")
    ap.add_argument("--no-a64", action="store_true", help="leave out ref+x64+a64")
    ap.add_argument("--no-v8", action="store_true", help="leave out ref+v8-liftoff (no node)")
    ap.add_argument("--out", default=os.path.join(DEFAULT_OUT, "fuzz_throughput"),
                    help="working folder (modules, summaries)")
    ap.add_argument("--json", help="write the figures as JSON to FILE")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 when ref+x64 is below 1,000 cases/s or 10x the baseline")
    args = ap.parse_args()
    if args.modules <= 0 or args.rounds <= 0:
        ap.error("--modules and --rounds must be positive")

    try:
        tandem = FindTool(args.tandem, "tandem", "build it: cmake --build --preset release")
        wasm_opt = FindTool(args.wasm_opt, "wasm-opt", "install Debian's binaryen")
        os.makedirs(args.out, exist_ok=True)
        smith_dir = os.path.join(args.out, "smith")
        binaryen_dir = os.path.join(args.out, "smith-binaryen")
        denan_dir = os.path.join(args.out, "smith-denan")
        for d in (smith_dir, binaryen_dir, denan_dir):
            if os.path.isdir(d):
                for name in os.listdir(d):
                    os.unlink(os.path.join(d, name))
        _, sizes = Gen(tandem, smith_dir, args, [])
        bfiles, bsizes = Gen(tandem, binaryen_dir, args, ["--binaryen"])
        if not args.no_v8:
            Gen(tandem, denan_dir, args, ["--denan"])
    except BenchError as e:
        print(f"fuzz_throughput: {e}", file=sys.stderr)
        return 2

    engine_sets = [e for e in ENGINE_SETS if not (args.no_a64 and "a64" in e)]
    runs = {}  # label -> list of summaries
    base = []
    unreadable, base_failed = [], []
    problems = []
    json_path = os.path.join(args.out, "summary.json")
    try:
        for r in range(args.rounds):
            print(f"round {r + 1} of {args.rounds} ...", file=sys.stderr, flush=True)
            for engines in engine_sets:
                label = "+".join(engines)
                runs.setdefault(label, []).append(Fuzz(tandem, smith_dir, engines, args, json_path))
            runs.setdefault("ref+x64 (--binaryen)", []).append(
                Fuzz(tandem, binaryen_dir, ["ref", "x64"], args, json_path))
            if not args.no_v8:
                runs.setdefault("ref+x64 (--denan)", []).append(
                    Fuzz(tandem, denan_dir, ["ref", "x64"], args, json_path))
                runs.setdefault("ref+v8-liftoff (--denan)", []).append(
                    Fuzz(tandem, denan_dir, ["ref", "v8-liftoff"], args, json_path))
            rate, unreadable, base_failed = Baseline(wasm_opt, bfiles)
            base.append(rate)
    except BenchError as e:
        print(f"fuzz_throughput: {e}", file=sys.stderr)
        return 2

    base_rate = Median(base)
    print(f"{args.modules} smith modules, seed {args.seed}, code section {sizes[0]}-{sizes[-1]} "
          f"bytes (median {sizes[len(sizes) // 2]}); the --binaryen set: median "
          f"{bsizes[len(bsizes) // 2]} bytes; tandem fuzz -j 1, campaign defaults; "
          f"median of {args.rounds} rounds")
    print(f"{'run':<26} {'cases/s':>9} {'instr/case on ref':>18} {'x baseline':>11}  unsupported")
    figures = {"modules": args.modules, "seed": args.seed, "rounds": args.rounds, "runs": {}}
    for label, summaries in runs.items():
        rate = Median([s["cases_per_second"] for s in summaries])
        q = summaries[-1]["quality"]
        ipc = q.get("ref_instructions_per_case", 0.0)
        findings = sum(len(s["findings"]) for s in summaries)
        if findings:
            problems.append(f"{label}: {findings} findings (see tandem fuzz --out)")
        ratio = rate / base_rate if base_rate else 0.0
        unsupported = sum(n for s in summaries[-1:] for reasons in s.get("unsupported", {}).values()
                          for n in reasons.values())
        print(f"{label:<26} {rate:>9.0f} {ipc:>18.0f} {ratio:>10.1f}x  {unsupported}")
        figures["runs"][label] = {"cases_per_second": rate, "ref_instructions_per_case": ipc,
                                  "unsupported": unsupported,
                                  "returned_share": q.get("returned_share", 0.0),
                                  "ratio_to_baseline": ratio, "findings": findings}
    print(f"{'wasm-opt --fuzz-exec':<26} {base_rate:>9.0f} {'-':>18} {'1.0x':>11}   (one process "
          f"per module; could not read {len(unreadable)} of {len(bfiles)}, failed otherwise "
          f"{len(base_failed)})")
    figures["baseline"] = {"cases_per_second": base_rate, "unreadable": len(unreadable),
                           "failed": len(base_failed), "modules": len(bfiles)}
    if unreadable:
        print("  unreadable by wasm-opt: " + ", ".join(unreadable[:10]) +
              (" ..." if len(unreadable) > 10 else ""))
    x64 = figures["runs"]["ref+x64"]
    same = figures["runs"]["ref+x64 (--binaryen)"]
    ok_rate = x64["cases_per_second"] >= TARGET_CASES_PER_SECOND
    ok_ratio = same["ratio_to_baseline"] >= TARGET_RATIO
    print(f"target ref+x64 >= {TARGET_CASES_PER_SECOND} cases/s on one core: "
          f"{x64['cases_per_second']:.0f} -> {'met' if ok_rate else 'MISSED'}")
    print(f"target ref+x64 >= {TARGET_RATIO}x the baseline on the same modules: "
          f"{same['ratio_to_baseline']:.1f}x -> {'met' if ok_ratio else 'MISSED'}")
    figures["targets_met"] = ok_rate and ok_ratio
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=1)
    for p in problems:
        print("problem: " + p, file=sys.stderr)
    if problems or (args.check and not figures["targets_met"]):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
