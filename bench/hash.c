// bench/hash.c: 64-bit hashing over a buffer: FNV-1a per byte, then a xorshift-multiply mixer
// per 8-byte word. Benchmark kernel (DESIGN.md "Measures that matter"); `run` -> i64 checksum.
#include "kernel.h"

#define WORDS (16 * 1024)
#define REPS (72 * BENCH_SCALE)

static u64 words[WORDS];

static u64 Fnv1a(const u64* data, u32 count) {
  u64 h = 0xCBF29CE484222325ull;
  for (u32 i = 0; i < count; ++i) {
    u64 w = data[i];
    for (int byte = 0; byte < 8; ++byte) {
      h ^= (w >> (byte * 8)) & 0xFF;
      h *= 0x100000001B3ull;
    }
  }
  return h;
}

static u64 Mix64(u64 x) {
  x ^= x >> 30;
  x *= 0xBF58476D1CE4E5B9ull;
  x ^= x >> 27;
  x *= 0x94D049BB133111EBull;
  x ^= x >> 31;
  return x;
}

i64 run(void) {
  u32 state = bench_seed;
  for (u32 i = 0; i < WORDS; ++i) {
    u64 hi = XorShift32(&state);
    words[i] = (hi << 32) | XorShift32(&state);
  }
  u64 acc = 0;
  for (int rep = 0; rep < REPS; ++rep) {
    acc ^= Fnv1a(words, WORDS);
    for (u32 i = 0; i < WORDS; ++i) {
      words[i] = Mix64(words[i] + acc);
      acc += words[i] >> 11;
    }
  }
  return (i64)acc;
}
