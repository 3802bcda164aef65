// bench/simd_blend.c: alpha blending of f32 RGBA pixels, clamped and converted to 8-bit, with
// 128-bit SIMD (wasm_simd128.h: f32x4 mul/add/min/max, i32x4.trunc_sat_f32x4_s, narrowing,
// swizzles) when built with -msimd128, plain C otherwise (the native witness: the same IEEE
// single-precision operations in the same order, so the same bytes). Benchmark kernel (DESIGN.md
// "Measures that matter"); exports `run` -> i32 checksum.
#include "kernel.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define PIXELS 8192
#define REPS (300 * BENCH_SCALE)

static float src[PIXELS * 4];
static float dst[PIXELS * 4];
static u8 out[PIXELS * 4];

static float Clamp(float v) { return v < 0.0f ? 0.0f : v > 255.0f ? 255.0f : v; }

// dst = src * a + dst * (1 - a), a = src alpha / 255; out = bytes of the clamped result.
static void Blend(void) {
#ifdef __wasm_simd128__
  const v128_t one = wasm_f32x4_splat(1.0f), inv255 = wasm_f32x4_splat(1.0f / 255.0f);
  const v128_t lo = wasm_f32x4_splat(0.0f), hi = wasm_f32x4_splat(255.0f);
  for (int p = 0; p < PIXELS; p += 4) {
    v128_t packed[4];
    for (int q = 0; q < 4; ++q) {
      const int at = (p + q) * 4;
      v128_t s = wasm_v128_load(&src[at]);
      v128_t d = wasm_v128_load(&dst[at]);
      v128_t a = wasm_f32x4_mul(wasm_i32x4_shuffle(s, s, 3, 3, 3, 3), inv255);
      v128_t r = wasm_f32x4_add(wasm_f32x4_mul(s, a), wasm_f32x4_mul(d, wasm_f32x4_sub(one, a)));
      r = wasm_f32x4_min(wasm_f32x4_max(r, lo), hi);
      wasm_v128_store(&dst[at], r);
      packed[q] = wasm_i32x4_trunc_sat_f32x4(r);
    }
    v128_t w0 = wasm_i16x8_narrow_i32x4(packed[0], packed[1]);
    v128_t w1 = wasm_i16x8_narrow_i32x4(packed[2], packed[3]);
    wasm_v128_store(&out[p * 4], wasm_u8x16_narrow_i16x8(w0, w1));
  }
#else
  for (int p = 0; p < PIXELS; ++p) {
    const int at = p * 4;
    const float a = src[at + 3] * (1.0f / 255.0f);
    for (int c = 0; c < 4; ++c) {
      float r = src[at + c] * a + dst[at + c] * (1.0f - a);
      r = Clamp(r);
      dst[at + c] = r;
      out[at + c] = (u8)(i32)r;
    }
  }
#endif
}

i32 run(void) {
  u32 state = bench_seed;
  for (int i = 0; i < PIXELS * 4; ++i) {
    src[i] = (float)(XorShift32(&state) & 0xFF);
    dst[i] = (float)(XorShift32(&state) & 0xFF);
  }
  u32 checksum = 0;
  for (int rep = 0; rep < REPS; ++rep) {
    Blend();
    for (int i = 0; i < PIXELS * 4; i += 7) checksum = checksum * 31u + out[i];
    // New source alphas each round, from the output (so no round can be skipped).
    for (int p = 0; p < PIXELS; ++p) src[p * 4 + 3] = (float)out[(p * 13 + rep) % (PIXELS * 4)];
  }
  return (i32)checksum;
}
