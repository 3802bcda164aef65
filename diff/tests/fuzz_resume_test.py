#!/usr/bin/env python3
"""fuzz_resume_test.py: a campaign killed with kill -9 and resumed ends as if never killed.

Runs one campaign (seeded faults, so that it has findings of several signatures, some written
and some only counted) without interruption; then the same campaign again in another folder,
killed with SIGKILL at random moments (after a random number of cases) and resumed each time with `tandem fuzz --resume`, until it
ends. The two must have the same finding folders (each exactly once), the same signatures with
the same counts and the same case counts per generator and verdict: no finding lost or
duplicated, no case skipped or run twice. Exit 0 when they match, 1 with the differences.

  fuzz_resume_test.py --tandem build/release/tandem [--kills 3] [--seed N]
"""
import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time

# A generous --timeout: a finding's signature names the opcode --locate finds, and locating is
# bounded by a quarter of the case time limit; on a loaded machine a tight bound could name
# another opcode in one of the two runs (the comparison is of the campaigns, not of the clock).
CAMPAIGN = ["--engines", "ref,x64,a64", "--generator", "single,smith",
            "--seed-fault", "cond,load-sign", "--seed", "3", "--cases", "4000", "-j", "2",
            "--timeout", "120"]


def Findings(out):
    root = os.path.join(out, "findings")
    return sorted(e for e in os.listdir(root) if os.path.isdir(os.path.join(root, e)))


def Done(out):
    """Cases done as the folder says: the state's count plus the journal's result lines."""
    done = 0
    try:
        with open(os.path.join(out, "state.json")) as f:
            done = json.load(f).get("done", 0)
    except (OSError, ValueError):
        pass
    try:
        with open(os.path.join(out, "journal"), "rb") as f:
            done += sum(1 for line in f if line.startswith(b"result ") or line.startswith(b"invalid "))
    except OSError:
        pass
    return done


def Comparable(summary):
    keys = ["cases", "next_case", "per_generator", "verdicts", "invalid_reasons", "unsupported",
            "findings_total", "signatures", "findings", "coverage", "quality"]
    return {k: summary.get(k) for k in keys}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tandem", required=True)
    ap.add_argument("--kills", type=int, default=3, help="kills before the last resume (default 3)")
    ap.add_argument("--seed", type=int, help="seed of the kill moments (default: random, printed)")
    args = ap.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    rng = random.Random(seed)
    print(f"kill moments from seed {seed} (--seed {seed} repeats them)")
    work = tempfile.mkdtemp(prefix="tandem-resume-")
    try:
        whole = os.path.join(work, "whole")
        t0 = time.monotonic()
        rc = subprocess.run([args.tandem, "fuzz", "-q", *CAMPAIGN, "--out", whole, "--json",
                             os.path.join(work, "whole.json")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        duration = time.monotonic() - t0
        if rc.returncode != 1:
            print(f"the uninterrupted campaign exited {rc.returncode} (expected 1, findings): "
                  f"{rc.stderr[-500:]}")
            return 1
        print(f"uninterrupted: {duration:.1f} s, {len(Findings(whole))} finding folders")

        killed = os.path.join(work, "killed")
        cmd = [args.tandem, "fuzz", "-q", *CAMPAIGN, "--out", killed]
        # The kill moments are taken in cases done (what the state and its journal hold), not
        # in seconds: a random count each time, so that the test does not depend on the speed
        # of the machine or on its load.
        targets = sorted(rng.sample(range(20, 3950), args.kills))
        kills = 0
        while True:
            proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if kills < len(targets):
                while proc.poll() is None and Done(killed) < targets[kills]:
                    time.sleep(0.005)
                if proc.poll() is None:
                    proc.send_signal(signal.SIGKILL)
                    proc.wait()
                    kills += 1
                    state = os.path.join(killed, "state.json")
                    done = json.load(open(state))["done"] if os.path.exists(state) else 0
                    journal = os.path.join(killed, "journal")
                    lines = sum(1 for _ in open(journal)) if os.path.exists(journal) else 0
                    print(f"kill {kills} (at {targets[kills - 1]} cases or more): state has {done} "
                          f"cases done, journal {lines} lines")
                    cmd = [args.tandem, "fuzz", "-q", "--resume", killed]
                    continue
            _, err = proc.communicate()
            if proc.returncode != 1:
                print(f"{' '.join(cmd)} exited {proc.returncode}: {err[-500:]}")
                return 1
            break
        if kills == 0:
            print("the campaign ended before any kill; nothing was tested")
            return 1
        # The summary of the whole campaign, written by one more resume of the ended campaign
        # (it runs nothing and prints the summary again).
        proc = subprocess.run([args.tandem, "fuzz", "-q", "--resume", killed, "--json",
                               os.path.join(work, "killed.json")],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        if proc.returncode != 1:
            print(f"resuming the ended campaign exited {proc.returncode}: {proc.stderr[-500:]}")
            return 1
        a = json.load(open(os.path.join(work, "whole.json")))
        b = json.load(open(os.path.join(work, "killed.json")))
        problems = []
        if Findings(whole) != Findings(killed):
            problems.append(f"finding folders differ: only uninterrupted "
                            f"{sorted(set(Findings(whole)) - set(Findings(killed)))}, only killed "
                            f"{sorted(set(Findings(killed)) - set(Findings(whole)))}")
        ca, cb = Comparable(a), Comparable(b)
        for k in ca:
            if ca[k] != cb[k]:
                problems.append(f"{k} differs:\n  uninterrupted {json.dumps(ca[k])[:600]}\n"
                                f"  killed        {json.dumps(cb[k])[:600]}")
        sa = json.load(open(os.path.join(whole, "findings", "signatures.json")))
        sb = json.load(open(os.path.join(killed, "findings", "signatures.json")))
        if sa != sb:
            problems.append("findings/signatures.json differs")
        if b.get("runs") != kills + 2:
            problems.append(f"runs: {b.get('runs')}, expected {kills + 2}")
        if problems:
            print("\n".join(problems))
            return 1
        print(f"after {kills} kills: {b['cases']} cases, {b['findings_total']} findings, "
              f"{len(b['signatures'])} signatures, {len(Findings(killed))} folders: "
              f"the same as uninterrupted")
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
