/* builtins.c: the compiler-rt builtins the wasm32 programs of bench/large/ need from wasi-libc
 * (its strtol multiplies in 128 bits). Debian ships them in libclang-rt-14-dev-wasm32, which
 * the project does not install; build.sh links with -nodefaultlibs and these instead. */
typedef unsigned long long u64;
typedef __int128 ti;
typedef unsigned __int128 tu;

/* 128-bit product, low 128 bits (wrapping): four 32x32 partial products of the halves. */
ti __multi3(ti a, ti b) {
  u64 al = (u64)a, ah = (u64)((tu)a >> 64), bl = (u64)b, bh = (u64)((tu)b >> 64);
  u64 a0 = al & 0xffffffffu, a1 = al >> 32, b0 = bl & 0xffffffffu, b1 = bl >> 32;
  u64 p00 = a0 * b0, p01 = a0 * b1, p10 = a1 * b0, p11 = a1 * b1;
  u64 mid = (p00 >> 32) + (p01 & 0xffffffffu) + (p10 & 0xffffffffu);
  u64 lo = (p00 & 0xffffffffu) | (mid << 32);
  u64 hi = p11 + (p01 >> 32) + (p10 >> 32) + (mid >> 32) + al * bh + ah * bl;
  return (ti)(((tu)hi << 64) | lo);
}
