#!/usr/bin/env python3
# bench/reduce_compare.py: tandem's test-case reducer (`tandem reduce`) against binaryen's
# wasm-reduce driven by `tandem diff --signature`, on the same findings. DESIGN.md "Measures that
# matter".
"""Reducer comparison: tandem reduce and wasm-reduce, side by side on one finding per fault.

For each codegen fault (`tandem diff --list-faults --json`, kind "codegen"), or only those of
--fault:
 1. one finding: `tandem fuzz --engines ref,BACKEND --generator smith --binaryen --seed-fault NAME
    --seed S --time FIND_TIME --max-findings 1 -j 1`, BACKEND being the first back end the fault
    applies to. --binaryen keeps the modules inside what binaryen 108 reads (--no-block-params is
    not enough: it leaves externref element segments, which wasm-opt refuses). wasm-reduce first
    checks that the command behaves the same on wasm-opt's rewrite of the module; binaryen 108
    writes typed function references (which tandem refuses) for some multivalue code with
    funcrefs, so a finding whose rewrite tandem refuses gets no wasm-reduce run. Seeds 1..--seeds
    are tried in turn until a finding passes that check (else the first finding is kept for
    tandem alone); a fault with no finding is skipped;
 2. `tandem reduce FINDING --time BUDGET`: its signature, original and reduced size, seconds;
 3. wasm-reduce on the finding's case.wasm with the test command `tandem diff TEST --script
    FINDING/script.json ...replay flags... --signature SIG` (exit 0 exactly while the case shows
    the signature), WebAssembly 2.0 features only, stopped after BUDGET seconds of wall clock (its
    working file holds the candidate accepted last; the test file when the kill cut it short).
Both reduced cases are replayed with --signature at the end ("kept": the signature still holds).
Prints, per fault, the original size and each reducer's reduced size, seconds and whether the
signature was kept (for wasm-reduce also when its working file last improved); then, over the
faults both reducers ran on, the median sizes and seconds and how many faults each reducer
brought down to at most max(10% of the original, 300) bytes.

Exit status: 0 when every step ran; 1 when a step failed (a campaign or a reducer could not run,
the signature does not hold on the original, a reduced case lost its signature); 2 on a usage or
setup error.
"""

import argparse
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

from benchlib import DEFAULT_OUT, DEFAULT_TANDEM, BenchError, FindTool, Median

# What tandem reads (WebAssembly 2.0), for wasm-reduce and the wasm-opt it runs: with binaryen's
# default --enable-all its passes may write GC types tandem refuses.
FEATURES = ("--mvp-features --enable-sign-ext --enable-mutable-globals "
            "--enable-nontrapping-float-to-int --enable-simd --enable-bulk-memory "
            "--enable-reference-types --enable-multivalue")
SMALL_SHARE = 0.10  # "small": at most this share of the original ...
SMALL_BYTES = 300   # ... or at most this many bytes


def Faults(tandem, only):
    proc = subprocess.run([tandem, "diff", "--list-faults", "--json"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise BenchError("tandem diff --list-faults --json failed: " + proc.stderr.strip())
    faults = [f for f in json.loads(proc.stdout) if f.get("kind") == "codegen"]
    unknown = sorted(set(only) - {f["name"] for f in faults})
    if unknown:
        raise BenchError("no codegen fault named " + ", ".join(unknown))
    faults = [f for f in faults if not only or f["name"] in only]
    if not faults:
        raise BenchError("no codegen fault listed")
    return faults


def Small(reduced, original):
    return reduced is not None and reduced <= max(SMALL_SHARE * original, SMALL_BYTES)


def FindOne(tandem, fault, seed, args, work):
    """Runs the campaign; returns the finding folder or None."""
    out = os.path.join(work, fault["name"] + ("" if seed == 1 else f"-seed{seed}"))
    shutil.rmtree(out, ignore_errors=True)
    summary = out + ".json"
    engine = fault["applies_to"].split(",")[0]
    cmd = [tandem, "fuzz", "-q", "--engines", f"ref,{engine}", "--generator", "smith",
           "--binaryen", "--seed-fault", fault["name"], "--seed", str(seed),
           "--time", str(args.find_time), "--max-findings", "1", "-j", "1",
           "--out", out, "--json", summary]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1) or not os.path.exists(summary):
        raise StepError(f"{shlex.join(cmd)} exited {proc.returncode}: "
                        f"{proc.stderr.strip()[-400:]}")
    with open(summary) as f:
        s = json.load(f)
    if not s["findings"]:
        return None
    return os.path.abspath(os.path.join(out, "findings", s["findings"][0]["id"]))


class StepError(Exception):
    """A step of one fault that failed to run (the row records it; the run goes on)."""


def SignatureCommand(tandem, finding, wasm, script, sig):
    """The finding's replay command on `wasm` and `script`, plus --signature SIG (an argv)."""
    with open(os.path.join(finding, "outcome.json")) as f:
        replay = shlex.split(json.load(f)["replay"])
    if not replay or replay[0] != "tandem" or replay[1:2] != ["diff"]:
        raise StepError(f"unexpected replay command in {finding}/outcome.json: {shlex.join(replay)}")
    argv, rest, has_script = [tandem, "diff"], replay[2:], False
    i = 0
    while i < len(rest):
        a = rest[i]
        if a == "--script" and i + 1 < len(rest):
            argv += ["--script", os.path.abspath(script)]
            has_script = True
            i += 2
            continue
        if a.startswith("--script="):
            argv.append("--script=" + os.path.abspath(script))
            has_script = True
        elif a.endswith((".wasm", ".wat")) and not a.startswith("-"):
            argv.append(os.path.abspath(wasm))
        else:
            argv.append(a)
        i += 1
    if not has_script and os.path.exists(script):
        argv += ["--script", os.path.abspath(script)]
    return argv + ["--signature", sig]


def RoundTrip(wasm_opt, tandem, finding, work):
    """Why wasm-reduce cannot start on the finding, or "": it requires the command to behave the
    same on wasm-opt's rewrite of the module (binaryen 108 writes typed function references for
    some multivalue code with funcrefs, which tandem refuses)."""
    os.makedirs(work, exist_ok=True)
    out = os.path.join(work, "roundtrip.wasm")
    cmd = [wasm_opt, *FEATURES.split(), os.path.join(finding, "case.wasm"), "-o", out]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        return f"binaryen cannot read it: {shlex.join(cmd)}: {proc.stderr.strip()[-300:]}"
    argv = SignatureCommand(tandem, finding, out, os.path.join(finding, "script.json"), "")[:-2]
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode == 2:
        return (f"tandem refuses binaryen's rewrite ({shlex.join(cmd)}): "
                f"{proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else ''}")
    return ""


def Holds(argv):
    """True when the signature command exits 0 (the case shows the signature)."""
    proc = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    return proc.returncode == 0, proc


def TandemReduce(tandem, finding, out, budget):
    shutil.rmtree(out, ignore_errors=True)
    cmd = [tandem, "reduce", finding, "--out", out, "--time", str(budget), "--json", "-q"]
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=2 * budget + 120)
    except subprocess.TimeoutExpired:
        raise StepError(f"{shlex.join(cmd)} ran past {2 * budget + 120:.0f} s")
    if proc.returncode != 0:
        raise StepError(f"{shlex.join(cmd)} exited {proc.returncode}: "
                        f"{(proc.stderr.strip() or proc.stdout.strip())[-400:]}")
    r = json.loads(proc.stdout)
    return {k: r.get(k) for k in ("signature", "original_bytes", "reduced_bytes", "seconds",
                                  "tests", "timed_out")}


def WasmReduce(wasm_reduce, bin_dir, tandem, finding, sig, work, budget):
    """Runs wasm-reduce for at most `budget` seconds; returns the row's wasm-reduce part."""
    os.makedirs(work, exist_ok=True)
    start = os.path.join(work, "start.wasm")
    test = os.path.join(work, "test.wasm")
    working = os.path.join(work, "work.wasm")
    log = os.path.join(work, "log.txt")
    for stale in (test, working, log):
        if os.path.exists(stale):
            os.remove(stale)
    shutil.copyfile(os.path.join(finding, "case.wasm"), start)
    script = os.path.join(finding, "script.json")
    on_start = SignatureCommand(tandem, finding, start, script, sig)
    ok, proc = Holds(on_start)
    if not ok:
        raise StepError(f"signature does not hold on the original: {shlex.join(on_start)} "
                        f"exited {proc.returncode}: {(proc.stderr + proc.stdout).strip()[-300:]}")
    command = shlex.join(SignatureCommand(tandem, finding, test, script, sig))
    cmd = [wasm_reduce, start, "--command", command, "-t", test, "-w", working,
           "-b", bin_dir, "--timeout", "10", "-ef", FEATURES, *FEATURES.split()]
    env = dict(os.environ, BINARYEN_CORES="1")  # wasm-opt's passes on one core
    began, began_wall = time.perf_counter(), time.time()
    with open(log, "w") as f:
        p = subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, env=env,
                             start_new_session=True)
        try:
            p.wait(timeout=budget)
            stopped = False
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait()
            stopped = True
    seconds = time.perf_counter() - began
    error = ""
    if not stopped and p.returncode != 0:
        with open(log) as f:
            lines = [l.strip() for l in f.read().strip().splitlines()]
        why = [l for l in lines if l.startswith("|!") and not l.startswith("|!!")] or lines[-1:]
        error = f"wasm-reduce exited {p.returncode}: " + " | ".join(why)
    # wasm-reduce rewrites the working file in place after every accepted candidate, so a kill
    # can leave it empty or cut short; then the candidate being copied is still in the test file.
    best, kept = start, False
    for candidate in (working, test):
        if os.path.exists(candidate) and os.path.getsize(candidate) > 0:
            kept, _ = Holds(SignatureCommand(tandem, finding, candidate, script, sig))
            if kept:
                best = candidate
                break
    if not kept:
        kept, _ = Holds(SignatureCommand(tandem, finding, start, script, sig))
    # When the result was written: wasm-reduce often reaches its best long before it stops.
    best_seconds = max(0.0, os.path.getmtime(best) - began_wall) if best != start else 0.0
    return {"reduced_bytes": os.path.getsize(best), "seconds": seconds, "timed_out": stopped,
            "best_seconds": best_seconds, "result_file": os.path.basename(best),
            "kept": kept, "error": error, "log": log, "command": command}


def Fmt(v, spec):
    if isinstance(v, bool):
        v = "yes" if v else "no"
    if v is None:  # keep the column's width
        return format("-", spec.split(".")[0].rstrip("df"))
    return format(v, spec)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tandem", default=DEFAULT_TANDEM, help="tandem binary (a release build)")
    ap.add_argument("--wasm-reduce", default="wasm-reduce",
                    help="binaryen's wasm-reduce (wasm-opt must be beside it)")
    ap.add_argument("--budget", type=float, default=60,
                    help="seconds each reducer may spend per finding (default 60)")
    ap.add_argument("--find-time", type=float, default=60,
                    help="seconds the campaign may take to find a fault (default 60)")
    ap.add_argument("--seeds", type=int, default=1,
                    help="campaign seeds to try, in order, until a finding wasm-reduce can start "
                         "on (binaryen's rewrite of it still reads in tandem; default 1)")
    ap.add_argument("--fault", action="append", default=[], help="only this fault (repeatable)")
    ap.add_argument("--out", default=os.path.join(DEFAULT_OUT, "reduce_compare"),
                    help="working folder (findings, reduced cases, wasm-reduce logs)")
    ap.add_argument("--json", help="write the rows as JSON to FILE")
    args = ap.parse_args()
    try:
        tandem = os.path.abspath(FindTool(args.tandem, "tandem",
                                          "build it: cmake --build --preset release"))
        wasm_reduce = FindTool(args.wasm_reduce, "wasm-reduce",
                               "install binaryen (apt-get install binaryen)")
        bin_dir = os.path.dirname(os.path.realpath(wasm_reduce))
        wasm_opt = FindTool(os.path.join(bin_dir, "wasm-opt"), "wasm-opt (beside wasm-reduce)",
                            "install binaryen (apt-get install binaryen)")
        faults = Faults(tandem, set(args.fault))
        os.makedirs(args.out, exist_ok=True)
    except BenchError as e:
        print(f"reduce_compare: {e}", file=sys.stderr)
        return 2

    rows, failed = [], False
    for fault in faults:
        name = fault["name"]
        row = {"fault": name, "engine": fault["applies_to"].split(",")[0], "finding": "",
               "seed": None, "original_bytes": None, "signature": "", "tandem": None,
               "wasm_reduce": None, "skipped": "", "wasm_reduce_skipped": ""}
        rows.append(row)
        work = os.path.join(args.out, name)
        try:
            finding, why = None, ""
            for seed in range(1, args.seeds + 1):
                print(f"{name}: finding (seed {seed}) ...", file=sys.stderr, flush=True)
                found = FindOne(tandem, fault, seed, args, args.out)
                if not found:
                    continue
                why = RoundTrip(wasm_opt, tandem, found, os.path.join(work, "wr"))
                if not finding or not why:
                    finding, row["seed"], row["wasm_reduce_skipped"] = found, seed, why
                if not why:
                    break
            if not finding:
                row["skipped"] = f"no finding in {args.find_time:.0f} s on {args.seeds} seed(s)"
                continue
            row["finding"] = finding
            row["original_bytes"] = os.path.getsize(os.path.join(finding, "case.wasm"))
            print(f"{name}: tandem reduce ...", file=sys.stderr, flush=True)
            t = TandemReduce(tandem, finding, os.path.join(args.out, name, "tandem"), args.budget)
            row["signature"] = t["signature"]
            reduced = os.path.join(args.out, name, "tandem")
            t["kept"], _ = Holds(SignatureCommand(tandem, finding,
                                                  os.path.join(reduced, "case.wasm"),
                                                  os.path.join(reduced, "script.json"),
                                                  t["signature"]))
            row["tandem"] = t
            if not t["kept"]:
                failed = True
            if row["wasm_reduce_skipped"]:
                continue
            print(f"{name}: wasm-reduce ...", file=sys.stderr, flush=True)
            w = WasmReduce(wasm_reduce, bin_dir, tandem, finding, t["signature"],
                           os.path.join(args.out, name, "wr"), args.budget)
            row["wasm_reduce"] = w
            if w["error"] or not w["kept"]:
                failed = True
        except StepError as e:
            row["skipped"] = str(e)
            failed = True

    print(f"{len(rows)} faults, one finding each (smith --binaryen, seed 1..{args.seeds}), "
          f"{args.budget:.0f} s per reducer")
    print(f"{'fault':<22} {'orig B':>7} | {'tandem B':>8} {'s':>6} {'kept':>4} | "
          f"{'w-r B':>8} {'s':>6} {'best s':>6} {'kept':>4}  signature")
    for r in rows:
        t, w = r["tandem"] or {}, r["wasm_reduce"] or {}
        print(f"{r['fault']:<22} {Fmt(r['original_bytes'], '>7')} | "
              f"{Fmt(t.get('reduced_bytes'), '>8')} {Fmt(t.get('seconds'), '>6.1f')} "
              f"{Fmt(t.get('kept'), '>4')} | "
              f"{Fmt(w.get('reduced_bytes'), '>8')} {Fmt(w.get('seconds'), '>6.1f')} "
              f"{Fmt(w.get('best_seconds'), '>6.1f')} "
              f"{Fmt(w.get('kept'), '>4')}  {r['signature']}")
    both = [r for r in rows if r["tandem"] and r["wasm_reduce"]]
    summary = {"faults": len(rows), "compared": len(both)}
    for key, label in (("tandem", "tandem reduce"), ("wasm_reduce", "wasm-reduce")):
        size = Median([r[key]["reduced_bytes"] for r in both])
        secs = Median([r[key]["seconds"] for r in both])
        small = sum(Small(r[key]["reduced_bytes"], r["original_bytes"]) for r in both)
        summary[key] = {"median_bytes": size, "median_seconds": secs, "small": small}
        if key == "wasm_reduce":
            best = Median([r[key]["best_seconds"] for r in both])
            summary[key]["median_best_seconds"] = best
            secs_text = f"{Fmt(secs, '.1f')} s (last improvement at {Fmt(best, '.1f')} s)"
        else:
            secs_text = f"{Fmt(secs, '.1f')} s"
        print(f"{label:<14} median {Fmt(size, '.0f')} B in {secs_text}; "
              f"<= max(10%, {SMALL_BYTES} B) on {small} of {len(both)} faults")
    print(f"median original {Fmt(Median([r['original_bytes'] for r in both]), '.0f')} B "
          f"(the {len(both)} faults both reducers ran on)")
    alone = [r for r in rows if r["tandem"]]
    if len(alone) > len(both):
        size = Median([r["tandem"]["reduced_bytes"] for r in alone])
        small = sum(Small(r["tandem"]["reduced_bytes"], r["original_bytes"]) for r in alone)
        summary["tandem_all"] = {"median_bytes": size, "small": small, "faults": len(alone)}
        print(f"tandem reduce on all {len(alone)} findings: median {Fmt(size, '.0f')} B; "
              f"<= max(10%, {SMALL_BYTES} B) on {small}")
    for r in rows:
        if r["skipped"]:
            print(f"skipped {r['fault']}: {r['skipped']}")
        elif r["wasm_reduce_skipped"]:
            print(f"wasm-reduce skipped on {r['fault']}: {r['wasm_reduce_skipped']}")
        elif r["wasm_reduce"] and r["wasm_reduce"]["error"]:
            print(f"wasm-reduce on {r['fault']}: {r['wasm_reduce']['error']}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "budget": args.budget, "summary": summary}, f, indent=1)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
