#!/usr/bin/env python3
"""nightly_fuzz.py: the nightly campaign behind ci/nightly-fuzz.sh (which builds first).

Runs every generator on every local engine, V8 when node is there, and the validation
differential, within a time budget (or a fixed number of cases per campaign, the same on any
machine); reduces the first finding of every signature that no earlier night had; writes
OUT/summary.json and appends it as one line to the history file (JSON Lines). Exit 0 when no
new signature was found, 1 when one was, 2 when the campaigns could not run.
"""
import argparse
import datetime
import json
import os
import shutil
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class NightlyError(Exception):
    pass


def Campaigns(tandem, node, wasm_opt):
    """The campaigns of a night: (name, share of the budget, tandem fuzz arguments)."""
    local = ["ref", "x64", "a64"]
    gens = ["single", "mutate", "smith"] + (["ttf"] if wasm_opt else [])
    out = [("local", 0.45, ["--engines", ",".join(local), "--generator", ",".join(gens)]),
           # The reduced regression cases of the fault catalogue: they must pass on every engine.
           ("corpus", 0.05, ["--engines", ",".join(local), "--generator", "corpus",
                             "--corpus", os.path.join(ROOT, "corpus", "faults")])]
    if node:
        out.append(("v8", 0.35, ["--engines", "ref,x64,v8-liftoff,v8-turbofan", "--generator",
                                 "smith" + (",ttf" if wasm_opt else ""), "--denan"]))
        out.append(("validation", 0.15, ["--validation", "--generator", "mutate,smith"]))
    return out


def KnownSignatures(history):
    known = set()
    if not os.path.exists(history):
        return known
    with open(history) as f:
        for n, line in enumerate(f, 1):
            line = line.strip()
            if not line:
                continue
            try:
                night = json.loads(line)
            except json.JSONDecodeError as e:
                raise NightlyError(f"{history}:{n}: not a JSON line ({e})")
            for c in night.get("campaigns", []):
                known.update(c.get("signatures", {}).keys())
    return known


def Commit():
    try:
        return subprocess.run(["git", "-C", ROOT, "rev-parse", "HEAD"], capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def RunCampaign(tandem, name, extra, args, budget, out):
    folder = os.path.join(out, name)
    summary_path = os.path.join(out, f"{name}.json")
    cmd = [tandem, "fuzz", *extra, "--seed", str(args.seed), "-j", str(args.jobs), "--out", folder,
           "--json", summary_path, "-q"]
    cmd += ["--cases", str(args.cases)] if args.cases else ["--time", f"{budget:.0f}"]
    print(f"==> {name}: {' '.join(cmd[1:])}", flush=True)
    start = time.monotonic()
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode not in (0, 1) or not os.path.exists(summary_path):
        raise NightlyError(f"campaign {name}: {' '.join(cmd)} exited {proc.returncode}: "
                           f"{proc.stderr.strip()[-600:]}")
    with open(summary_path) as f:
        s = json.load(f)
    first = proc.stdout.splitlines()[0] if proc.stdout else ""
    print(f"    {first} ({time.monotonic() - start:.0f} s)", flush=True)
    return {
        "name": name,
        "command": ["tandem", *cmd[1:]],
        "engines": s["engines"],
        "generators": s["generators"],
        "cases": s["cases"],
        "seconds": round(s["seconds"], 2),
        "cases_per_second": round(s["cases_per_second"], 1),
        "verdicts": s["verdicts"],
        "findings": s["findings_total"],
        "signatures": {g["signature"]: g["count"] for g in s["signatures"]},
        "examples": {g["signature"]: os.path.join(folder, "findings", g["findings"][0])
                     for g in s["signatures"] if g["findings"]},
        "coverage": {e: {"what": c["what"], "covered": c["covered"], "total": c["total"]}
                     for e, c in s["coverage"].items()},
        "unsupported": s["unsupported"],
        "validation": s.get("validation"),
    }


def Reduce(tandem, finding, seconds):
    out = os.path.join(finding, "reduced")
    cmd = [tandem, "reduce", finding, "--out", out, "--time", str(seconds), "--json", "-q"]
    proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    entry = {"finding": finding, "reduced": out, "exit": proc.returncode}
    try:
        r = json.loads(proc.stdout)
        entry.update({"bytes_before": r.get("original_bytes"), "bytes_after": r.get("reduced_bytes"),
                      "seconds": r.get("seconds"), "location": r.get("location")})
    except json.JSONDecodeError:
        entry["error"] = proc.stderr.strip()[-300:]
    return entry


def main():
    ap = argparse.ArgumentParser(prog="ci/nightly-fuzz.sh", description=__doc__.split("\n")[0])
    ap.add_argument("--tandem", default=os.path.join(ROOT, "build", "release", "tandem"))
    ap.add_argument("--budget", type=float, default=3600,
                    help="seconds for all campaigns together (default 3600)")
    ap.add_argument("--cases", type=int, default=0,
                    help="run N cases per campaign instead of a time budget (CI: the same on any "
                         "machine)")
    ap.add_argument("--seed", type=int, default=None,
                    help="campaign seed (default: the date, YYYYMMDD, so each night differs)")
    ap.add_argument("--out", default=None,
                    help="folder of this night (default build/nightly/SEED); must not hold an "
                         "earlier night")
    ap.add_argument("--history", default=os.path.join(ROOT, "build", "nightly", "history.jsonl"),
                    help="JSON Lines file the summary is appended to (default "
                         "build/nightly/history.jsonl)")
    ap.add_argument("-j", "--jobs", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed-fault", default="",
                    help="seeded faults on every campaign but validation (to check the nightly "
                         "itself: its findings must be new, reduced, and exit 1)")
    ap.add_argument("--reduce-time", type=int, default=60,
                    help="seconds per reduction of a new signature's finding (default 60)")
    args = ap.parse_args()
    if args.budget <= 0 and not args.cases:
        print("nightly-fuzz: give a positive --budget or --cases", file=sys.stderr)
        return 2
    if args.seed is None:
        args.seed = int(datetime.date.today().strftime("%Y%m%d"))
    out = args.out or os.path.join(ROOT, "build", "nightly", str(args.seed))
    try:
        if not os.access(args.tandem, os.X_OK):
            raise NightlyError(f"{args.tandem} is not an executable tandem")
        if os.path.exists(os.path.join(out, "summary.json")):
            raise NightlyError(f"{out} already holds a night (summary.json); give another --out")
        os.makedirs(out, exist_ok=True)
        node = shutil.which("node") is not None
        wasm_opt = shutil.which("wasm-opt") is not None
        known = KnownSignatures(args.history)
        started = time.monotonic()
        campaigns = []
        for name, share, extra in Campaigns(args.tandem, node, wasm_opt):
            if name == "validation" and not shutil.which("wasm-validate"):
                continue
            if args.seed_fault and name != "validation":
                extra = extra + ["--seed-fault", args.seed_fault]
            campaigns.append(RunCampaign(args.tandem, name, extra, args, args.budget * share, out))
        new = {}
        for c in campaigns:
            for sig in c["signatures"]:
                if sig not in known and sig not in new:
                    new[sig] = c["examples"].get(sig)
        reduced = []
        for sig, finding in new.items():
            if finding and not sig.split(":")[1:2] == ["validation"]:
                print(f"==> reduce {sig}: {finding}", flush=True)
                reduced.append({"signature": sig, **Reduce(args.tandem, finding, args.reduce_time)})
        cases = sum(c["cases"] for c in campaigns)
        seconds = sum(c["seconds"] for c in campaigns)
        summary = {
            "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
            "commit": Commit(),
            "seed": args.seed,
            "budget_seconds": None if args.cases else args.budget,
            "cases_per_campaign": args.cases or None,
            "jobs": args.jobs,
            "node": node,
            "seed_faults": args.seed_fault or None,
            "cases": cases,
            "seconds": round(seconds, 2),
            "cases_per_second": round(cases / seconds, 1) if seconds else 0.0,
            "wall_seconds": round(time.monotonic() - started, 1),
            "findings": sum(c["findings"] for c in campaigns),
            "signatures": sorted({s for c in campaigns for s in c["signatures"]}),
            "new_signatures": sorted(new),
            "reduced": reduced,
            "campaigns": [{k: v for k, v in c.items() if k != "examples"} for c in campaigns],
        }
        with open(os.path.join(out, "summary.json"), "w") as f:
            json.dump(summary, f, indent=1)
            f.write("\n")
        os.makedirs(os.path.dirname(os.path.abspath(args.history)), exist_ok=True)
        with open(args.history, "a") as f:
            f.write(json.dumps(summary, separators=(",", ":")) + "\n")
    except (NightlyError, OSError) as e:
        print(f"nightly-fuzz: {e}", file=sys.stderr)
        return 2
    print(f"night of seed {args.seed}: {cases} cases in {seconds:.0f} s ({summary['cases_per_second']}/s), "
          f"{summary['findings']} findings, {len(summary['signatures'])} signatures, "
          f"{len(new)} new; {out}/summary.json, history {args.history}")
    for sig in sorted(new):
        print(f"  new: {sig}  {new[sig]}")
    return 1 if new else 0


if __name__ == "__main__":
    sys.exit(main())
