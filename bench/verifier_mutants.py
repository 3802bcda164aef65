#!/usr/bin/env python3
# bench/verifier_mutants.py: the verifier against its bounds-check mutants (jit/mutants.h,
# `tandem verify --list-mutants`; docs/verifier.md "Mutants"; DESIGN.md "Verifier").
"""Verifier mutants: each bounds-check mutant rejected by the verifier, each hole shown.

Every mutant of `tandem verify --list-mutants --json` makes one back end emit a bounds check with
a real hole. For each back end and each mutant:

  (a) `tandem verify MODULE --engines BACKEND --seed-fault NAME --json`: the mutant is rejected
      when verify exits 1 with an access not proved (failed, or unknown to the lifter);
  (b) the hole shown: `tandem diff MODULE --script SCRIPT --engines ref,BACKEND --seed-fault NAME`
      is a finding (exit 1: the mutant's run left the memory, a crash on x64 and an unmapped
      address under Unicorn on a64, where the reference trapped or returned), and the same diff
      without the mutant agrees and meets the script's expectations (exit 0).

A mutant that passes the verifier is a soundness bug: it is listed loudly. First the module is
verified without a mutant (it must be proved, else the rejections would mean nothing); a back
end the verifier does not cover yet (verify exits 2 there) is reported as "verifier not
available" and its holes are still shown.

The side-table lie of each back end (correct code, a wrong side table) must change nothing:
verify exits 0 with the same counts as without it, and the diff agrees with and without it.

Prints, per back end, "x64: N of M mutants rejected (100%)". Exit status: 0 when every mutant
of every back end is rejected, every hole shown and every lie harmless; 1 otherwise (a back end
without a verifier counts as a failure unless --allow-missing-verifier); 2 on a usage or setup
error.
"""

import argparse
import concurrent.futures
import json
import os
import re
import subprocess
import sys

from benchlib import DEFAULT_TANDEM, ROOT, BenchError, FindTool

MIN_PER_BACK_END = 20  # issue 14: at least 20 mutants per back end
# What the harness says of the run that left the memory: the signal (x64, native) or the
# unmapped address Unicorn stopped on (a64).
EVIDENCE_RE = re.compile(r"signal \d+ \([^)]*\)|(?:read|write|fetch) of \d+ bytes at 0x[0-9a-f]+"
                         r"(?: \(arena \+ 0x[0-9a-f]+\))?")


def RunTool(cmd, timeout):
    """(exit status, stdout, stderr); status None when the command timed out."""
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=timeout, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None, "", f"timed out after {timeout} s"
    return proc.returncode, proc.stdout, proc.stderr


def LastLines(text, n=3):
    return " | ".join(text.strip().splitlines()[-n:])


def Mutants(tandem):
    rc, out, err = RunTool([tandem, "verify", "--list-mutants", "--json"], 60)
    if rc != 0:
        raise BenchError("tandem verify --list-mutants --json failed: " + LastLines(err or out))
    return json.loads(out)


def Verify(tandem, module, back_end, mutant, timeout):
    """verify's result: rc, accesses, proved, failed, unknown (counts None when it did not say)."""
    cmd = [tandem, "verify", module, "--engines", back_end, "--json"]
    if mutant:
        cmd += ["--seed-fault", mutant]
    rc, out, err = RunTool(cmd, timeout)
    r = {"command": " ".join(cmd), "rc": rc, "accesses": None, "proved": None, "failed": None,
         "unknown": None, "message": LastLines(err) if rc not in (0, 1) else ""}
    if rc in (0, 1):
        try:
            counts = json.loads(out)["engines"][back_end]
            for key in ("accesses", "proved", "failed", "unknown"):
                r[key] = counts[key]
        except (ValueError, KeyError, TypeError) as e:
            r["message"] = f"unreadable verify output ({e}): " + LastLines(out)
    return r


def Diff(tandem, module, script, back_end, mutant, timeout):
    """diff's result: rc, verdict, signature."""
    cmd = [tandem, "diff", module, "--script", script, "--engines", f"ref,{back_end}", "--json",
           "--timeout", str(timeout)]
    if mutant:
        cmd += ["--seed-fault", mutant]
    rc, out, err = RunTool(cmd, timeout + 30)
    r = {"command": " ".join(cmd), "rc": rc, "verdict": None, "signature": None, "detail": ""}
    try:
        j = json.loads(out)
        r["verdict"] = j.get("verdict")
        r["signature"] = j.get("signature")
        texts = list(j.get("failures", [])) + [d["text"] for d in j.get("divergences", [])]
        r["detail"] = texts[0] if texts else ""
    except ValueError:
        r["detail"] = LastLines(err or out)
    return r


def CheckMutant(tandem, m, args, verifier_available):
    module = os.path.join(ROOT, m["module"])
    script = os.path.join(ROOT, m["script"])
    be = m["back_end"]
    r = {"name": m["name"], "back_end": be, "what": m["what"], "hole": m["hole"]}
    if verifier_available:
        r["verify"] = Verify(tandem, module, be, m["name"], args.timeout)
    r["diff_with"] = Diff(tandem, module, script, be, m["name"], args.timeout)
    r["diff_without"] = Diff(tandem, module, script, be, None, args.timeout)
    return r


def Judge(r, baseline):
    """Sets r["rejected"], r["shown"] (holes) or r["harmless"] (the side-table lie)."""
    v = r.get("verify")
    clean_agrees = r["diff_without"]["rc"] == 0
    if r["hole"]:
        r["rejected"] = (v is not None and v["rc"] == 1 and
                         (v["failed"] or 0) + (v["unknown"] or 0) >= 1)
        r["shown"] = r["diff_with"]["rc"] == 1 and clean_agrees
    else:
        same = v is not None and all(v[k] == baseline[k] for k in
                                     ("accesses", "proved", "failed", "unknown"))
        r["verify_unchanged"] = None if v is None else (v["rc"] == 0 and same)
        r["diff_unchanged"] = r["diff_with"]["rc"] == 0 and clean_agrees


def Main():
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0],
        epilog="\n\n".join(__doc__.split("\n\n")[1:]),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tandem", default=DEFAULT_TANDEM,
                        help="the tandem binary (default: build/release/tandem)")
    parser.add_argument("--back-ends", default="x64,a64",
                        help="comma-separated back ends (default: x64,a64)")
    parser.add_argument("--jobs", type=int, default=2, help="commands run at once (default: 2)")
    parser.add_argument("--timeout", type=int, default=120,
                        help="seconds one tandem command may take (default: 120)")
    parser.add_argument("--allow-missing-verifier", action="store_true",
                        help="a back end the verifier does not cover yet does not fail the run "
                             "(its holes are still shown; CI's setting until it covers both)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    args = parser.parse_args()
    try:
        tandem = FindTool(args.tandem, "tandem", "build it first (cmake --build --preset release)")
        catalogue = Mutants(tandem)
    except BenchError as e:
        print(f"verifier_mutants: {e}", file=sys.stderr)
        return 2
    back_ends = [b for b in args.back_ends.split(",") if b]
    unknown = [b for b in back_ends if b not in ("x64", "a64")]
    if unknown or not back_ends:
        print(f"verifier_mutants: --back-ends: unknown back end {unknown}", file=sys.stderr)
        return 2

    log = (lambda *a: print(*a, file=sys.stderr)) if args.json else print
    report = {"tandem": tandem, "back_ends": {}}
    ok = True
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs))
    for be in back_ends:
        mutants = [m for m in catalogue if m["back_end"] == be]
        holes = [m for m in mutants if m["hole"]]
        modules = sorted({m["module"] for m in mutants})
        # Without a mutant, each input must be proved: a rejection then means the mutant's hole.
        baselines = {mod: Verify(tandem, os.path.join(ROOT, mod), be, None, args.timeout)
                     for mod in modules}
        available = all(b["rc"] in (0, 1) for b in baselines.values())
        section = {"mutants": [], "verifier": "available" if available else "not available",
                   "baseline": baselines}
        report["back_ends"][be] = section
        if not available:
            why = next(b["message"] for b in baselines.values() if b["rc"] not in (0, 1))
            log(f"{be}: verifier not available: {why}")
        for mod, b in baselines.items():
            if available and b["rc"] != 0:
                log(f"{be}: !! {mod} is not proved without a mutant ({b['failed']} failed, "
                    f"{b['unknown']} unknown): the rejections below mean nothing")
                ok = False
            elif available:
                log(f"{be}: {mod} proved without a mutant: {b['proved']} of {b['accesses']} "
                    "accesses")
        results = list(pool.map(lambda m: CheckMutant(tandem, m, args, available), mutants))
        for r in results:
            Judge(r, baselines[next(m["module"] for m in mutants if m["name"] == r["name"])])
            section["mutants"].append(r)
            if r["hole"]:
                v = r.get("verify")
                verdict = ("verifier not available" if v is None else
                           f"rejected ({v['failed']} failed, {v['unknown']} unknown)"
                           if r["rejected"] else
                           f"!! NOT REJECTED (verify exit {v['rc']}: {v['failed']} failed, "
                           f"{v['unknown']} unknown)")
                evidence = EVIDENCE_RE.search(r["diff_with"]["detail"] or "")
                shown = (f"hole shown: {r['diff_with']['verdict']}" +
                         (f", {evidence.group(0)}" if evidence else "") if r["shown"] else
                         f"!! hole NOT shown (diff with the mutant exit {r['diff_with']['rc']}, "
                         f"without exit {r['diff_without']['rc']})")
                log(f"  {r['name']:<36} {verdict:<30} {shown}")
            else:
                v = r.get("verify")
                vtext = ("verify not run" if v is None else
                         f"verify exit {v['rc']}, {v['proved']} of {v['accesses']} proved" +
                         (" (as without it)" if r["verify_unchanged"] else
                          " !! CHANGED by a side table the verifier must not read"))
                dtext = ("diff agrees with and without it" if r["diff_unchanged"] else
                         f"!! diff exit {r['diff_with']['rc']} with it, "
                         f"{r['diff_without']['rc']} without")
                log(f"  {r['name']:<36} {vtext}; {dtext}")
        rejected = sum(1 for r in section["mutants"] if r["hole"] and r["rejected"])
        shown = sum(1 for r in section["mutants"] if r["hole"] and r["shown"])
        lies = [r for r in section["mutants"] if not r["hole"]]
        lies_ok = all((r["verify_unchanged"] or not available) and r["diff_unchanged"]
                      for r in lies)
        section.update({"rejected": rejected, "total": len(holes), "holes_shown": shown,
                        "side_table_lie_ok": lies_ok})
        passing = [r["name"] for r in section["mutants"]
                   if r["hole"] and available and not r["rejected"]]
        pct = f"{100 * rejected / len(holes):.0f}%" if holes else "no mutants"
        if available:
            log(f"{be}: {rejected} of {len(holes)} mutants rejected ({pct}); {shown} of "
                f"{len(holes)} holes shown")
        else:
            log(f"{be}: verifier not available: 0 of {len(holes)} mutants checked; {shown} of "
                f"{len(holes)} holes shown")
        for name in passing:
            log(f"!! SOUNDNESS BUG: {name} passes the verifier: "
                f"{next(r['verify']['command'] for r in results if r['name'] == name)}")
        if len(holes) < MIN_PER_BACK_END:
            log(f"{be}: !! only {len(holes)} mutants (at least {MIN_PER_BACK_END} wanted)")
            ok = False
        ok &= not passing and shown == len(holes) and lies_ok and len(lies) >= 1
        if not available and not args.allow_missing_verifier:
            ok = False
    pool.shutdown()
    report["ok"] = ok
    if args.json:
        print(json.dumps(report, indent=1))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(Main())
