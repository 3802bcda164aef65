// bench/simd_dot.c: 16-bit fixed-point dot products and a FIR filter over i16 samples, with
// 128-bit SIMD (wasm_simd128.h: i32x4.dot_i16x8_s, i16x8 and i32x4 lane arithmetic, shifts,
// saturating narrowing) when built with -msimd128, plain C otherwise (the native witness: the
// same integer results). Benchmark kernel (DESIGN.md "Measures that matter"); exports `run` ->
// i32 checksum.
#include "kernel.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define N 4096
#define TAPS 32
#define REPS (600 * BENCH_SCALE)

typedef short i16;

static i16 samples[N + TAPS];
static i16 taps[TAPS];
static i16 out[N];

// out[i] = saturate16((sum_k samples[i + k] * taps[k]) >> 15)
static void Fir(void) {
#ifdef __wasm_simd128__
  for (int i = 0; i < N; i += 8) {
    // Eight outputs at once: for each output, the dot products of 8-sample windows.
    v128_t acc_lo = wasm_i32x4_splat(0), acc_hi = wasm_i32x4_splat(0);
    for (int k = 0; k < TAPS; ++k) {
      v128_t s = wasm_v128_load(&samples[i + k]);
      v128_t t = wasm_i16x8_splat(taps[k]);
      acc_lo = wasm_i32x4_add(acc_lo, wasm_i32x4_extmul_low_i16x8(s, t));
      acc_hi = wasm_i32x4_add(acc_hi, wasm_i32x4_extmul_high_i16x8(s, t));
    }
    acc_lo = wasm_i32x4_shr(acc_lo, 15);
    acc_hi = wasm_i32x4_shr(acc_hi, 15);
    wasm_v128_store(&out[i], wasm_i16x8_narrow_i32x4(acc_lo, acc_hi));
  }
#else
  for (int i = 0; i < N; ++i) {
    i32 acc = 0;
    for (int k = 0; k < TAPS; ++k) acc += (i32)samples[i + k] * (i32)taps[k];
    acc >>= 15;
    out[i] = (i16)(acc > 32767 ? 32767 : acc < -32768 ? -32768 : acc);
  }
#endif
}

// The sum over i of out[i] * samples[i], as i32 (wrapping).
static u32 Dot(void) {
#ifdef __wasm_simd128__
  v128_t acc = wasm_i32x4_splat(0);
  for (int i = 0; i < N; i += 8)
    acc = wasm_i32x4_add(acc, wasm_i32x4_dot_i16x8(wasm_v128_load(&out[i]), wasm_v128_load(&samples[i])));
  return (u32)wasm_i32x4_extract_lane(acc, 0) + (u32)wasm_i32x4_extract_lane(acc, 1) +
         (u32)wasm_i32x4_extract_lane(acc, 2) + (u32)wasm_i32x4_extract_lane(acc, 3);
#else
  u32 acc = 0;
  for (int i = 0; i < N; ++i) acc += (u32)((i32)out[i] * (i32)samples[i]);
  return acc;
#endif
}

i32 run(void) {
  u32 state = bench_seed;
  for (int i = 0; i < N + TAPS; ++i) samples[i] = (i16)(XorShift32(&state) & 0xFFFF);
  for (int k = 0; k < TAPS; ++k) taps[k] = (i16)((XorShift32(&state) & 0x3FFF) - 0x2000);
  u32 checksum = 0;
  for (int rep = 0; rep < REPS; ++rep) {
    Fir();
    checksum = checksum * 31u + Dot();
    // Feed the output back so no repetition can be skipped.
    for (int i = 0; i < N; i += 4) samples[i + (rep & 3)] = out[i];
  }
  return (i32)checksum;
}
