// bench/quicksort.c: recursive quicksort (median of three, insertion sort below 16 elements) of
// a pseudo-random i32 array. Benchmark kernel (DESIGN.md "Measures that matter"); `run` -> i64.
#include "kernel.h"

#define COUNT (100 * 1000)
#define REPS (4 * BENCH_SCALE)

static i32 data[COUNT];

static void Swap(i32* x, i32* y) {
  i32 t = *x;
  *x = *y;
  *y = t;
}

static void InsertionSort(i32* v, int n) {
  for (int i = 1; i < n; ++i) {
    i32 key = v[i];
    int j = i - 1;
    while (j >= 0 && v[j] > key) {
      v[j + 1] = v[j];
      --j;
    }
    v[j + 1] = key;
  }
}

// Sorts v[0, n). Recurses on the smaller side so the depth stays O(log n).
static void QuickSort(i32* v, int n) {
  while (n > 16) {
    int mid = n / 2;
    if (v[mid] < v[0]) Swap(&v[mid], &v[0]);
    if (v[n - 1] < v[0]) Swap(&v[n - 1], &v[0]);
    if (v[n - 1] < v[mid]) Swap(&v[n - 1], &v[mid]);
    i32 pivot = v[mid];
    int i = 0;
    int j = n - 1;
    while (i <= j) {
      while (v[i] < pivot) ++i;
      while (v[j] > pivot) --j;
      if (i <= j) {
        Swap(&v[i], &v[j]);
        ++i;
        --j;
      }
    }
    // Now v[0, j] <= pivot <= v[i, n).
    if (j + 1 < n - i) {
      QuickSort(v, j + 1);
      v += i;
      n -= i;
    } else {
      QuickSort(v + i, n - i);
      n = j + 1;
    }
  }
  InsertionSort(v, n);
}

i64 run(void) {
  u32 state = bench_seed;
  u64 checksum = 0;
  for (int rep = 0; rep < REPS; ++rep) {
    for (int i = 0; i < COUNT; ++i) data[i] = (i32)XorShift32(&state);
    QuickSort(data, COUNT);
    u64 sum = 0;
    for (int i = 0; i < COUNT; ++i) {
      if (i > 0 && data[i - 1] > data[i]) return -1;  // not sorted: a wrong answer
      sum = sum * 0x100000001B3ull + (u32)data[i];
    }
    checksum ^= sum + (u64)rep;
  }
  return (i64)checksum;
}
