#!/usr/bin/env python3
# bench/fault_detection.py: how fast tandem's fuzz loop finds each fault of the seeded codegen
# fault catalogue (`tandem fuzz --list-faults`). DESIGN.md "Seeded faults".
"""Fault detection: for each codegen fault, campaigns of smith and mutate with the fault on.

For each fault and each of --seeds seeds: `tandem fuzz --engines ref,BACKEND --generator
smith,mutate --seed-fault NAME --seed S --time BUDGET --max-findings 1 -j JOBS`, BACKEND being
the first back end the fault applies to. A fault is found on a seed when the campaign wrote a
finding; the time to detection is the campaign's own clock at its first finding. Prints, per
fault: found on how many seeds, the median time to detection over all seeds (a seed that found
nothing counts as the budget, so a median within the budget means most seeds found it), and the
kind of the first finding; then the share of faults found and the median over faults.

Then, for each fault, the first finding of the first seed that found it: its signature and
where the campaign located it (`tandem diff --locate`, done by the campaign for every finding),
`tandem reduce` on it (--reduce-time, default 60 s: original and reduced size, time, whether the
signature was kept), and whether the located region of the original and of the reduced case holds
an instruction whose code the fault changes (the `ops` of `tandem fuzz --list-faults --json`),
with the region's length in instructions.

Exit status: 0 when every campaign ran; 1 when a campaign failed to run (exit 2) or, with
--check, fewer than 90% of the faults were found or the median time exceeds 60 s; 2 on a
usage or setup error.
"""

import argparse
import fnmatch
import json
import os
import shutil
import subprocess
import sys
import tempfile

from benchlib import DEFAULT_OUT, DEFAULT_TANDEM, BenchError, FindTool, Median


def Faults(tandem, only):
    proc = subprocess.run([tandem, "diff", "--list-faults", "--json"], stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise BenchError("tandem diff --list-faults failed: " + proc.stderr.strip())
    faults = []
    for f in json.loads(proc.stdout):
        if f["kind"] != "codegen" or (only and f["name"] not in only):
            continue
        faults.append({"name": f["name"], "back_ends": f["applies_to"].split(","),
                       "what": f["what"], "ops": f.get("ops", "").split(",")})
    if not faults:
        raise BenchError("no codegen fault listed")
    return faults


def Campaign(tandem, fault, seed, args, work):
    out = os.path.join(work, f"{fault['name']}-{seed}")
    shutil.rmtree(out, ignore_errors=True)
    summary = os.path.join(out + ".json")
    engine = fault["back_ends"][0]
    cmd = [tandem, "fuzz", "-q", "--engines", f"ref,{engine}", "--generator", args.generators,
           "--seed-fault", fault["name"], "--seed", str(seed), "--time", str(args.budget),
           "--max-findings", "1", "-j", str(args.jobs), "--out", out, "--json", summary]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1) or not os.path.exists(summary):
        raise BenchError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr.strip()[-400:]}")
    with open(summary) as f:
        s = json.load(f)
    found = bool(s["findings"])
    first = s["findings"][0] if found else None
    return {"found": found,
            "seconds": s.get("first_finding_seconds", args.budget) if found else args.budget,
            "cases": s["cases"],
            "verdict": first["verdict"] if first else "",
            "summary": first["summary"][:120] if first else "",
            "signature": first.get("signature", "") if first else "",
            "finding": os.path.join(out, "findings", first["id"]) if first else ""}


def RegionHolds(location, ops):
    """Whether a located region (a location's JSON) of at most 32 instructions holds an
    instruction matching `ops`."""
    if not location or not location.get("found") or len(location.get("instructions", [])) > 32:
        return False
    for line in location.get("instructions", []):
        name = line.split()[1] if len(line.split()) > 1 else ""
        if any(fnmatch.fnmatchcase(name, p) for p in ops if p):
            return True
    return False


def Reduce(tandem, fault, finding, args):
    """tandem reduce on a finding; the figures and whether the regions hold the fault's ops."""
    with open(os.path.join(finding, "outcome.json")) as f:
        outcome = json.load(f)
    original = outcome.get("location", {})
    out = os.path.join(finding, "reduced")
    cmd = [tandem, "reduce", finding, "--out", out, "--time", str(args.reduce_time), "--json",
           "-q"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    row = {"located": RegionHolds(original, fault["ops"]),
           "located_length": len(original.get("instructions", [])),
           "located_method": original.get("method", "")}
    if proc.returncode != 0:
        row["reduce_error"] = proc.stderr.strip()[-300:]
        return row
    r = json.loads(proc.stdout)
    reduced = r.get("location", {})
    row.update({"original_bytes": r["original_bytes"], "reduced_bytes": r["reduced_bytes"],
                "reduce_seconds": r["seconds"], "reduce_tests": r["tests"],
                "signature_kept": r["signature"] == outcome.get("signature", r["signature"]),
                "small": r["reduced_bytes"] <= max(0.1 * r["original_bytes"], 300),
                "reduced_located": RegionHolds(reduced, fault["ops"]),
                "reduced_length": len(reduced.get("instructions", [])),
                "reduced_region": [l.split(None, 1)[1] for l in reduced.get("instructions", [])]})
    return row


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tandem", default=DEFAULT_TANDEM, help="tandem binary (a release build)")
    ap.add_argument("--seeds", type=int, default=5, help="campaign seeds per fault (default 5)")
    ap.add_argument("--budget", type=float, default=60, help="seconds per campaign (default 60)")
    ap.add_argument("--generators", default="smith,mutate", help="generators (default smith,mutate)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="fuzz workers")
    ap.add_argument("--fault", action="append", default=[], help="only this fault (repeatable)")
    ap.add_argument("--out", default=os.path.join(DEFAULT_OUT, "fault_detection"),
                    help="working folder (campaigns' findings and summaries)")
    ap.add_argument("--reduce-time", type=float, default=60,
                    help="tandem reduce's budget per finding in seconds (default 60; 0: no reduction)")
    ap.add_argument("--json", help="write the table as JSON to FILE")
    ap.add_argument("--check", action="store_true",
                    help="exit 1 unless at least 90%% of the faults are found with a median "
                         "time to detection of at most 60 s")
    args = ap.parse_args()
    try:
        tandem = FindTool(args.tandem, "tandem", "build it: cmake --build --preset release")
        faults = Faults(tandem, set(args.fault))
        os.makedirs(args.out, exist_ok=True)
        rows = []
        for fault in faults:
            runs = []
            for seed in range(1, args.seeds + 1):
                print(f"{fault['name']} seed {seed} ...", file=sys.stderr, flush=True)
                runs.append(Campaign(tandem, fault, seed, args, args.out))
            found = sum(r["found"] for r in runs)
            first = next((r for r in runs if r["found"]), None)
            reduced = {}
            if first and args.reduce_time > 0:
                print(f"{fault['name']}: reducing {first['finding']} ...", file=sys.stderr,
                      flush=True)
                reduced = Reduce(tandem, fault, first["finding"], args)
            rows.append({"fault": fault["name"], "engine": fault["back_ends"][0],
                         "signature": first["signature"] if first else "", **reduced,
                         "found_seeds": found, "seeds": len(runs),
                         "median_seconds": Median([r["seconds"] for r in runs]),
                         "verdict": first["verdict"] if first else "",
                         "example": first["summary"] if first else "",
                         "finding": first["finding"] if first else "", "runs": runs})
    except BenchError as e:
        print(f"fault_detection: {e}", file=sys.stderr)
        return 2

    print(f"{len(rows)} faults, {args.seeds} seeds each, {args.budget:.0f} s budget, "
          f"generators {args.generators}, -j {args.jobs}")
    print(f"{'fault':<22} {'engine':<6} {'found':>7} {'median s':>9}  first finding")
    for r in rows:
        print(f"{r['fault']:<22} {r['engine']:<6} {r['found_seeds']:>3}/{r['seeds']:<3} "
              f"{r['median_seconds']:>9.1f}  {r['example']}")
    found = [r for r in rows if r["found_seeds"] > 0]
    share = len(found) / len(rows)
    median = Median([r["median_seconds"] for r in rows])
    print(f"found: {len(found)} of {len(rows)} faults ({100 * share:.0f}%); median time to "
          f"detection over faults {median:.1f} s")
    for r in rows:
        if r["found_seeds"] == 0:
            print(f"not found: {r['fault']}")
    if args.reduce_time > 0:
        print()
        print(f"{'fault':<22} {'signature':<34} {'bytes':>13} {'s':>5} {'kept':>4}  "
              f"{'located':>9} {'reduced':>9}  reduced region")
        for r in rows:
            if "original_bytes" not in r:
                print(f"{r['fault']:<22} {r.get('signature', ''):<34} "
                      f"{r.get('reduce_error', 'no finding')[:60]}")
                continue
            loc = f"{'yes' if r['located'] else 'no'} {r['located_length']:>3}"
            red = f"{'yes' if r['reduced_located'] else 'no'} {r['reduced_length']:>3}"
            print(f"{r['fault']:<22} {r['signature']:<34} {r['original_bytes']:>6}->{r['reduced_bytes']:<5} "
                  f"{r['reduce_seconds']:>5.1f} {'yes' if r['signature_kept'] else 'NO':>4}  "
                  f"{loc:>9} {red:>9}  {'; '.join(r['reduced_region'])[:70]}")
        done = [r for r in rows if "original_bytes" in r]
        if done:
            small = sum(r["small"] for r in done)
            located = sum(r["located"] for r in done)
            rlocated = sum(r["reduced_located"] for r in done)
            lengths = [r["located_length"] for r in done if r["located"]]
            rlengths = [r["reduced_length"] for r in done if r["reduced_located"]]
            print(f"reduced to <= max(10%, 300 bytes): {small} of {len(done)}; median "
                  f"{Median([r['reduce_seconds'] for r in done]):.1f} s")
            print(f"located on the finding: {located} of {len(done)} (median region "
                  f"{Median(lengths) if lengths else 0:.0f} instructions); on the reduced case: "
                  f"{rlocated} of {len(done)} (median {Median(rlengths) if rlengths else 0:.0f})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"rows": rows, "found_share": share, "median_seconds": median}, f, indent=1)
    if args.check and (share < 0.9 or median > 60):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
