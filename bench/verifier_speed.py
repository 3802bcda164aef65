#!/usr/bin/env python3
# bench/verifier_speed.py: how fast the verifier proves accesses, cold and with its proof cache,
# and what `tandem fuzz --verify` costs (DESIGN.md "Measures that matter"; docs/verifier.md).
"""Verifier speed, side by side in one run.

(a) Accesses proved per second, cold and warm: every module of the non-SIMD spec files (their
`module` commands, converted with wast2json), the benchmark kernels (bench/build.sh, into
build/bench/) and, with --large, the three programs of bench/large/: each one through
`tandem verify FILE --repeat 2 --json`, which verifies the module's x64 code twice in one store
with one proof cache and times each pass. The first pass is cold (an empty cache, filled as it
goes: identical windows inside a module already hit); the second is warm (the same code again,
every proof answered by the cache). Rates count the verifier's own time, not compiling,
instantiating or starting processes.

(b) Fuzzing throughput: `tandem fuzz --engines ref,x64 -j 1` on the same seed and case count
with and without --verify (cases/s from its --json summary), and the slowdown. The target is at
most 25% slower with --verify. The two campaigns run --repeat times, alternately (without, with,
without, ...), and each side's fastest run counts: on a shared machine a run is only ever slowed
by what else runs, so the fastest is the nearest to the code's own cost, and alternating keeps a
slow spell from falling on one side only. Every run's figure is printed too.

Exit status: 0 when everything ran (whatever the figures); 1 when an access was not proved or
a campaign found something; 2 on a usage or setup error.
"""

import argparse
import glob
import json
import os
import subprocess
import sys
import tempfile
import time

from benchlib import DEFAULT_TANDEM, HERE, ROOT, BenchError, FindTool

TARGET_SLOWDOWN = 0.25


def SpecModules(testsuite, wast2json, work, limit):
    """The binary modules of every `module` command of the non-SIMD spec files."""
    files = sorted(f for f in glob.glob(os.path.join(testsuite, "*.wast"))
                   if not os.path.basename(f).startswith("simd_"))
    if not files:
        raise BenchError(f"no .wast files in {testsuite}")
    modules = []
    for wast in files:
        stem = os.path.splitext(os.path.basename(wast))[0]
        out = os.path.join(work, stem)
        os.makedirs(out, exist_ok=True)
        proc = subprocess.run([wast2json, wast, "-o", os.path.join(out, stem + ".json")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 0:
            continue  # a script the converter cannot read; the spec runner reports those
        with open(os.path.join(out, stem + ".json")) as f:
            commands = json.load(f)["commands"]
        for c in commands:
            if c.get("type") == "module" and c.get("filename", "").endswith(".wasm"):
                modules.append(os.path.join(out, c["filename"]))
                if limit and len(modules) >= limit:
                    return modules
    return modules


def Kernels(out):
    """The benchmark kernels, built by bench/build.sh when missing."""
    kernels = sorted(glob.glob(os.path.join(out, "*.wasm")))
    if kernels:
        return kernels
    proc = subprocess.run([os.path.join(HERE, "build.sh")], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise BenchError("bench/build.sh failed: " + proc.stderr.strip()[-400:])
    return sorted(glob.glob(os.path.join(out, "*.wasm")))


def LargePrograms():
    out = os.path.join(ROOT, "build", "bench", "large")
    proc = subprocess.run([os.path.join(HERE, "large", "build.sh")], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise BenchError("bench/large/build.sh failed: " + proc.stderr.strip()[-400:])
    return [os.path.join(out, n) for n in ("wasi_app.wasm", "generated.wasm", "ttf.wasm")]


def VerifySet(tandem, name, modules, timeout):
    """`tandem verify --repeat 2` on each module; the totals of the two passes."""
    t = {"set": name, "modules": 0, "skipped": 0, "functions": 0, "accesses": 0, "proved": 0,
         "failed": 0, "unknown": 0, "cold_seconds": 0.0, "warm_seconds": 0.0,
         "cold_hits": 0, "cold_misses": 0, "warm_hits": 0, "warm_misses": 0, "problems": []}
    for path in modules:
        try:
            proc = subprocess.run([tandem, "verify", path, "--engines", "x64", "--repeat", "2",
                                   "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                  text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            t["skipped"] += 1
            t["problems"].append(f"{path}: timed out after {timeout} s")
            continue
        if proc.returncode == 2:  # refused or not compiled (e.g. a module x64 cannot compile)
            t["skipped"] += 1
            continue
        try:
            e = json.loads(proc.stdout)["engines"]["x64"]
        except (ValueError, KeyError) as err:
            raise BenchError(f"tandem verify {path}: unreadable output ({err}): "
                             f"{proc.stderr.strip()[-300:]}")
        t["modules"] += 1
        t["functions"] += len(e["functions"])
        for k in ("accesses", "proved", "failed", "unknown"):
            t[k] += e[k]
        cold, warm = e["passes"][0], e["passes"][1]
        t["cold_seconds"] += cold["seconds"]
        t["warm_seconds"] += warm["seconds"]
        t["cold_hits"] += cold["cache_hits"]
        t["cold_misses"] += cold["cache_misses"]
        t["warm_hits"] += warm["cache_hits"]
        t["warm_misses"] += warm["cache_misses"]
        if e["failed"] or e["unknown"] or warm["proved"] != cold["proved"]:
            for f in e["functions"]:
                for p in f["problems"]:
                    t["problems"].append(f"{path} function {f['function']} at {p['code_offset']:#x} "
                                         f"`{p['instruction']}`: {p['status']} {p['region']} {p['why']}")
            if warm["proved"] != cold["proved"]:
                t["problems"].append(f"{path}: the warm pass proved {warm['proved']}, the cold "
                                     f"{cold['proved']}")
    t["cold_rate"] = t["proved"] / t["cold_seconds"] if t["cold_seconds"] else 0.0
    t["warm_rate"] = t["proved"] / t["warm_seconds"] if t["warm_seconds"] else 0.0
    return t


def Fuzz(tandem, testsuite, seed, cases, verify, work, generator):
    summary = os.path.join(work, f"fuzz-{'verify' if verify else 'plain'}.json")
    cmd = [tandem, "fuzz", "--engines", "ref,x64", "-j", "1", "--seed", str(seed), "--cases",
           str(cases), "--json", summary, "-q", "--testsuite", testsuite]
    if generator:
        cmd += ["--generator", generator]
    if verify:
        cmd.append("--verify")
    start = time.perf_counter()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if proc.returncode == 2 or not os.path.exists(summary):
        raise BenchError(f"{' '.join(cmd)} failed: {proc.stderr.strip()[-400:]}")
    with open(summary) as f:
        s = json.load(f)
    out = {"verify": verify, "cases": s["cases"], "seconds": s["seconds"], "wall_seconds": wall,
           "cases_per_second": s["cases_per_second"], "findings": s["findings_total"],
           "verdicts": s["verdicts"]}
    if verify:
        out["verified"] = s.get("verify", {}).get("x64", {})
    return out


def Main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tandem", default=DEFAULT_TANDEM, help="the tandem binary (default: %(default)s)")
    ap.add_argument("--testsuite", default=os.environ.get("TANDEM_TESTSUITE",
                                                          os.path.join(os.path.dirname(ROOT), "shared", "testsuite")),
                    help="the spec test suite (default: $TANDEM_TESTSUITE or ../shared/testsuite)")
    ap.add_argument("--kernels", default=os.path.join(ROOT, "build", "bench"),
                    help="where bench/build.sh puts the kernels (default: %(default)s)")
    ap.add_argument("--large", action="store_true",
                    help="also the three programs of bench/large/ (minutes: their functions are large)")
    ap.add_argument("--max-modules", type=int, default=0,
                    help="at most N spec modules (0: all, about 1,100)")
    ap.add_argument("--cases", type=int, default=400, help="fuzz cases per campaign (default 400)")
    ap.add_argument("--seed", type=int, default=1, help="the campaigns' seed (default 1)")
    ap.add_argument("--repeat", type=int, default=3,
                    help="runs of each fuzz campaign, alternately; the fastest of each counts (default 3)")
    ap.add_argument("--no-fuzz", action="store_true", help="leave out the fuzzing throughput")
    ap.add_argument("--generator", default="",
                    help="the campaigns' generators (default: tandem fuzz's, single and mutate; smith's "
                         "larger functions cost the verifier far more per case)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds per `tandem verify` (default 900)")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    a = ap.parse_args()
    if a.cases < 1 or a.max_modules < 0 or a.timeout < 1 or a.repeat < 1:
        ap.error("--cases, --repeat and --timeout must be positive, --max-modules not negative")
    tandem = FindTool(a.tandem, "tandem", "build it (cmake --build --preset release) or give --tandem")
    wast2json = FindTool("wast2json", "wast2json", "install wabt (ci/setup.sh)")
    if not os.path.isdir(a.testsuite):
        raise BenchError(f"the spec test suite is not at {a.testsuite}; give --testsuite DIR")

    sets = []
    with tempfile.TemporaryDirectory(prefix="tandem-verifier-speed-") as work:
        spec = SpecModules(a.testsuite, wast2json, work, a.max_modules)
        if not a.json:
            print(f"verifying {len(spec)} spec modules ...", file=sys.stderr)
        sets.append(VerifySet(tandem, "spec modules", spec, a.timeout))
        kernels = Kernels(a.kernels)
        sets.append(VerifySet(tandem, "bench kernels", kernels, a.timeout))
        if a.large:
            if not a.json:
                print("verifying bench/large (minutes) ...", file=sys.stderr)
            sets.append(VerifySet(tandem, "bench/large", LargePrograms(), a.timeout))
        fuzz = []
        if not a.no_fuzz:
            if not a.json:
                print(f"fuzzing {a.cases} cases, {a.repeat} times without and with --verify ...", file=sys.stderr)
            runs = {False: [], True: []}
            for _ in range(a.repeat):
                for v in (False, True):
                    runs[v].append(Fuzz(tandem, a.testsuite, a.seed, a.cases, v, work, a.generator))
            fuzz = [max(runs[v], key=lambda r: r["cases_per_second"]) for v in (False, True)]
            for v in (False, True):
                fuzz[v]["all_cases_per_second"] = [r["cases_per_second"] for r in runs[v]]
                fuzz[v]["findings"] = sum(r["findings"] for r in runs[v])

    result = {"verifier": sets}
    if fuzz:
        plain, verified = fuzz
        slowdown = 1 - verified["cases_per_second"] / plain["cases_per_second"] if plain["cases_per_second"] else 0
        result["fuzz"] = {"without_verify": plain, "with_verify": verified, "slowdown": slowdown,
                          "target": TARGET_SLOWDOWN, "within_target": slowdown <= TARGET_SLOWDOWN}
    bad = any(s["failed"] or s["unknown"] or s["problems"] for s in sets) or \
        any(f["findings"] for f in fuzz)
    if a.json:
        print(json.dumps(result, indent=1))
        return 1 if bad else 0

    print(f"{'modules':<14} {'count':>6} {'functions':>9} {'accesses':>9} {'not proved':>10} "
          f"{'cold/s':>9} {'warm/s':>9} {'warm/cold':>9} {'cold hits':>9}")
    for s in sets:
        lookups = s["cold_hits"] + s["cold_misses"]
        print(f"{s['set']:<14} {s['modules']:>6} {s['functions']:>9} {s['accesses']:>9} "
              f"{s['failed'] + s['unknown']:>10} {s['cold_rate']:>9.0f} {s['warm_rate']:>9.0f} "
              f"{s['warm_rate'] / s['cold_rate'] if s['cold_rate'] else 0:>8.1f}x "
              f"{100 * s['cold_hits'] / lookups if lookups else 0:>8.1f}%")
        if s["skipped"]:
            print(f"  ({s['skipped']} modules not verified: refused, not compiled or timed out)")
        for p in s["problems"][:20]:
            print("  " + p)
    print("(cold: an empty cache at each module's first pass; warm: the same code again, same cache;"
          " cold hits: lookups answered by the cache in the cold pass)")
    if fuzz:
        f = result["fuzz"]
        v = verified.get("verified", {})
        gens = f", generator {a.generator}" if a.generator else ""
        print(f"\nfuzz ref,x64 -j 1, seed {a.seed}, {a.cases} cases{gens}, the fastest of {a.repeat} runs each:")
        every = lambda r: ", ".join(f"{x:.0f}" for x in r["all_cases_per_second"])
        print(f"  without --verify: {plain['cases_per_second']:8.1f} cases/s ({plain['seconds']:.2f} s; "
              f"every run: {every(plain)})")
        print(f"  with --verify:    {verified['cases_per_second']:8.1f} cases/s ({verified['seconds']:.2f} s; "
              f"every run: {every(verified)}; {v.get('accesses', 0)} accesses verified in "
              f"{v.get('seconds', 0):.2f} s, {v.get('cached', 0)} from the cache)")
        factor = plain["cases_per_second"] / verified["cases_per_second"] if verified["cases_per_second"] else 0
        print(f"  slowdown: {100 * f['slowdown']:.1f}%, {factor:.1f}x the time per case (target at most "
              f"{100 * TARGET_SLOWDOWN:.0f}% slower: {'met' if f['within_target'] else 'NOT met'})")
        for run in fuzz:
            if run["findings"]:
                print(f"  findings {'with' if run['verify'] else 'without'} --verify: {run['findings']} "
                      f"({run['verdicts']})")
    return 1 if bad else 0


if __name__ == "__main__":
    try:
        sys.exit(Main())
    except BenchError as e:
        print(f"verifier_speed.py: {e}", file=sys.stderr)
        sys.exit(2)
