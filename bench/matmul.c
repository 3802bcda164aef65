// bench/matmul.c: integer matrix multiply kernel (i32, wrapping), C = A * B, repeated.
// Benchmark kernel (DESIGN.md "Measures that matter"); exports `run` -> i32 checksum.
#include "kernel.h"

#define N 96
#define REPS (12 * BENCH_SCALE)

static u32 a[N][N];
static u32 b[N][N];
static u32 c[N][N];

i32 run(void) {
  u32 state = bench_seed;
  for (int i = 0; i < N; ++i) {
    for (int j = 0; j < N; ++j) {
      a[i][j] = XorShift32(&state) & 0xFFFF;
      b[i][j] = XorShift32(&state) & 0xFFFF;
    }
  }
  u32 checksum = 0;
  for (int rep = 0; rep < REPS; ++rep) {
    for (int i = 0; i < N; ++i) {
      for (int j = 0; j < N; ++j) {
        u32 sum = 0;
        for (int k = 0; k < N; ++k) sum += a[i][k] * b[k][j];
        c[i][j] = sum;
      }
    }
    // Feed the product back so no repetition can be skipped.
    for (int i = 0; i < N; ++i) {
      for (int j = 0; j < N; ++j) {
        checksum = checksum * 31u + c[i][j];
        a[i][j] = (c[i][j] >> 7) & 0xFFFF;
      }
    }
  }
  return (i32)checksum;
}
