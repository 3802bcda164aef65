"""benchlib.py: what the benchmark scripts share (DESIGN.md "Measures that matter"): the kernels,
running a tool and reading its i32:/i64: checksum, finding tools, medians and geomeans."""

import math
import os
import re
import shutil
import statistics
import subprocess
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
DEFAULT_TANDEM = os.path.join(ROOT, "build", "release", "tandem")
DEFAULT_OUT = os.path.join(ROOT, "build", "bench")

# A result line: `i32:123` (tandem, native, node drivers) or `run() => i32:123` (wasm-interp).
RESULT_RE = re.compile(r"(?:^|=>\s*)(i32|i64):(-?\d+)\s*$")
WIDTH = {"i32": 32, "i64": 64}


class BenchError(Exception):
    """A failure that stops the whole run (setup problems)."""


def Kernels():
    """The kernel names: bench/*.c except native_main.c, sorted."""
    names = sorted(f[:-2] for f in os.listdir(HERE) if f.endswith(".c") and f != "native_main.c")
    if not names:
        raise BenchError(f"no kernels (*.c) found in {HERE}")
    return names


def ParseChecksum(stdout):
    """Returns (type, unsigned value) from the last result line of `stdout`, or None.

    Tools disagree on signedness when printing (wasm-interp prints unsigned), so values are
    normalized to their unsigned bit pattern before comparison.
    """
    for line in reversed(stdout.strip().splitlines()):
        m = RESULT_RE.search(line.strip())
        if m:
            ty, value = m.group(1), int(m.group(2))
            return ty, value & ((1 << WIDTH[ty]) - 1)
    return None


def FormatChecksum(checksum):
    return "none" if checksum is None else f"{checksum[0]}:{checksum[1]}"


def Run(cmd, timeout):
    """Runs `cmd`; returns (seconds, CompletedProcess or None, error text or None)."""
    start = time.perf_counter()
    try:
        proc = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        return timeout, None, f"timed out after {timeout:.0f} s"
    except OSError as e:
        return 0.0, None, f"could not start: {e}"
    seconds = time.perf_counter() - start
    if proc.returncode != 0:
        detail = (proc.stderr.strip() or proc.stdout.strip()).splitlines()[-3:]
        return seconds, proc, f"exit status {proc.returncode}: " + " | ".join(detail)
    return seconds, proc, None


def FindTool(path_or_name, what, hint):
    """An executable given as a path or a name on PATH; BenchError with `hint` otherwise."""
    if os.sep in path_or_name:
        if os.path.isfile(path_or_name) and os.access(path_or_name, os.X_OK):
            return path_or_name
        raise BenchError(f"{what} not found or not executable at {path_or_name}; {hint}")
    found = shutil.which(path_or_name)
    if not found:
        raise BenchError(f"{what} '{path_or_name}' not found on PATH; {hint}")
    return found


def Median(values):
    return statistics.median(values) if values else None


def Geomean(values):
    values = [v for v in values if v]
    return math.exp(sum(map(math.log, values)) / len(values)) if values else None
