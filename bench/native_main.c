// bench/native_main.c: native driver for one benchmark kernel; calls `run` once and prints its
// checksum as `i32:N` or `i64:N` (the format of `tandem run --invoke`). DESIGN.md "Measures".
//
// build.sh compiles it with -DBENCH_RUN_I64=1 for kernels whose `run` returns i64.
#include <stdio.h>

#if BENCH_RUN_I64
long long run(void);
int main(void) {
  printf("i64:%lld\n", run());
  return 0;
}
#else
int run(void);
int main(void) {
  printf("i32:%d\n", run());
  return 0;
}
#endif
