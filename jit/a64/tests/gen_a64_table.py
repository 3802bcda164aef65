#!/usr/bin/env python3
# gen_a64_table.py: writes a64_table.inc, the AArch64 assembler's hex table, with bytes from GNU as.
# Mirrors STYLE.md 9: expected bytes come from binutils (never from our encoder).
"""Generates jit/a64/tests/a64_table.inc.

Each row is (form id, our-encoder call, GNU as source, expected disassembly). The source of every
row is assembled by `aarch64-linux-gnu-as`, each row in its own section, and the section bytes
are read back from the ELF object. The disassembly column is what Capstone 4 must print for those
bytes (after the test's normalisation); it equals the source except where Capstone prints an
alias (cset for csinc, lsr #0 for lsl #0, mov for umov of an s or d lane, mvn for not, ...) or
the instruction behind one (sshll/ushll #0 for sxtl/uxtl), where Capstone 4 misprints (a negative
post-index offset of ldr/str comes out as a 64-bit unsigned number), and for label rows, whose
branch targets Capstone prints as offsets. Rows whose form starts with an upper-case letter are
helper sequences (MovImm64/MovImm32); the sequence they must produce is derived here from the
documented choice rule, and every form they emit must also have a row of its own.

Usage: python3 jit/a64/tests/gen_a64_table.py [--as aarch64-linux-gnu-as]
"""

import argparse
import os
import struct
import subprocess
import sys
import tempfile

SP, ZR = 31, 32
CONDS = ["eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"]
ROWS = []


def row(form, cpp, src, dis=None):
    ROWS.append((form, cpp, src, src if dis is None else dis))


def rn(r, bits):
    if r == SP:
        return "sp" if bits == 64 else "wsp"
    if r == ZR:
        return "xzr" if bits == 64 else "wzr"
    return f"{'x' if bits == 64 else 'w'}{r}"


def cr(r):
    return "Reg::sp" if r == SP else "Reg::zr" if r == ZR else f"Reg::x{r}"


def cw(bits):
    return f"W::k{bits}"


def rk(bits):
    return "x" if bits == 64 else "w"


def fr(i, d):
    return f"{'d' if d else 's'}{i}"


def cv(i):
    return f"VReg::v{i}"


def cf(d):
    return "FpW::kD" if d else "FpW::kS"


def fk(d):
    return "d" if d else "s"


# --- Bitmask immediates, enumerated from the definition (element size, run length, rotation),
# independently of the C++ encoder's search.


def bitmask_values(bits):
    vals = set()
    size = 2
    while size <= bits:
        for ones in range(1, size):
            for rot in range(size):
                elem = (1 << ones) - 1
                elem = ((elem >> rot) | (elem << (size - rot))) & ((1 << size) - 1)
                v = 0
                for k in range(bits // size):
                    v |= elem << (k * size)
                vals.add(v)
        size *= 2
    return vals


BITMASK64 = bitmask_values(64)
BITMASK32 = bitmask_values(32)


def spread(values, n, seed):
    """n values from a sorted list, evenly spaced, starting at an offset derived from seed."""
    s = sorted(values)
    step = len(s) / n
    return [s[int((i * step + seed) % len(s))] for i in range(n)]


def gen_moves():
    for bits in (32, 64):
        for d, n in [(0, 1), (30, 29), (7, ZR), (ZR, 3)]:
            row(f"mov {rk(bits)}, {rk(bits)}", f"a.mov({cw(bits)}, {cr(d)}, {cr(n)});",
                f"mov {rn(d, bits)}, {rn(n, bits)}")
        row(f"mov sp, {rk(bits)}", f"a.mov({cw(bits)}, Reg::sp, {cr(9)});",
            f"mov {rn(SP, bits)}, {rn(9, bits)}")
        row(f"mov {rk(bits)}, sp", f"a.mov({cw(bits)}, {cr(30)}, Reg::sp);",
            f"mov {rn(30, bits)}, {rn(SP, bits)}")
    for op in ("movz", "movn", "movk"):
        for bits in (32, 64):
            shifts = (0, 16) if bits == 32 else (0, 16, 32, 48)
            for k, (r, imm) in enumerate([(0, 0), (17, 1), (30, 0xffff), (ZR, 0x1234),
                                          (5, 0x8000)]):
                sh = shifts[k % len(shifts)]
                src = f"{op} {rn(r, bits)}, #{hex(imm)}" + (f", lsl #{sh}" if sh else "")
                row(f"{op} {rk(bits)}, #imm",
                    f"a.{op}({cw(bits)}, {cr(r)}, {hex(imm)}, {sh});", src)


def mov_imm64_seq(r, v):
    halves = [(v >> (16 * i)) & 0xffff for i in range(4)]
    zeros, ones = halves.count(0), halves.count(0xffff)
    if max(zeros, ones) < 3 and v in BITMASK64:
        return [f"orr x{r}, xzr, #{hex(v)}"]
    inverted = ones > zeros
    skip = 0xffff if inverted else 0
    out = []
    for i, h in enumerate(halves):
        if h == skip:
            continue
        sh = f", lsl #{16 * i}" if i else ""
        if not out:
            out.append(f"movn x{r}, #{hex(~h & 0xffff)}{sh}" if inverted
                       else f"movz x{r}, #{hex(h)}{sh}")
        else:
            out.append(f"movk x{r}, #{hex(h)}{sh}")
    if not out:
        out.append(f"movn x{r}, #0x0" if inverted else f"movz x{r}, #0x0")
    return out


def mov_imm32_seq(r, v):
    lo, hi = v & 0xffff, v >> 16
    if hi == 0:
        return [f"movz w{r}, #{hex(lo)}"]
    if lo == 0:
        return [f"movz w{r}, #{hex(hi)}, lsl #16"]
    if hi == 0xffff:
        return [f"movn w{r}, #{hex(~lo & 0xffff)}"]
    if lo == 0xffff:
        return [f"movn w{r}, #{hex(~hi & 0xffff)}, lsl #16"]
    if v in BITMASK32:
        return [f"orr w{r}, wzr, #{hex(v)}"]
    return [f"movz w{r}, #{hex(lo)}", f"movk w{r}, #{hex(hi)}, lsl #16"]


def gen_mov_imm():
    vals64 = [0, 1, 0xffff, 0x10000, 0xffffffffffffffff, 0xfffffffffffffffe, 0xffffffff00000000,
              0x00000000ffffffff, 0x123456789abcdef0, 0x8000000000000000, 0x7fffffffffffffff,
              0x5555555555555555, 0x0000ffff0000ffff, 0xffff1234ffff5678, 0x00001234ffff0000,
              0xfffffffffffe1234, 0x7ff8000000000000, 0x3ff0000000000000, 0x00ff00ff00ff00ff,
              0x1234000000005678, 0xdeadbeef, 0x100000000, 0x7fc00000, 0xffffffff80000000]
    for k, v in enumerate(vals64):
        r = [0, 9, 17, 30][k % 4]
        row("MovImm64", f"a.MovImm64({cr(r)}, {hex(v)}ull);", "\n".join(mov_imm64_seq(r, v)))
    vals32 = [0, 1, 0xffff, 0x10000, 0xffffffff, 0xfffffffe, 0x80000000, 0x7fffffff, 0x12345678,
              0xffff1234, 0x1234ffff, 0x55555555, 0x7fc00000, 0x00ff00ff, 0xdeadbeef, 0x3f800000]
    for k, v in enumerate(vals32):
        r = [1, 8, 23, 30][k % 4]
        row("MovImm32", f"a.MovImm32({cr(r)}, {hex(v)}u);", "\n".join(mov_imm32_seq(r, v)))


def gen_addsub():
    imms = [(0, 0), (1, 0), (4095, 0), (0x123, 0), (1, 12), (4095, 12), (0xabc, 12)]
    for op in ("add", "sub", "adds", "subs"):
        flags = op.endswith("s")
        for bits in (32, 64):
            regs = [(0, 1), (SP, SP), (SP, 5), (30, SP), (17, 29), (3, 30), (12, 12)]
            for k, (imm, sh) in enumerate(imms):
                d, n = regs[k]
                if flags and d == SP:
                    d = 4
                src = f"{op} {rn(d, bits)}, {rn(n, bits)}, #{imm}" + (", lsl #12" if sh else "")
                dis = None
                if op == "add" and imm == 0 and (d == SP or n == SP):
                    dis = f"mov {rn(d, bits)}, {rn(n, bits)}"
                row(f"{op} {rk(bits)}, {rk(bits)}, #imm" + (", lsl #12" if sh else ""),
                    f"a.{op}({cw(bits)}, {cr(d)}, {cr(n)}, {imm}, {sh});", src, dis)
            # shifted register
            for k, (d, n, m, sh, amt) in enumerate([
                    (0, 1, 2, "lsl", 0), (ZR, 3, 4, "lsl", 0), (5, 6, ZR, "lsl", 0),
                    (30, 29, 28, "lsl", 1), (7, 8, 9, "lsr", bits - 1), (10, 11, 12, "asr", 17),
                    (13, 14, 15, "lsl", bits - 1)]):
                if flags and d == ZR:
                    d = 16
                src = f"{op} {rn(d, bits)}, {rn(n, bits)}, {rn(m, bits)}"
                form = f"{op} {rk(bits)}, {rk(bits)}, {rk(bits)}"
                cpp = f"a.{op}({cw(bits)}, {cr(d)}, {cr(n)}, {cr(m)}"
                if sh != "lsl" or amt:
                    src += f", {sh} #{amt}"
                    form += ", shift #imm"
                    cpp += f", Shift::{sh}, {amt}"
                row(form, cpp + ");", src)
            # extended register
            exts = [("uxtw", 0), ("sxtw", 2), ("uxtw", 4), ("sxtw", 0), ("uxtb", 1), ("sxth", 3)]
            if bits == 64:
                exts += [("sxtx", 0), ("uxtx", 3)]
            for k, (ext, amt) in enumerate(exts):
                d, n, m = [(0, 1, 2), (SP, SP, 3), (4, SP, ZR), (30, 29, 28), (9, 10, 11),
                           (SP, 12, 13), (14, SP, 15), (16, 17, 18)][k]
                if flags and d == SP:
                    d = 19
                mbits = 64 if ext in ("uxtx", "sxtx") else 32
                src = f"{op} {rn(d, bits)}, {rn(n, bits)}, {rn(m, mbits)}, {ext}"
                if amt:
                    src += f" #{amt}"
                dis = None
                if bits == 32 and ext == "uxtw" and (d == SP or n == SP) and amt == 0:
                    dis = f"{op} {rn(d, bits)}, {rn(n, bits)}, {rn(m, mbits)}"
                if bits == 32 and ext == "uxtw" and (d == SP or n == SP) and amt:
                    dis = f"{op} {rn(d, bits)}, {rn(n, bits)}, {rn(m, mbits)}, lsl #{amt}"
                row(f"{op} {rk(bits)}, {rk(bits)}, {rk(mbits)}, ext",
                    f"a.{op}({cw(bits)}, {cr(d)}, {cr(n)}, {cr(m)}, Extend::{ext}, {amt});",
                    src, dis)
    for op in ("cmp", "cmn"):
        for bits in (32, 64):
            for n, imm, sh in [(0, 0, 0), (SP, 4095, 0), (30, 1, 12), (7, 0x800, 0)]:
                row(f"{op} {rk(bits)}, #imm" + (", lsl #12" if sh else ""),
                    f"a.{op}({cw(bits)}, {cr(n)}, {imm}, {sh});",
                    f"{op} {rn(n, bits)}, #{imm}" + (", lsl #12" if sh else ""))
            for n, m, sh, amt in [(0, 1, "lsl", 0), (30, ZR, "lsl", 0), (5, 6, "asr", bits - 1),
                                  (8, 9, "lsr", 3)]:
                src = f"{op} {rn(n, bits)}, {rn(m, bits)}"
                form = f"{op} {rk(bits)}, {rk(bits)}"
                cpp = f"a.{op}({cw(bits)}, {cr(n)}, {cr(m)}"
                if sh != "lsl" or amt:
                    src += f", {sh} #{amt}"
                    form += ", shift #imm"
                    cpp += f", Shift::{sh}, {amt}"
                row(form, cpp + ");", src)
    for bits in (32, 64):
        for n, m, ext, amt in [(0, 1, "uxtw", 0), (SP, 2, "uxtw", 2), (30, ZR, "sxtw", 4)]:
            src = f"cmp {rn(n, bits)}, {rn(m, 32)}, {ext}" + (f" #{amt}" if amt else "")
            dis = None
            if bits == 32 and n == SP:
                dis = f"cmp {rn(n, bits)}, {rn(m, 32)}" + (f", lsl #{amt}" if amt else "")
            row(f"cmp {rk(bits)}, w, ext",
                f"a.cmp({cw(bits)}, {cr(n)}, {cr(m)}, Extend::{ext}, {amt});", src, dis)
        for d, m in [(0, 1), (30, ZR), (ZR, 7)]:
            row(f"neg {rk(bits)}, {rk(bits)}", f"a.neg({cw(bits)}, {cr(d)}, {cr(m)});",
                f"neg {rn(d, bits)}, {rn(m, bits)}")


def gen_logical():
    for op, cop in [("and", "and_"), ("orr", "orr"), ("eor", "eor"), ("ands", "ands"),
                    ("bic", "bic"), ("orn", "orn")]:
        for bits in (32, 64):
            for d, n, m, sh, amt in [(0, 1, 2, "lsl", 0), (ZR, 3, 4, "lsl", 0),
                                     (5, 6, ZR, "lsl", 0), (30, 29, 28, "lsl", bits - 1),
                                     (7, 8, 9, "lsr", 1), (10, 11, 12, "asr", 5),
                                     (13, 14, 15, "ror", bits - 1)]:
                if op == "ands" and d == ZR:
                    d = 16
                src = f"{op} {rn(d, bits)}, {rn(n, bits)}, {rn(m, bits)}"
                form = f"{op} {rk(bits)}, {rk(bits)}, {rk(bits)}"
                cpp = f"a.{cop}({cw(bits)}, {cr(d)}, {cr(n)}, {cr(m)}"
                if sh != "lsl" or amt:
                    src += f", {sh} #{amt}"
                    form += ", shift #imm"
                    cpp += f", Shift::{sh}, {amt}"
                row(form, cpp + ");", src)
    for bits in (32, 64):
        for n, m, sh, amt in [(0, 1, "lsl", 0), (ZR, 30, "lsl", 0), (2, 3, "ror", 7)]:
            src = f"tst {rn(n, bits)}, {rn(m, bits)}"
            form = f"tst {rk(bits)}, {rk(bits)}"
            cpp = f"a.tst({cw(bits)}, {cr(n)}, {cr(m)}"
            if sh != "lsl" or amt:
                src += f", {sh} #{amt}"
                form += ", shift #imm"
                cpp += f", Shift::{sh}, {amt}"
            row(form, cpp + ");", src)
        for d, m in [(0, 1), (30, ZR), (ZR, 4)]:
            row(f"mvn {rk(bits)}, {rk(bits)}", f"a.mvn({cw(bits)}, {cr(d)}, {cr(m)});",
                f"mvn {rn(d, bits)}, {rn(m, bits)}")

    # Bitmask immediates: edge patterns plus values spread over the whole encodable set.
    edge64 = [1, 0x8000000000000000, 0x7fffffffffffffff, 0xfffffffffffffffe, 0x5555555555555555,
              0xaaaaaaaaaaaaaaaa, 0x0101010101010101, 0x00ff00ff00ff00ff, 0xffffffff00000000,
              0x00000000ffffffff, 0x0000ffff0000ffff, 0x8000000000000001, 0x3ffffffffffffffc,
              0xff, 0x7ff0000000000000, 0x1111111111111111, 0xfffffffffffff000]
    edge32 = [1, 0x80000000, 0x7fffffff, 0xfffffffe, 0x55555555, 0xaaaaaaaa, 0x0f0f0f0f, 0xff,
              0xffff0000, 0x80000001, 0x0000fff0, 0x3ffffffc]
    for v in edge64 + [1 << 63]:
        assert v in BITMASK64, hex(v)
    for v in edge32:
        assert v in BITMASK32, hex(v)
    ops = [("and", "and_"), ("orr", "orr"), ("eor", "eor"), ("ands", "ands"), ("tst", "tst")]
    vals = {64: edge64 + spread(BITMASK64, 45, 7), 32: edge32 + spread(BITMASK32, 30, 3)}
    for bits in (32, 64):
        for k, v in enumerate(vals[bits]):
            op, cop = ops[k % len(ops)]
            d = [0, SP, 30, 9, 17][k % 5]
            n = [1, 2, ZR, 29, 12, 3][k % 6]
            if op == "ands" and d == SP:
                d = 11
            if op == "tst":
                row(f"tst {rk(bits)}, #bimm", f"a.tst({cw(bits)}, {cr(n)}, {hex(v)}ull);",
                    f"tst {rn(n, bits)}, #{hex(v)}")
            else:
                row(f"{op} {rk(bits)}, {rk(bits)}, #bimm",
                    f"a.{cop}({cw(bits)}, {cr(d)}, {cr(n)}, {hex(v)}ull);",
                    f"{op} {rn(d, bits)}, {rn(n, bits)}, #{hex(v)}")


def gen_muldiv_shift_bits():
    for bits in (32, 64):
        for d, n, m in [(0, 1, 2), (30, ZR, 29), (ZR, 7, 8)]:
            for op in ("mul", "sdiv", "udiv"):
                row(f"{op} {rk(bits)}, {rk(bits)}, {rk(bits)}",
                    f"a.{op}({cw(bits)}, {cr(d)}, {cr(n)}, {cr(m)});",
                    f"{op} {rn(d, bits)}, {rn(n, bits)}, {rn(m, bits)}")
            for op in ("lsl", "lsr", "asr", "ror"):
                row(f"{op} {rk(bits)}, {rk(bits)}, {rk(bits)}",
                    f"a.{op}({cw(bits)}, {cr(d)}, {cr(n)}, {cr(m)});",
                    f"{op}v {rn(d, bits)}, {rn(n, bits)}, {rn(m, bits)}",
                    f"{op} {rn(d, bits)}, {rn(n, bits)}, {rn(m, bits)}")
        for d, n, m, a_ in [(0, 1, 2, 3), (30, 29, 28, 27), (ZR, ZR, 5, 6)]:
            for op in ("madd", "msub"):
                row(f"{op} {rk(bits)}, {rk(bits)}, {rk(bits)}, {rk(bits)}",
                    f"a.{op}({cw(bits)}, {cr(d)}, {cr(n)}, {cr(m)}, {cr(a_)});",
                    f"{op} {rn(d, bits)}, {rn(n, bits)}, {rn(m, bits)}, {rn(a_, bits)}")
        for op in ("lsl", "lsr", "asr", "ror"):
            for d, n, s in [(0, 1, 1), (30, 29, bits - 1), (ZR, 3, bits // 2), (5, ZR, 7),
                            (6, 7, 0)]:
                src = f"{op} {rn(d, bits)}, {rn(n, bits)}, #{s}"
                dis = f"lsr {rn(d, bits)}, {rn(n, bits)}, #0" if op == "lsl" and s == 0 else None
                row(f"{op} {rk(bits)}, {rk(bits)}, #imm",
                    f"a.{op}({cw(bits)}, {cr(d)}, {cr(n)}, {s});", src, dis)
        for op in ("clz", "rbit"):
            for d, n in [(0, 1), (30, ZR), (ZR, 29)]:
                row(f"{op} {rk(bits)}, {rk(bits)}", f"a.{op}({cw(bits)}, {cr(d)}, {cr(n)});",
                    f"{op} {rn(d, bits)}, {rn(n, bits)}")
        for op in ("sxtb", "sxth"):
            for d, n in [(0, 1), (30, ZR), (ZR, 29)]:
                row(f"{op} {rk(bits)}, w", f"a.{op}({cw(bits)}, {cr(d)}, {cr(n)});",
                    f"{op} {rn(d, bits)}, {rn(n, 32)}")
    for d, n in [(0, 1), (30, ZR), (ZR, 29), (15, 16)]:
        row("sxtw x, w", f"a.sxtw({cr(d)}, {cr(n)});", f"sxtw {rn(d, 64)}, {rn(n, 32)}")
        row("uxtb w, w", f"a.uxtb({cr(d)}, {cr(n)});", f"uxtb {rn(d, 32)}, {rn(n, 32)}")
        row("uxth w, w", f"a.uxth({cr(d)}, {cr(n)});", f"uxth {rn(d, 32)}, {rn(n, 32)}")


def gen_csel():
    for bits in (32, 64):
        for op in ("csel", "csinc", "csinv", "csneg"):
            for k, c in enumerate(CONDS):
                if (k + len(op) + bits) % 3:
                    continue
                d, n, m = [(0, 1, 2), (30, 29, 28), (ZR, 5, 6), (7, ZR, 9), (10, 11, ZR)][k % 5]
                row(f"{op} {rk(bits)}, {rk(bits)}, {rk(bits)}, cond",
                    f"a.{op}({cw(bits)}, {cr(d)}, {cr(n)}, {cr(m)}, Cond::{c});",
                    f"{op} {rn(d, bits)}, {rn(n, bits)}, {rn(m, bits)}, {c}")
        # Capstone prints the cinc/cneg alias when n == m.
        row(f"csinc {rk(bits)}, {rk(bits)}, {rk(bits)}, cond",
            f"a.csinc({cw(bits)}, Reg::x3, Reg::x4, Reg::x4, Cond::ne);",
            f"csinc {rn(3, bits)}, {rn(4, bits)}, {rn(4, bits)}, ne",
            f"cinc {rn(3, bits)}, {rn(4, bits)}, eq")
        for op in ("cset", "csetm"):
            for k, c in enumerate(CONDS[:14]):
                if (k + bits // 32 + len(op)) % 2:
                    continue
                d = [0, 30, ZR, 12][k % 4]
                row(f"{op} {rk(bits)}, cond", f"a.{op}({cw(bits)}, {cr(d)}, Cond::{c});",
                    f"{op} {rn(d, bits)}, {c}")


def mem_src(base, off, mode):
    b = rn(base, 64)
    if mode == "off":
        return f"[{b}]" if off == 0 else f"[{b}, #{off}]"
    if mode == "pre":
        return f"[{b}, #{off}]!"
    return f"[{b}], #{off}"


def mem_cpp(base, off, mode):
    if mode == "off":
        return f"Mem({cr(base)}, {off})"
    return f"Mem::{'PreIndex' if mode == 'pre' else 'PostIndex'}({cr(base)}, {off})"


MEM_FORM = {"off": "[x, #imm]", "pre": "[x, #imm]!", "post": "[x], #imm"}


def gen_loadstore():
    # (method, mnemonic, C++ width arg, register kind, access size)
    ops = [("ldr", "ldr", "W::k64, ", "x", 8), ("ldr", "ldr", "W::k32, ", "w", 4),
           ("str", "str", "W::k64, ", "x", 8), ("str", "str", "W::k32, ", "w", 4),
           ("ldrb", "ldrb", "", "w", 1), ("ldrh", "ldrh", "", "w", 2),
           ("strb", "strb", "", "w", 1), ("strh", "strh", "", "w", 2),
           ("ldrsb", "ldrsb", "W::k64, ", "x", 1), ("ldrsb", "ldrsb", "W::k32, ", "w", 1),
           ("ldrsh", "ldrsh", "W::k64, ", "x", 2), ("ldrsh", "ldrsh", "W::k32, ", "w", 2),
           ("ldrsw", "ldrsw", "", "x", 4),
           ("ldr", "ldr", "FpW::kS, ", "s", 4), ("ldr", "ldr", "FpW::kD, ", "d", 8),
           ("str", "str", "FpW::kS, ", "s", 4), ("str", "str", "FpW::kD, ", "d", 8)]
    for k, (meth, mn, warg, kind, size) in enumerate(ops):
        fp = kind in ("s", "d")
        bits = 64 if kind == "x" else 32

        def treg(r):
            return f"{kind}{r}" if fp else rn(r, bits)

        def tcpp(r):
            return cv(r) if fp else cr(r)

        tregs = [0, 30, 17] if fp else [0, 30, ZR]
        tregs += [31] if fp else [9]
        # unsigned offset: 0, size, max, a middle value; bases x, sp
        for j, (off, base) in enumerate([(0, 1), (size, SP), (4095 * size, 29), (size * 100, 5)]):
            t = tregs[j]
            row(f"{mn} {kind}, [x, #imm]",
                f"a.{meth}({warg}{tcpp(t)}, {mem_cpp(base, off, 'off')});",
                f"{mn} {treg(t)}, {mem_src(base, off, 'off')}")
        for j, (off, base, mode) in enumerate([(-256, SP, "pre"), (255, 3, "post"),
                                               (-size, SP, "post"), (size * 2, 7, "pre")]):
            t = tregs[(j + 1) % 4]
            dis = None
            if mode == "post" and off < 0:
                # Capstone 4 prints a negative post-index offset as its 64-bit two's complement.
                dis = f"{mn} {treg(t)}, [{rn(base, 64)}], #{hex(off & (2**64 - 1))}"
            row(f"{mn} {kind}, {MEM_FORM[mode]}",
                f"a.{meth}({warg}{tcpp(t)}, {mem_cpp(base, off, mode)});",
                f"{mn} {treg(t)}, {mem_src(base, off, mode)}", dis)
        shift = {1: 0, 2: 1, 4: 2, 8: 3}[size]
        reg_offsets = [("lsl", False, 1, 2), ("lsl", True, SP, ZR), ("uxtw", False, 3, 4),
                       ("uxtw", True, 5, 6), ("sxtw", True, 7, 30), ("sxtx", False, 8, 9)]
        for j, (ext, scaled, base, idx) in enumerate(reg_offsets):
            if (j + k) % 3 == 2 and j > 1:
                continue
            t = tregs[j % 4]
            ix = rn(idx, 32 if ext in ("uxtw", "sxtw") else 64)
            if ext == "lsl":
                tail = f", lsl #{shift}" if scaled else ""
            else:
                tail = f", {ext}" + (f" #{shift}" if scaled else "")
            src = f"{mn} {treg(t)}, [{rn(base, 64)}, {ix}{tail}]"
            form_ix = {"lsl": "x, lsl", "uxtw": "w, uxtw", "sxtw": "w, sxtw", "sxtx": "x, sxtx"}
            row(f"{mn} {kind}, [x, {form_ix[ext]}]",
                f"a.{meth}({warg}{tcpp(t)}, Mem({cr(base)}, {cr(idx)}, IndexExt::{ext}, "
                f"{'true' if scaled else 'false'}));", src)
    # unscaled
    uops = [("ldur", "W::k64, ", "x"), ("ldur", "W::k32, ", "w"), ("stur", "W::k64, ", "x"),
            ("stur", "W::k32, ", "w"), ("ldurb", "", "w"), ("ldurh", "", "w"),
            ("sturb", "", "w"), ("sturh", "", "w"), ("ldursb", "W::k64, ", "x"),
            ("ldursb", "W::k32, ", "w"), ("ldursh", "W::k64, ", "x"),
            ("ldursh", "W::k32, ", "w"), ("ldursw", "", "x"), ("ldur", "FpW::kS, ", "s"),
            ("ldur", "FpW::kD, ", "d"), ("stur", "FpW::kS, ", "s"), ("stur", "FpW::kD, ", "d")]
    for k, (mn, warg, kind) in enumerate(uops):
        fp = kind in ("s", "d")
        cases = [(0, 1, -256), (30, SP, 255), (31 if fp else ZR, 29, -1), (9, 3, 1)]
        for j, (t, base, off) in enumerate(cases):
            treg = f"{kind}{t}" if fp else rn(t, 64 if kind == "x" else 32)
            tcpp = cv(t) if fp else cr(t)
            row(f"{mn} {kind}, [x, #simm]", f"a.{mn}({warg}{tcpp}, Mem({cr(base)}, {off}));",
                f"{mn} {treg}, {mem_src(base, off, 'off')}")
    # pairs
    for mn in ("ldp", "stp"):
        for kind, warg, size in [("x", "W::k64, ", 8), ("w", "W::k32, ", 4), ("d", "FpW::kD, ", 8),
                                 ("s", "FpW::kS, ", 4)]:
            fp = kind in ("s", "d")
            cases = [(29, 30, SP, -16, "pre"), (29, 30, SP, 16, "post"), (0, 1, SP, 0, "off"),
                     (19, 20, 2, 63 * size, "off"), (21, 22, SP, -64 * size, "off"),
                     (3, 4, 5, -64 * size, "pre"), (8, 9, 7, 63 * size, "post")]
            if not fp:
                cases.append((ZR, 27, SP, 8 * size, "off"))
            for t1, t2, base, off, mode in cases:
                if fp:
                    r1, r2, c1, c2 = f"{kind}{t1}", f"{kind}{t2}", cv(t1), cv(t2)
                else:
                    bits = 64 if kind == "x" else 32
                    r1, r2, c1, c2 = rn(t1, bits), rn(t2, bits), cr(t1), cr(t2)
                row(f"{mn} {kind}, {kind}, {MEM_FORM[mode]}",
                    f"a.{mn}({warg}{c1}, {c2}, {mem_cpp(base, off, mode)});",
                    f"{mn} {r1}, {r2}, {mem_src(base, off, mode)}")


def gen_control():
    row("b label", "Label l; a.b(l); a.nop(); a.bind(l);", "b @L\nnop\n@L:", "b #8; nop")
    row("b label", "Label l; a.bind(l); a.nop(); a.b(l);", "@L:\nnop\nb @L", "nop; b #0")
    row("b label", "Label l; a.b(l); a.bind(l);", "b @L\n@L:", "b #4")
    row("bl label", "Label l; a.bl(l); a.nop(); a.nop(); a.bind(l);", "bl @L\nnop\nnop\n@L:",
        "bl #0xc; nop; nop")
    row("bl label", "Label l; a.bind(l); a.bl(l);", "@L:\nbl @L", "bl #0")
    for k, c in enumerate(CONDS[:14]):
        if k % 2 == 0:
            row("b.cond label", f"Label l; a.b(Cond::{c}, l); a.nop(); a.bind(l);",
                f"b.{c} @L\nnop\n@L:", f"b.{c} #8; nop")
        else:
            row("b.cond label", f"Label l; a.bind(l); a.brk(1); a.b(Cond::{c}, l);",
                f"@L:\nbrk #1\nb.{c} @L", f"brk #1; b.{c} #0")
    for op in ("cbz", "cbnz"):
        for bits in (32, 64):
            for k, r in enumerate([0, 30, ZR]):
                if k % 2 == 0:
                    row(f"{op} {rk(bits)}, label",
                        f"Label l; a.{op}({cw(bits)}, {cr(r)}, l); a.nop(); a.bind(l);",
                        f"{op} {rn(r, bits)}, @L\nnop\n@L:", f"{op} {rn(r, bits)}, #8; nop")
                else:
                    row(f"{op} {rk(bits)}, label",
                        f"Label l; a.bind(l); a.nop(); a.{op}({cw(bits)}, {cr(r)}, l);",
                        f"@L:\nnop\n{op} {rn(r, bits)}, @L", f"nop; {op} {rn(r, bits)}, #0")
    for op in ("tbz", "tbnz"):
        for k, (r, bit) in enumerate([(0, 0), (30, 31), (5, 32), (ZR, 63), (17, 7)]):
            v = rn(r, 64 if bit >= 32 else 32)
            form = f"{op} {'x' if bit >= 32 else 'w'}, #imm, label"
            if k % 2 == 0:
                row(form, f"Label l; a.{op}({cr(r)}, {bit}, l); a.nop(); a.bind(l);",
                    f"{op} {v}, #{bit}, @L\nnop\n@L:", f"{op} {v}, #{bit}, #8; nop")
            else:
                row(form, f"Label l; a.bind(l); a.nop(); a.{op}({cr(r)}, {bit}, l);",
                    f"@L:\nnop\n{op} {v}, #{bit}, @L", f"nop; {op} {v}, #{bit}, #0")
    row("adr x, label", "Label l; a.adr(Reg::x0, l); a.nop(); a.bind(l);", "adr x0, @L\nnop\n@L:",
        "adr x0, #8; nop")
    row("adr x, label", "Label l; a.bind(l); a.nop(); a.adr(Reg::x30, l);",
        "@L:\nnop\nadr x30, @L", "nop; adr x30, #0")
    row("adr x, label", "Label l; a.adr(Reg::zr, l); a.bind(l);", "adr xzr, @L\n@L:", "adr xzr, #4")
    for op in ("br", "blr"):
        for r in (0, 16, 30):
            row(f"{op} x", f"a.{op}({cr(r)});", f"{op} x{r}")
    row("ret", "a.ret();", "ret")
    for r in (0, 29):
        row("ret x", f"a.ret({cr(r)});", f"ret x{r}")
    for v in (0, 1, 0x1234, 0xffff):
        row("brk #imm", f"a.brk({hex(v)});", f"brk #{hex(v)}")
    row("nop", "a.nop();", "nop")


def gen_fp():
    pairs = [(0, 1), (31, 30), (8, 16)]
    triples = [(0, 1, 2), (31, 30, 29), (8, 0, 31)]
    for d in (False, True):
        k = fk(d)
        for a_, b_ in pairs:
            row(f"fmov {k}, {k}", f"a.fmov({cf(d)}, {cv(a_)}, {cv(b_)});",
                f"fmov {fr(a_, d)}, {fr(b_, d)}")
        for op in ("fadd", "fsub", "fmul", "fdiv", "fmin", "fmax", "fminnm", "fmaxnm"):
            for a_, b_, c_ in triples:
                row(f"{op} {k}, {k}, {k}", f"a.{op}({cf(d)}, {cv(a_)}, {cv(b_)}, {cv(c_)});",
                    f"{op} {fr(a_, d)}, {fr(b_, d)}, {fr(c_, d)}")
        for op in ("fsqrt", "fabs", "fneg", "frintn", "frintm", "frintp", "frintz"):
            for a_, b_ in pairs:
                row(f"{op} {k}, {k}", f"a.{op}({cf(d)}, {cv(a_)}, {cv(b_)});",
                    f"{op} {fr(a_, d)}, {fr(b_, d)}")
        for a_, b_ in pairs:
            row(f"fcmp {k}, {k}", f"a.fcmp({cf(d)}, {cv(a_)}, {cv(b_)});",
                f"fcmp {fr(a_, d)}, {fr(b_, d)}")
        for a_ in (0, 31):
            row(f"fcmp {k}, #0.0", f"a.fcmp({cf(d)}, {cv(a_)});", f"fcmp {fr(a_, d)}, #0.0")
        for (a_, b_, c_), c in zip(triples, ("eq", "vs", "gt")):
            row(f"fcsel {k}, {k}, {k}, cond",
                f"a.fcsel({cf(d)}, {cv(a_)}, {cv(b_)}, {cv(c_)}, Cond::{c});",
                f"fcsel {fr(a_, d)}, {fr(b_, d)}, {fr(c_, d)}, {c}")
        for bits in (32, 64):
            for op in ("fcvtzs", "fcvtzu"):
                for r, v in [(0, 1), (30, 31), (ZR, 7)]:
                    row(f"{op} {rk(bits)}, {k}", f"a.{op}({cw(bits)}, {cr(r)}, {cf(d)}, {cv(v)});",
                        f"{op} {rn(r, bits)}, {fr(v, d)}")
            for op in ("scvtf", "ucvtf"):
                for v, r in [(0, 1), (31, 30), (7, ZR)]:
                    row(f"{op} {k}, {rk(bits)}", f"a.{op}({cf(d)}, {cv(v)}, {cw(bits)}, {cr(r)});",
                        f"{op} {fr(v, d)}, {rn(r, bits)}")
    for bits, k in [(32, "s"), (64, "d")]:
        for r, v in [(0, 1), (30, 31), (ZR, 7)]:
            row(f"fmov {rk(bits)}, {k}", f"a.fmov({cw(bits)}, {cr(r)}, {cv(v)});",
                f"fmov {rn(r, bits)}, {k}{v}")
            row(f"fmov {k}, {rk(bits)}", f"a.fmov({cw(bits)}, {cv(v)}, {cr(r)});",
                f"fmov {k}{v}, {rn(r, bits)}")
    for a_, b_ in pairs:
        row("fcvt d, s", f"a.fcvt(FpW::kD, {cv(a_)}, {cv(b_)});", f"fcvt d{a_}, s{b_}")
        row("fcvt s, d", f"a.fcvt(FpW::kS, {cv(a_)}, {cv(b_)});", f"fcvt s{a_}, d{b_}")
        row("cnt v.8b, v.8b", f"a.cnt_8b({cv(a_)}, {cv(b_)});", f"cnt v{a_}.8b, v{b_}.8b")
        row("addv b, v.8b", f"a.addv_8b({cv(a_)}, {cv(b_)});", f"addv b{a_}, v{b_}.8b")


# --- AdvSIMD (128-bit SIMD). Arrangement names as written in assembly; C++ Arr enumerators.
ARRS = ["16b", "8h", "4s", "2d", "8b", "4h", "2s"]
ESIZE = {"16b": 8, "8b": 8, "8h": 16, "4h": 16, "4s": 32, "2s": 32, "2d": 64}
LANES = {"b": 16, "h": 8, "s": 4, "d": 2}
NO_2D = [t for t in ARRS if t != "2d"]
BYTES = ["16b", "8b"]
FLOATS = ["4s", "2d", "2s"]
VTRIPLES = [(0, 1, 2), (31, 30, 29), (15, 16, 31)]


def ca(t):
    return f"Arr::k{t.upper()}"


def cl(lane):
    return f"Lane::k{lane.upper()}"


def vt(t):
    return f"v.{t}"


def elem(t):
    return {8: "b", 16: "h", 32: "s", 64: "d"}[ESIZE[t]]


def widen(t, upper):
    """The half-size source arrangement of a widening op with destination t."""
    half = {"8h": ("8b", "16b"), "4s": ("4h", "8h"), "2d": ("2s", "4s"),
            "4h": ("8b", None), "2s": ("4h", None)}[t]
    return half[1] if upper else half[0]


def arr_regs(arrs, n, regs=VTRIPLES):
    """(arrangement, register tuple) cases: all register tuples for the first arrangement, then
    one each (rotating) for the others, so the lowest and highest registers reach every slot."""
    out = [(arrs[0], r) for r in regs]
    for k, t in enumerate(arrs[1:]):
        out.append((t, regs[(k + 1) % len(regs)]))
    return [(t, r[:n]) for t, r in out]


def gen_simd_mem():
    cases = [(0, 1, 0, "off"), (31, SP, 16, "off"), (17, 29, 4095 * 16, "off"),
             (5, 30, 1600, "off"), (9, SP, -256, "pre"), (30, 3, 255, "post"),
             (2, SP, -16, "post"), (31, 7, 32, "pre")]
    for mn in ("ldr", "str"):
        for t, base, off, mode in cases:
            dis = None
            if mode == "post" and off < 0:
                dis = f"{mn} q{t}, [{rn(base, 64)}], #{hex(off & (2**64 - 1))}"
            row(f"{mn} q, {MEM_FORM[mode]}", f"a.{mn}_q({cv(t)}, {mem_cpp(base, off, mode)});",
                f"{mn} q{t}, {mem_src(base, off, mode)}", dis)
        for t, ext, scaled, base, idx in [(0, "lsl", False, 1, 2), (31, "lsl", True, SP, ZR),
                                          (17, "uxtw", False, 3, 4), (8, "sxtw", True, 30, 29),
                                          (30, "sxtx", False, 5, 6)]:
            ix = rn(idx, 32 if ext in ("uxtw", "sxtw") else 64)
            if ext == "lsl":
                tail = ", lsl #4" if scaled else ""
            else:
                tail = f", {ext}" + (" #4" if scaled else "")
            form_ix = {"lsl": "x, lsl", "uxtw": "w, uxtw", "sxtw": "w, sxtw", "sxtx": "x, sxtx"}
            row(f"{mn} q, [x, {form_ix[ext]}]",
                f"a.{mn}_q({cv(t)}, Mem({cr(base)}, {cr(idx)}, IndexExt::{ext}, "
                f"{'true' if scaled else 'false'}));", f"{mn} q{t}, [{rn(base, 64)}, {ix}{tail}]")
    for mn in ("ldr", "str"):
        for kind, size in (("b", 1), ("h", 2)):
            for t, base, off, mode in [(0, 1, 0, "off"), (31, SP, size, "off"),
                                       (17, 29, 4095 * size, "off"), (9, SP, -256, "pre"),
                                       (30, 3, 255, "post"), (2, SP, -size, "post")]:
                dis = None
                if mode == "post" and off < 0:
                    dis = f"{mn} {kind}{t}, [{rn(base, 64)}], #{hex(off & (2**64 - 1))}"
                row(f"{mn} {kind}, {MEM_FORM[mode]}",
                    f"a.{mn}_{kind}({cv(t)}, {mem_cpp(base, off, mode)});",
                    f"{mn} {kind}{t}, {mem_src(base, off, mode)}", dis)
            shift = size // 2
            for t, ext, scaled, base, idx in [(0, "lsl", False, 1, 2), (31, "lsl", True, SP, ZR),
                                              (17, "uxtw", False, 3, 4),
                                              (8, "sxtw", True, 30, 29),
                                              (30, "sxtx", False, 5, 6)]:
                ix = rn(idx, 32 if ext in ("uxtw", "sxtw") else 64)
                if ext == "lsl":
                    tail = f", lsl #{shift}" if scaled else ""
                else:
                    tail = f", {ext}" + (f" #{shift}" if scaled else "")
                form_ix = {"lsl": "x, lsl", "uxtw": "w, uxtw", "sxtw": "w, sxtw",
                           "sxtx": "x, sxtx"}
                row(f"{mn} {kind}, [x, {form_ix[ext]}]",
                    f"a.{mn}_{kind}({cv(t)}, Mem({cr(base)}, {cr(idx)}, IndexExt::{ext}, "
                    f"{'true' if scaled else 'false'}));",
                    f"{mn} {kind}{t}, [{rn(base, 64)}, {ix}{tail}]")
    for mn in ("ldur", "stur"):
        for t, base, off in [(0, 1, -256), (31, SP, 255), (17, 29, -1), (9, 3, 1)]:
            row(f"{mn} q, [x, #simm]", f"a.{mn}_q({cv(t)}, Mem({cr(base)}, {off}));",
                f"{mn} q{t}, {mem_src(base, off, 'off')}")
    for mn in ("ld1", "st1"):
        for lane, count in LANES.items():
            for t, idx, base in [(0, 0, 0), (31, count - 1, SP), (17, count // 2, 30)]:
                row(f"{mn} {{v.{lane}}}[lane], [x]",
                    f"a.{mn}({cv(t)}, {cl(lane)}, {idx}, {cr(base)});",
                    f"{mn} {{v{t}.{lane}}}[{idx}], [{rn(base, 64)}]")
    for t, (v, base) in arr_regs(ARRS, 2, [(0, 0), (31, SP), (17, 30)]):
        row(f"ld1r {{{vt(t)}}}, [x]", f"a.ld1r({ca(t)}, {cv(v)}, {cr(base)});",
            f"ld1r {{v{v}.{t}}}, [{rn(base, 64)}]")


def gen_simd_moves():
    for d, n in [(0, 1), (31, 30), (15, 31)]:
        row("mov v.16b, v.16b", f"a.mov_v({cv(d)}, {cv(n)});", f"mov v{d}.16b, v{n}.16b")
    for t, d, imm in [("16b", 0, 0), ("16b", 31, 0xff), ("16b", 7, 0x5a), ("8b", 30, 0x80),
                      ("8h", 0, 0), ("8h", 31, 0xff), ("4h", 3, 0x12), ("4s", 0, 0),
                      ("4s", 31, 0xff), ("4s", 9, 1), ("2s", 17, 0x7f), ("2d", 0, 0),
                      ("2d", 31, 0xffffffffffffffff), ("2d", 12, 0xff00ff0000ff00ff)]:
        row(f"movi {vt(t)}, #imm", f"a.movi({ca(t)}, {cv(d)}, {hex(imm)}ull);",
            f"movi v{d}.{t}, #{hex(imm)}")
    for t, d, imm in [("4s", 0, 0), ("4s", 31, 0xff), ("8h", 5, 0), ("4h", 30, 0x81),
                      ("2s", 1, 0x3c)]:
        row(f"mvni {vt(t)}, #imm", f"a.mvni({ca(t)}, {cv(d)}, {hex(imm)});",
            f"mvni v{d}.{t}, #{hex(imm)}")
    for k, t in enumerate(ARRS):
        bits = 64 if t == "2d" else 32
        regs = [(0, 1), (31, 30), (17, ZR)]
        for d, n in regs if k < 4 else [regs[k % 3]]:
            row(f"dup {vt(t)}, {rk(bits)}", f"a.dup({ca(t)}, {cv(d)}, {cr(n)});",
                f"dup v{d}.{t}, {rn(n, bits)}")
        e = elem(t)
        for d, n, lane in [(0, 1, 0), (31, 30, LANES[e] - 1), (17, 31, 1)]:
            row(f"dup {vt(t)}, v.{e}[lane]", f"a.dup({ca(t)}, {cv(d)}, {cv(n)}, {lane});",
                f"dup v{d}.{t}, v{n}.{e}[{lane}]")
    for lane, count in LANES.items():
        bits = 64 if lane == "d" else 32
        for d, idx, n in [(0, 0, 1), (31, count - 1, 30), (17, 1, ZR)]:
            row(f"ins v.{lane}[lane], {rk(bits)}", f"a.ins({cl(lane)}, {cv(d)}, {idx}, {cr(n)});",
                f"ins v{d}.{lane}[{idx}], {rn(n, bits)}")
        for d, idx, n, idx2 in [(0, 0, 1, count - 1), (31, count - 1, 30, 0), (17, 1, 31, 1)]:
            row(f"ins v.{lane}[lane], v.{lane}[lane]",
                f"a.ins({cl(lane)}, {cv(d)}, {idx}, {cv(n)}, {idx2});",
                f"ins v{d}.{lane}[{idx}], v{n}.{lane}[{idx2}]")
        for d, n, idx in [(0, 1, 0), (30, 31, count - 1), (ZR, 17, 1)]:
            # Capstone 4 prints the mov alias for s and d lanes (as ARM's preferred syntax).
            row(f"umov {rk(bits)}, v.{lane}[lane]",
                f"a.umov({cl(lane)}, {cr(d)}, {cv(n)}, {idx});",
                f"umov {rn(d, bits)}, v{n}.{lane}[{idx}]",
                f"mov {rn(d, bits)}, v{n}.{lane}[{idx}]" if lane in "sd" else None)
    for bits, lanes in [(32, "bh"), (64, "bhs")]:
        for lane in lanes:
            count = LANES[lane]
            for d, n, idx in [(0, 1, 0), (30, 31, count - 1), (ZR, 17, 1)]:
                row(f"smov {rk(bits)}, v.{lane}[lane]",
                    f"a.smov({cw(bits)}, {cl(lane)}, {cr(d)}, {cv(n)}, {idx});",
                    f"smov {rn(d, bits)}, v{n}.{lane}[{idx}]")


def simd3(op, arrs, cop=None):
    for t, (d, n, m) in arr_regs(arrs, 3):
        row(f"{op} {vt(t)}, {vt(t)}, {vt(t)}",
            f"a.{cop or op}({ca(t)}, {cv(d)}, {cv(n)}, {cv(m)});",
            f"{op} v{d}.{t}, v{n}.{t}, v{m}.{t}")


def simd2(op, arrs, cop=None, tail=""):
    for t, (d, n) in arr_regs(arrs, 2):
        # Capstone 4 prints not as its mvn alias.
        dis = f"mvn v{d}.{t}, v{n}.{t}" if op == "not" else None
        row(f"{op} {vt(t)}, {vt(t)}{tail}", f"a.{cop or op}({ca(t)}, {cv(d)}, {cv(n)});",
            f"{op} v{d}.{t}, v{n}.{t}{tail}", dis)


def gen_simd_int():
    for op in ("add", "sub", "sqadd", "uqadd", "sqsub", "uqsub", "addp", "cmeq", "cmgt", "cmge",
               "cmhi", "cmhs", "sshl", "ushl"):
        simd3(op, ARRS)
    for op in ("mul", "smin", "umin", "smax", "umax", "urhadd"):
        simd3(op, NO_2D)
    simd3("sqrdmulh", ["8h", "4s", "4h", "2s"])
    for op in ("neg", "abs"):
        simd2(op, ARRS)
    for op in ("cmeq", "cmge", "cmgt", "cmle", "cmlt"):
        simd2(op, ARRS, tail=", #0")
    for op in ("and", "bic", "orr", "orn", "eor", "bsl", "bit", "bif"):
        simd3(op, BYTES, "and_" if op == "and" else op)
    simd2("not", BYTES, "not_")
    simd2("cnt", BYTES)
    for op in ("addv", "umaxv", "uminv"):
        for t, (d, n) in arr_regs(["16b", "8b", "8h", "4h", "4s"], 2):
            row(f"{op} {elem(t)}, {vt(t)}", f"a.{op}({ca(t)}, {cv(d)}, {cv(n)});",
                f"{op} {elem(t)}{d}, v{n}.{t}")
    for op in ("smull", "umull"):
        for upper in (False, True):
            name = op + ("2" if upper else "")
            for t, (d, n, m) in arr_regs(["8h", "4s", "2d"], 3):
                s_ = widen(t, upper)
                row(f"{name} {vt(t)}, {vt(s_)}, {vt(s_)}",
                    f"a.{name}({ca(t)}, {cv(d)}, {cv(n)}, {cv(m)});",
                    f"{name} v{d}.{t}, v{n}.{s_}, v{m}.{s_}")
    for op in ("saddlp", "uaddlp"):
        for t, (d, n) in arr_regs(["8h", "4s", "2d", "4h", "2s"], 2):
            s_ = {"8h": "16b", "4s": "8h", "2d": "4s", "4h": "8b", "2s": "4h"}[t]
            row(f"{op} {vt(t)}, {vt(s_)}", f"a.{op}({ca(t)}, {cv(d)}, {cv(n)});",
                f"{op} v{d}.{t}, v{n}.{s_}")
    for op in ("sxtl", "uxtl"):
        for upper in (False, True):
            name = op + ("2" if upper else "")
            for t, (d, n) in arr_regs(["8h", "4s", "2d"], 2):
                s_ = widen(t, upper)
                # Capstone 4 prints the sshll/ushll #0 these alias.
                long = {"sxtl": "sshll", "uxtl": "ushll"}[op] + ("2" if upper else "")
                row(f"{name} {vt(t)}, {vt(s_)}", f"a.{name}({ca(t)}, {cv(d)}, {cv(n)});",
                    f"{name} v{d}.{t}, v{n}.{s_}", f"{long} v{d}.{t}, v{n}.{s_}, #0")
    for op in ("xtn", "sqxtn", "sqxtun", "uqxtn"):
        for upper in (False, True):
            name = op + ("2" if upper else "")
            dsts = ["16b", "8h", "4s"] if upper else ["8b", "4h", "2s"]
            for t, (d, n) in arr_regs(dsts, 2):
                s_ = {"8b": "8h", "16b": "8h", "4h": "4s", "8h": "4s", "2s": "2d", "4s": "2d"}[t]
                row(f"{name} {vt(t)}, {vt(s_)}", f"a.{name}({ca(t)}, {cv(d)}, {cv(n)});",
                    f"{name} v{d}.{t}, v{n}.{s_}")
    for op in ("shl", "sshr", "ushr"):
        for k, t in enumerate(ARRS):
            es = ESIZE[t]
            amounts = [0, es - 1, es // 2] if op == "shl" else [1, es, es // 2 + 1]
            for (d, n, _), sh in zip(VTRIPLES, amounts):
                row(f"{op} {vt(t)}, {vt(t)}, #imm", f"a.{op}({ca(t)}, {cv(d)}, {cv(n)}, {sh});",
                    f"{op} v{d}.{t}, v{n}.{t}, #{sh}")


def gen_simd_perm_fp():
    for t, (d, n, m) in arr_regs(BYTES, 3):
        row(f"tbl {vt(t)}, {{v.16b}}, {vt(t)}", f"a.tbl({ca(t)}, {cv(d)}, {cv(n)}, {cv(m)});",
            f"tbl v{d}.{t}, {{v{n}.16b}}, v{m}.{t}")
        row(f"tbl {vt(t)}, {{v.16b, v.16b}}, {vt(t)}",
            f"a.tbl2({ca(t)}, {cv(d)}, {cv(n)}, {cv(m)});",
            f"tbl v{d}.{t}, {{v{n}.16b, v{(n + 1) % 32}.16b}}, v{m}.{t}")
    for t, (d, n, m), idx in [("16b", (0, 1, 2), 0), ("16b", (31, 30, 29), 15),
                              ("16b", (15, 16, 31), 8), ("8b", (3, 4, 5), 7)]:
        row(f"ext {vt(t)}, {vt(t)}, {vt(t)}, #imm",
            f"a.ext({ca(t)}, {cv(d)}, {cv(n)}, {cv(m)}, {idx});",
            f"ext v{d}.{t}, v{n}.{t}, v{m}.{t}, #{idx}")
    for op in ("zip1", "zip2", "uzp1", "uzp2", "trn1", "trn2"):
        simd3(op, ARRS)
    simd2("rev64", NO_2D)
    for op in ("fadd", "fsub", "fmul", "fdiv", "fmin", "fmax", "fminnm", "fmaxnm", "fcmeq",
               "fcmgt", "fcmge"):
        simd3(op, FLOATS)
    for op in ("fsqrt", "fabs", "fneg", "frintn", "frintm", "frintp", "frintz", "scvtf", "ucvtf",
               "fcvtzs", "fcvtzu"):
        simd2(op, FLOATS)
    for d, n in [(0, 1), (31, 30), (15, 31)]:
        row("fcvtl v.2d, v.2s", f"a.fcvtl({cv(d)}, {cv(n)});", f"fcvtl v{d}.2d, v{n}.2s")
        row("fcvtl2 v.2d, v.4s", f"a.fcvtl2({cv(d)}, {cv(n)});", f"fcvtl2 v{d}.2d, v{n}.4s")
        row("fcvtn v.2s, v.2d", f"a.fcvtn({cv(d)}, {cv(n)});", f"fcvtn v{d}.2s, v{n}.2d")
        row("fcvtn2 v.4s, v.2d", f"a.fcvtn2({cv(d)}, {cv(n)});", f"fcvtn2 v{d}.4s, v{n}.2d")


def read_sections(obj):
    """Returns {section name: bytes} of an ELF64 little-endian object file."""
    data = open(obj, "rb").read()
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = [struct.unpack_from("<IIQQQQIIQQ", data, shoff + i * shentsize) for i in range(shnum)]
    strtab = headers[shstrndx]
    names = data[strtab[4]: strtab[4] + strtab[5]]
    out = {}
    for h in headers:
        name = names[h[0]: names.index(b"\0", h[0])].decode()
        out[name] = data[h[4]: h[4] + h[5]] if h[1] != 8 else b""  # 8 = SHT_NOBITS
    return out


def assemble(as_path):
    lines = []
    for i, (_, _, src, _) in enumerate(ROWS):
        lines.append(f'.section .text.r{i},"ax",@progbits')
        lines.append(src.replace("@L", f".Lrow{i}"))
    with tempfile.TemporaryDirectory() as tmp:
        s_path = os.path.join(tmp, "table.s")
        o_path = os.path.join(tmp, "table.o")
        with open(s_path, "w") as f:
            f.write("\n".join(lines) + "\n")
        subprocess.run([as_path, s_path, "-o", o_path], check=True)
        sections = read_sections(o_path)
    relocs = [n for n in sections if n.startswith(".rela")]
    if relocs:
        sys.exit(f"rows need relocations (not self-contained): {relocs}")
    return [sections[f".text.r{i}"].hex() for i in range(len(ROWS))]


def c_string(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--as", dest="as_path", default="aarch64-linux-gnu-as")
    ap.add_argument("--out", default=os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                  "a64_table.inc"))
    args = ap.parse_args()
    gen_moves()
    gen_mov_imm()
    gen_addsub()
    gen_logical()
    gen_muldiv_shift_bits()
    gen_csel()
    gen_loadstore()
    gen_control()
    gen_fp()
    gen_simd_mem()
    gen_simd_moves()
    gen_simd_int()
    gen_simd_perm_fp()
    hexes = assemble(args.as_path)
    version = subprocess.run([args.as_path, "--version"], capture_output=True, text=True,
                             check=True).stdout.splitlines()[0]
    with open(args.out, "w") as f:
        f.write("// a64_table.inc: the AArch64 assembler's hex table; "
                "GENERATED by gen_a64_table.py.\n")
        f.write(f"// Expected bytes from aarch64-linux-gnu-as, {version} (STYLE.md 9). "
                "Do not edit.\n")
        f.write("// {form id, our encoder, GNU as bytes, GNU as source, expected disassembly}\n")
        for (form, cpp, src, dis), hx in zip(ROWS, hexes):
            # Multi-instruction rows: the disassembly column joins instructions with "; ".
            f.write(f"{{{c_string(form)}, [](Assembler& a) {{ {cpp} }}, {c_string(hx)},\n"
                    f" {c_string(src)}, {c_string(dis.replace(chr(10), '; '))}}},\n")
    print(f"wrote {len(ROWS)} rows to {args.out}")


if __name__ == "__main__":
    main()
