// bench/nbody.c: gravitational n-body simulation in f64 (symplectic Euler steps).
// Benchmark kernel (DESIGN.md "Measures that matter"); `run` -> i64 of the final state's bits.
#include "kernel.h"

#define BODIES 8
#define STEPS (50000 * BENCH_SCALE)

static double pos[BODIES][3];
static double vel[BODIES][3];
static double mass[BODIES];

// A double in [0, 1) from 32 random bits.
static double Unit(u32* state) { return (double)XorShift32(state) * (1.0 / 4294967296.0); }

static u64 Bits(double d) {
  union {
    double d;
    u64 u;
  } cast;
  cast.d = d;
  return cast.u;
}

static void Step(double dt) {
  for (int i = 0; i < BODIES; ++i) {
    for (int j = i + 1; j < BODIES; ++j) {
      double dx = pos[i][0] - pos[j][0];
      double dy = pos[i][1] - pos[j][1];
      double dz = pos[i][2] - pos[j][2];
      double d2 = dx * dx + dy * dy + dz * dz + 0.01;  // softening keeps d2 away from 0
      double d = __builtin_sqrt(d2);
      double mag = dt / (d2 * d);
      double mi = mass[i] * mag;
      double mj = mass[j] * mag;
      vel[i][0] -= dx * mj;
      vel[i][1] -= dy * mj;
      vel[i][2] -= dz * mj;
      vel[j][0] += dx * mi;
      vel[j][1] += dy * mi;
      vel[j][2] += dz * mi;
    }
  }
  for (int i = 0; i < BODIES; ++i) {
    pos[i][0] += dt * vel[i][0];
    pos[i][1] += dt * vel[i][1];
    pos[i][2] += dt * vel[i][2];
  }
}

i64 run(void) {
  u32 state = bench_seed;
  for (int i = 0; i < BODIES; ++i) {
    mass[i] = 0.5 + Unit(&state);
    for (int k = 0; k < 3; ++k) {
      pos[i][k] = 10.0 * Unit(&state) - 5.0;
      vel[i][k] = 0.2 * Unit(&state) - 0.1;
    }
  }
  for (int s = 0; s < STEPS; ++s) Step(0.001);
  // Fold the exact bits of the final state: engines must agree bit for bit (no NaN arises).
  u64 checksum = 0;
  for (int i = 0; i < BODIES; ++i) {
    for (int k = 0; k < 3; ++k) {
      checksum = (checksum ^ Bits(pos[i][k])) * 0x100000001B3ull;
      checksum = (checksum ^ Bits(vel[i][k])) * 0x100000001B3ull;
    }
  }
  return (i64)checksum;
}
