// bench/crc32.c: table-driven CRC-32 (reflected, polynomial 0xEDB88320) over a random buffer.
// Benchmark kernel (DESIGN.md "Measures that matter"); exports `run` -> i32 checksum.
#include "kernel.h"

#define BUF_SIZE (64 * 1024)
#define REPS (100 * BENCH_SCALE)

static u32 table[256];
static u8 buffer[BUF_SIZE];

static void BuildTable(void) {
  for (u32 n = 0; n < 256; ++n) {
    u32 c = n;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[n] = c;
  }
}

static u32 Crc32(u32 crc, const u8* data, u32 size) {
  crc = ~crc;
  for (u32 i = 0; i < size; ++i) crc = table[(crc ^ data[i]) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

i32 run(void) {
  BuildTable();
  u32 state = bench_seed;
  for (u32 i = 0; i < BUF_SIZE; ++i) buffer[i] = (u8)(XorShift32(&state) >> 24);
  u32 crc = 0;
  for (int rep = 0; rep < REPS; ++rep) {
    crc = Crc32(crc, buffer, BUF_SIZE);
    buffer[crc % BUF_SIZE] ^= (u8)crc;  // perturb so repeats differ
  }
  return (i32)crc;
}
