#!/usr/bin/env python3
# bench/fault_combined.py: several seeded faults in one campaign, told apart by signatures.
"""Several faults at once: do the finding signatures tell them apart?

One campaign `tandem fuzz --engines ref,x64,a64 --generator smith,mutate --seed-fault A,B,C
--time BUDGET -j JOBS` (or `--cases N`) with the faults on together. Then, for every signature the campaign
reports (DIR/findings/signatures.json), its first finding is replayed with each fault alone:
`tandem diff case.wasm --script script.json ... --seed-fault F --signature SIG`, which exits 0
exactly when the case still shows SIG. Prints, per signature, its count and the faults that
reproduce it alone; then whether every signature reproduces with one fault alone and every
fault accounts for at least one signature.

Exit status: 0 when both hold; 1 when not; 2 on a usage or setup error.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys

from benchlib import DEFAULT_OUT, DEFAULT_TANDEM, BenchError, FindTool


def Replay(tandem, finding, outcome, fault, signature):
    """Whether the finding shows `signature` with `fault` alone."""
    config = outcome.get("config", {})
    cmd = [tandem, "diff", "case.wasm", "--script", "script.json",
           "--engines", ",".join(outcome["engine_names"]), "--seed-fault", fault,
           "--max-depth", str(config.get("max_call_depth", 1000)),
           "--max-memory-pages", str(config.get("max_memory_pages", 65536)),
           "--signature", signature]
    if config.get("fuel"):
        cmd += ["--fuel", str(config["fuel"])]
    proc = subprocess.run(cmd, cwd=finding, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                          text=True)
    if proc.returncode not in (0, 1):
        raise BenchError(f"{' '.join(cmd)} (in {finding}) exited {proc.returncode}: "
                         f"{proc.stderr.strip()[-300:]}")
    return proc.returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tandem", default=DEFAULT_TANDEM, help="tandem binary (a release build)")
    ap.add_argument("--faults", default="cond,load-sign,br-table-default",
                    help="the faults turned on together (default cond,load-sign,br-table-default)")
    ap.add_argument("--budget", type=float, default=60, help="campaign seconds (default 60)")
    ap.add_argument("--cases", type=int, default=0,
                    help="run this many cases instead of --budget seconds (the same on any machine)")
    ap.add_argument("--seed", type=int, default=1, help="campaign seed (default 1)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1, help="fuzz workers")
    ap.add_argument("--out", default=os.path.join(DEFAULT_OUT, "fault_combined"),
                    help="working folder")
    ap.add_argument("--json", help="write the table as JSON to FILE")
    args = ap.parse_args()
    faults = [f for f in args.faults.split(",") if f]
    if len(faults) < 2:
        print("fault_combined: give at least two faults", file=sys.stderr)
        return 2
    try:
        tandem = FindTool(args.tandem, "tandem", "build it: cmake --build --preset release")
        if os.sep in tandem:  # the replays run inside the finding folders
            tandem = os.path.abspath(tandem)
        shutil.rmtree(args.out, ignore_errors=True)
        os.makedirs(args.out)
        summary = os.path.join(args.out, "summary.json")
        cmd = [tandem, "fuzz", "-q", "--engines", "ref,x64,a64", "--generator", "smith,mutate",
               "--seed-fault", ",".join(faults), "--seed", str(args.seed), "-j", str(args.jobs),
               "--out", args.out, "--json", summary]
        cmd += ["--cases", str(args.cases)] if args.cases else ["--time", str(args.budget)]
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode not in (0, 1) or not os.path.exists(summary):
            raise BenchError(f"{' '.join(cmd)} exited {proc.returncode}: {proc.stderr[-400:]}")
        with open(summary) as f:
            s = json.load(f)
        rows = []
        for group in s.get("signatures", []):
            if not group["findings"]:
                continue
            finding = os.path.join(args.out, "findings", group["findings"][0])
            with open(os.path.join(finding, "outcome.json")) as f:
                outcome = json.load(f)
            alone = [fa for fa in faults if Replay(tandem, finding, outcome, fa, group["signature"])]
            rows.append({"signature": group["signature"], "count": group["count"],
                         "finding": finding, "faults_alone": alone})
    except BenchError as e:
        print(f"fault_combined: {e}", file=sys.stderr)
        return 2

    print(f"faults {','.join(faults)} on together: {s['cases']} cases in {s['seconds']:.0f} s, "
          f"{s.get('findings_total', len(s['findings']))} findings, {len(rows)} signatures")
    print(f"{'count':>6}  {'signature':<40} reproduces alone with")
    for r in rows:
        print(f"{r['count']:>6}  {r['signature']:<40} {', '.join(r['faults_alone']) or 'none'}")
    unexplained = [r["signature"] for r in rows if not r["faults_alone"]]
    ambiguous = [r["signature"] for r in rows if len(r["faults_alone"]) > 1]
    accounted = {f for r in rows for f in r["faults_alone"]}
    missing = [f for f in faults if f not in accounted]
    print(f"signatures reproduced by one fault alone: {len(rows) - len(unexplained)} of {len(rows)}"
          f"{' (by more than one: ' + ', '.join(ambiguous) + ')' if ambiguous else ''}")
    print(f"faults accounting for a signature: {len(faults) - len(missing)} of {len(faults)}"
          f"{' (none for: ' + ', '.join(missing) + ')' if missing else ''}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"faults": faults, "cases": s["cases"], "rows": rows,
                       "unexplained": unexplained, "missing": missing}, f, indent=1)
    return 0 if rows and not unexplained and not missing else 1


if __name__ == "__main__":
    sys.exit(main())
