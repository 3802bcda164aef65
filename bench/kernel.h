// bench/kernel.h: shared definitions for the freestanding benchmark kernels.
// Mirrors DESIGN.md "Measures that matter": each kernel exports `run`, returning a checksum.
//
// Kernels build both for wasm32 (-nostdlib -fno-builtin, no libc at all) and natively (with
// bench/native_main.c). They use only static arrays. The seed is read through a volatile so
// that clang -O2 cannot fold a whole kernel into a constant at compile time.
#ifndef TANDEM_BENCH_KERNEL_H_
#define TANDEM_BENCH_KERNEL_H_

typedef unsigned char u8;
typedef unsigned int u32;
typedef unsigned long long u64;
typedef int i32;
typedef long long i64;

// Size knob: build.sh may pass -DBENCH_SCALE=N (default 1); kernels multiply their repeat
// counts by it. Checksums depend on the scale.
#ifndef BENCH_SCALE
#define BENCH_SCALE 1
#endif

static volatile u32 bench_seed = 0x9E3779B9u;

// xorshift32 (Marsaglia); the state must never be 0.
static inline u32 XorShift32(u32* state) {
  u32 x = *state;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  *state = x;
  return x;
}

#endif  // TANDEM_BENCH_KERNEL_H_
