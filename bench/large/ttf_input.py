#!/usr/bin/env python3
"""ttf_input.py: the seed input of the large `wasm-opt -ttf` module (bench/large/README.md):
N bytes (default 1,000,000) of SHA-256 in counter mode from a fixed label, the same on every
machine. binaryen's translate-to-fuzz turns about 5 input bytes into a byte of code.

Usage: ttf_input.py [--bytes N] [--label TEXT] -o FILE"""

import argparse
import hashlib


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bytes", type=int, default=1_000_000, help="input size (default 1000000)")
    ap.add_argument("--label", default="tandem-large-ttf", help="what the stream is made from")
    ap.add_argument("-o", "--out", required=True, help="the file to write")
    a = ap.parse_args()
    if a.bytes < 1:
        ap.error("--bytes must be at least 1")
    out = bytearray()
    counter = 0
    while len(out) < a.bytes:
        out += hashlib.sha256(f"{a.label}:{counter}".encode()).digest()
        counter += 1
    with open(a.out, "wb") as f:
        f.write(bytes(out[: a.bytes]))


if __name__ == "__main__":
    main()
