// bench/sieve.c: sieve of Eratosthenes over a byte array, with a shrinking limit per repeat.
// Benchmark kernel (DESIGN.md "Measures that matter"); exports `run` -> i32 checksum.
#include "kernel.h"

#define LIMIT (1 << 20)
#define REPS (4 * BENCH_SCALE)

static u8 composite[LIMIT + 1];

i32 run(void) {
  u32 checksum = bench_seed;
  for (int rep = 0; rep < REPS; ++rep) {
    u32 limit = LIMIT - (u32)rep * 977u;
    for (u32 i = 0; i <= limit; ++i) composite[i] = 0;
    composite[0] = composite[1] = 1;
    for (u32 p = 2; p * p <= limit; ++p) {
      if (composite[p]) continue;
      for (u32 m = p * p; m <= limit; m += p) composite[m] = 1;
    }
    u32 count = 0;
    u32 weighted = 0;
    for (u32 i = 2; i <= limit; ++i) {
      if (!composite[i]) {
        ++count;
        weighted += i * count;
      }
    }
    checksum = (checksum ^ count) * 0x01000193u + weighted;
  }
  return (i32)checksum;
}
