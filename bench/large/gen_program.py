#!/usr/bin/env python3
"""gen_program.py: writes a large C program for the verifier and the JITs (bench/large/README.md):
many varied functions (loops over arrays of every width, switch-driven state machines, byte and
struct copies, 2-D tables, recursion, calls through function-pointer tables) and a `run` that
calls each of them and returns a checksum. The same seed writes the same program.

Usage: gen_program.py [--functions N] [--seed S] [-o FILE]   (default: 640 functions, seed 1)"""

import argparse
import random
import sys

TYPES = ["int8_t", "uint8_t", "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t",
         "float", "double"]
INTS = TYPES[:8]
BINOPS_INT = ["+", "-", "*", "^", "|", "&"]
BINOPS_FLOAT = ["+", "-", "*"]


def Const(rng, t):
    if t in ("float", "double"):
        return f"{rng.uniform(-4, 4):.4f}"
    return str(rng.randint(1, 97))


def LoopKernel(rng, name, t):
    """Reads one or two arrays of type t with a stride and an offset, writes a third."""
    ops = BINOPS_FLOAT if t in ("float", "double") else BINOPS_INT
    stride = rng.choice([1, 1, 2, 3, 4])
    off = rng.randint(0, 7)
    op1, op2 = rng.choice(ops), rng.choice(ops)
    c = Const(rng, t)
    guard = rng.choice(["", f"if (i % {rng.randint(2, 5)} == 0) continue;"])
    return f"""
static int64_t {name}(int n) {{
  {t}* a = ({t}*)(arena + {rng.randint(0, 64) * 16});
  {t}* b = ({t}*)(arena + {rng.randint(64, 128) * 16});
  {t}* c = ({t}*)(arena + {rng.randint(128, 192) * 16});
  int64_t acc = 0;
  for (int i = 0; i + {off} < n && i * {stride} + {off} < 256; ++i) {{
    {guard}
    {t} x = a[i * {stride} + {off}] {op1} ({t}){c};
    {t} y = b[(i + {off}) & 255] {op2} x;
    c[i & 255] = y;
    acc += (int64_t)y;
  }}
  return acc;
}}
"""


def StateMachine(rng, name):
    states = rng.randint(4, 12)
    cases = []
    for s in range(states):
        nxt = rng.randrange(states)
        alt = rng.randrange(states)
        k = rng.randint(1, 31)
        cases.append(f"      case {s}: acc = acc * {k} + in[i]; state = (in[i] & {1 << rng.randint(0, 6)}) ? {nxt} : {alt}; break;")
    body = "\n".join(cases)
    return f"""
static int64_t {name}(int n) {{
  const uint8_t* in = arena + {rng.randint(0, 3000)};
  int state = 0;
  int64_t acc = {rng.randint(0, 1000)};
  for (int i = 0; i < n && i < 512; ++i) {{
    switch (state) {{
{body}
      default: state = 0;
    }}
  }}
  return acc ^ state;
}}
"""


def ByteCopy(rng, name):
    src, dst = rng.randint(0, 2000), rng.randint(2000, 4000)
    step = rng.choice([1, 2, 3])
    return f"""
static int64_t {name}(int n) {{
  uint8_t* d = arena + {dst};
  const uint8_t* s = arena + {src};
  int len = n % {rng.randint(100, 600)};
  for (int i = 0; i < len; i += {step}) d[i] = (uint8_t)(s[i] + {rng.randint(0, 255)});
  for (int i = len - 1; i > 0; --i) d[i] ^= d[i - 1];
  int64_t h = 0;
  for (int i = 0; i < len; ++i) h = h * 31 + d[i];
  return h;
}}
"""


def StructWork(rng, name):
    fields = [(rng.choice(TYPES), f"f{k}") for k in range(rng.randint(3, 7))]
    decl = " ".join(f"{t} {f};" for t, f in fields)
    upd = "\n".join(
        f"    p[i].{f} = ({t})(p[i].{f} {rng.choice(['+', '-', '*'])} ({t}){Const(rng, t)});"
        for t, f in fields)
    total = " + ".join(f"(int64_t)p[i].{f}" for t, f in fields)
    return f"""
struct {name}_s {{ {decl} }};
static int64_t {name}(int n) {{
  struct {name}_s* p = (struct {name}_s*)(arena + {rng.randint(0, 200) * 8});
  int64_t acc = 0;
  int count = n % {rng.randint(8, 48)};
  for (int i = 0; i < count; ++i) {{
{upd}
    acc += {total};
  }}
  return acc;
}}
"""


def Table2D(rng, name):
    rows, cols = rng.randint(3, 16), rng.randint(3, 16)
    t = rng.choice(["int32_t", "int16_t", "double", "uint8_t"])
    return f"""
static int64_t {name}(int n) {{
  {t} (*m)[{cols}] = ({t}(*)[{cols}])(arena + {rng.randint(0, 100) * 32});
  int64_t acc = 0;
  for (int r = 0; r < {rows}; ++r)
    for (int c = 0; c < {cols}; ++c) {{
      m[r][c] = ({t})(m[r][c] + r * {rng.randint(1, 9)} + c + n);
      if (r > 0 && c > 0) acc += (int64_t)(m[r - 1][c - 1] {rng.choice(['+', '-', '*'])} m[r][c]);
    }}
  return acc;
}}
"""


def Recursive(rng, name):
    k = rng.randint(2, 5)
    # The depth is bounded (n % 18) so that `run` ends quickly: the calls grow like Fibonacci's.
    return f"""
static int64_t {name}_r(int n) {{
  if (n <= {k}) return n + arena[n & 1023];
  return {name}_r(n - 1) {rng.choice(['+', '^', '-'])} {name}_r(n - {k}) / 2 + arena[(n * {rng.randint(3, 97)}) & 4095];
}}
static int64_t {name}(int n) {{ return {name}_r(n % 18); }}
"""


def IndirectCaller(rng, name, targets):
    picks = rng.sample(targets, min(len(targets), rng.randint(3, 8)))
    table = ", ".join(picks)
    return f"""
static int64_t {name}(int n) {{
  static int64_t (*const table[])(int) = {{{table}}};
  int64_t acc = 0;
  for (int i = 0; i < {len(picks)}; ++i) acc += table[(i + n) % {len(picks)}](n % {rng.randint(20, 200)});
  return acc;
}}
"""


def Program(functions, seed):
    rng = random.Random(seed)
    out = [f"/* Generated by bench/large/gen_program.py --functions {functions} --seed {seed}; do not edit. */",
           "#include <stdint.h>",
           "static uint8_t arena[1 << 16];"]
    names = []
    for k in range(functions):
        kind = rng.choices(["loop", "state", "copy", "struct", "table", "rec", "indirect"],
                           weights=[30, 14, 10, 14, 10, 4, 8])[0]
        name = f"f{k}_{kind}"
        if kind == "loop":
            out.append(LoopKernel(rng, name, rng.choice(TYPES)))
        elif kind == "state":
            out.append(StateMachine(rng, name))
        elif kind == "copy":
            out.append(ByteCopy(rng, name))
        elif kind == "struct":
            out.append(StructWork(rng, name))
        elif kind == "table":
            out.append(Table2D(rng, name))
        elif kind == "rec":
            out.append(Recursive(rng, name))
        else:
            if len(names) < 8:
                out.append(Recursive(rng, name))
            else:
                out.append(IndirectCaller(rng, name, names[-40:]))
        names.append(name)
    out.append("static int64_t (*const all[])(int) = {" + ", ".join(names) + "};")
    out.append("""
__attribute__((export_name("run"))) int64_t run(void) {
  for (int i = 0; i < (int)sizeof arena; ++i) arena[i] = (uint8_t)(i * 2654435761u >> 13);
  int64_t acc = 0;
  for (unsigned i = 0; i < sizeof all / sizeof all[0]; ++i) acc = acc * 31 + all[i](24 + (int)(i % 40));
  return acc;
}""")
    return "\n".join(out) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--functions", type=int, default=640, help="functions to write (default 640)")
    ap.add_argument("--seed", type=int, default=1, help="the generator's seed (default 1)")
    ap.add_argument("-o", "--out", help="write here (default: standard output)")
    a = ap.parse_args()
    if a.functions < 1:
        ap.error("--functions must be at least 1")
    text = Program(a.functions, a.seed)
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
