// gen_simd_tables.js: computes simd_tables.inc with V8's own wasm SIMD execution (Spec 4.3, 4.4.3).
// Regenerate: node reference/tests/gen_simd_tables.js > reference/tests/simd_tables.inc
//
// One hand-assembled module holds one export per vector operator (one per immediate for lane
// and shuffle forms). Every v128 crosses the JS boundary as two i64 halves: the function builds
// it with i64x2.splat + i64x2.replace_lane 1 and returns it with two i64x2.extract_lane (a
// multi-value result), so JS never touches a float. Rows record exact bits, except that a NaN
// lane produced by a float arithmetic operator is recorded by the class the spec requires
// (canonical when every NaN operand lane feeding it is canonical, else arithmetic), after
// checking that V8's bits fall in it. abs, neg, pmin, pmax are bit selections: exact bits.
'use strict';

const I32 = 0x7f, I64 = 0x7e, V128 = 0x7b;
const M8 = 0xffn, M16 = 0xffffn, M32 = (1n << 32n) - 1n, M64 = (1n << 64n) - 1n;

// ---- Lane shapes and vector packing (all bit patterns are BigInt) -----------------------------
const SHAPES = {i8: 8, i16: 16, i32: 32, i64: 64, f32: 32, f64: 64};
const laneCount = (s) => 128 / SHAPES[s];
function pack(shape, lanes) {  // lanes: BigInt list of laneCount(shape) values -> [lo, hi]
  const w = BigInt(SHAPES[shape]), mask = (1n << w) - 1n;
  let v = 0n;
  lanes.forEach((x, i) => { v |= (x & mask) << (w * BigInt(i)); });
  return [v & M64, v >> 64n];
}
function lanesOf(shape, [lo, hi]) {
  const w = BigInt(SHAPES[shape]), mask = (1n << w) - 1n, v = lo | (hi << 64n);
  return Array.from({length: laneCount(shape)}, (_, i) => (v >> (w * BigInt(i))) & mask);
}
// Chunks a value list into vectors of the shape, starting at `offset` (wrapping around), so
// that rotated packings put every value into other lane positions too.
function vectors(shape, list, offsets = [0]) {
  const n = laneCount(shape), out = [];
  for (const off of offsets) {
    const rot = list.slice(off % list.length).concat(list.slice(0, off % list.length));
    for (let i = 0; i < rot.length; i += n) {
      out.push(pack(shape, Array.from({length: n}, (_, j) => rot[(i + j) % rot.length])));
    }
  }
  return out;
}
// All pairs (x, y) of the list, packed lane-wise into (a, b) vector pairs.
function pairVectors(shape, xs, ys = xs, offsets = [0]) {
  const as = [], bs = [];
  for (const x of xs) for (const y of ys) { as.push(x); bs.push(y); }
  const va = vectors(shape, as, offsets), vb = vectors(shape, bs, offsets);
  return va.map((a, i) => [a, vb[i]]);
}

// ---- Deterministic randomness -----------------------------------------------------------------
let seed = 0x9e3779b97f4a7c15n;
function rand64() {  // xorshift64*
  seed ^= seed >> 12n; seed ^= (seed << 25n) & M64; seed ^= seed >> 27n;
  return (seed * 0x2545f4914f6cdd1dn) & M64;
}
const randVec = () => [rand64(), rand64()];
const uniq = (list) => [...new Set(list)];

// ---- Float values -----------------------------------------------------------------------------
const dv = new DataView(new ArrayBuffer(8));
function f64bits(x) { dv.setFloat64(0, x); return dv.getBigUint64(0); }
function f32bits(x) { dv.setFloat32(0, x); return BigInt(dv.getUint32(0)); }
const isNaN32 = (b) => (b & 0x7fffffffn) > 0x7f800000n;
const isNaN64 = (b) => (b & 0x7fffffffffffffffn) > 0x7ff0000000000000n;
const isCanon32 = (b) => (b & 0x7fffffffn) === 0x7fc00000n;
const isCanon64 = (b) => (b & 0x7fffffffffffffffn) === 0x7ff8000000000000n;
const isArith32 = (b) => (b & 0x7fc00000n) === 0x7fc00000n;
const isArith64 = (b) => (b & 0x7ff8000000000000n) === 0x7ff8000000000000n;
const FLOAT = {
  f32: {isNaN: isNaN32, isCanon: isCanon32, isArith: isArith32},
  f64: {isNaN: isNaN64, isCanon: isCanon64, isArith: isArith64},
};
const both32 = (list) => list.flatMap((b) => [b, b ^ 0x80000000n]);
const both64 = (list) => list.flatMap((b) => [b, b ^ 0x8000000000000000n]);

// NaNs (canonical, payload, signalling), zeros, infinities, subnormals, normal limits, ties.
const F32_SPECIAL = uniq([
  ...both32([0n, 0x7f800000n, 0x7fc00000n, 0x7fc12345n, 0x7fffffffn, 0x7f800001n, 0x7fa00000n,
             0x00000001n, 0x007fffffn, 0x00800000n, 0x7f7fffffn]),
  ...both32([1, 0.5, 1.5, 2.5, 3.5, 0.25, 0.75, 4.5, 5.5, 2, 3, 0.1, 1 / 3].map(f32bits)),
  ...both32([0x3effffffn, 0x3f000001n, 0x3f7fffffn, 0x3f800001n, 0x3fbfffffn, 0x3fc00001n]),
]);
// Rounding ranges (2^23, 2^24) and trunc_sat edges (2^31, 2^32, 2^63, -1) with their ulps.
const POWERS = [2 ** 23, 2 ** 24, 2 ** 31, 2 ** 32, 2 ** 63, 1];
const F32_LARGE = uniq(both32(POWERS.map(f32bits).flatMap((b) => [b - 1n, b, b + 1n])
  .concat([f32bits(2 ** 23 - 0.5), f32bits(2 ** 23 + 1), f32bits(2 ** 22 + 0.5),
           f32bits(2 ** 22 + 1.5), f32bits(2147483520), f32bits(4294967040)])));
const F32_ALL = uniq([...F32_SPECIAL, ...F32_LARGE,
                      ...Array.from({length: 16}, () => rand64() & M32)]);

const F64_SPECIAL = uniq([
  ...both64([0n, 0x7ff0000000000000n, 0x7ff8000000000000n, 0x7ff8000000012345n,
             0x7fffffffffffffffn, 0x7ff0000000000001n, 0x7ff4000000000000n,
             0x0000000000000001n, 0x000fffffffffffffn, 0x0010000000000000n,
             0x7fefffffffffffffn]),
  ...both64([1, 0.5, 1.5, 2.5, 3.5, 0.25, 0.75, 4.5, 5.5, 2, 3, 0.1, 1 / 3].map(f64bits)),
  ...both64([0.49999999999999994, 0.5000000000000001, 0.9999999999999999,
             1.0000000000000002].map(f64bits)),
]);
const F64_LARGE = uniq(both64([2 ** 52, 2 ** 53, 2 ** 31, 2 ** 32, 2 ** 63].map(f64bits)
  .flatMap((b) => [b - 1n, b, b + 1n])
  .concat([2 ** 52 - 0.5, 2 ** 52 + 1, 2 ** 51 + 0.5, 2 ** 51 + 1.5, 2147483647, 2147483647.5,
           2147483648.5, 2147483649, 2147483648.9999998, 4294967295, 4294967295.5,
           4294967296.5, 2 ** 31 - 0.5, 2 ** 32 - 0.5, 1.9999999999999998].map(f64bits))));
// Demotion edges: f32 range limits, rounding ties in the significand and at the subnormals,
// NaN payloads that lose their low bits.
const F64_DEMOTE = uniq(both64([
  f64bits(3.4028234663852886e38), f64bits(2 ** 128 - 2 ** 104), f64bits(2 ** 128 - 2 ** 103),
  f64bits(2 ** 128 - 2 ** 103) - 1n, f64bits(2 ** 128 - 2 ** 103) + 1n, f64bits(2 ** 128),
  f64bits(1e300), f64bits(1 + 2 ** -24), f64bits(1 + 3 * 2 ** -24), f64bits(1 + 2 ** -24) + 1n,
  f64bits(1 + 2 ** -24) - 1n, f64bits(2 ** -149), f64bits(2 ** -150), f64bits(2 ** -150) + 1n,
  f64bits(3 * 2 ** -150), f64bits(2 ** -126), f64bits(2 ** -126 - 2 ** -150), f64bits(1e-300),
  f64bits(Math.PI), 0x7ff8000020000000n, 0x7ff0000020000000n, 0x7ff000001fffffffn,
]));
const F64_ALL = uniq([...F64_SPECIAL, ...F64_LARGE, ...F64_DEMOTE,
                      ...Array.from({length: 16}, () => rand64())]);

// Binary float operators: the cross product of a smaller set.
const F32_PAIRS = uniq([
  ...both32([0n, 0x7f800000n, 0x7fc00000n, 0x7fc12345n, 0x7f800001n, 0x00000001n, 0x00800000n,
             0x7f7fffffn]),
  ...both32([1, 0.5, 1.5, 3].map(f32bits)), f32bits(2 ** 24), f32bits(2 ** 24 + 2),
]);
const F64_PAIRS = uniq([
  ...both64([0n, 0x7ff0000000000000n, 0x7ff8000000000000n, 0x7ff8000000012345n,
             0x7ff0000000000001n, 0x0000000000000001n, 0x0010000000000000n,
             0x7fefffffffffffffn]),
  ...both64([1, 0.5, 1.5, 3].map(f64bits)), f64bits(2 ** 53), f64bits(2 ** 53 + 2),
]);

// ---- Integer values: lane boundaries (0, +-1, INT_MIN/MAX, 0x80.., unsigned max) ---------------
const INT = {
  i8: [0n, 1n, 2n, 0x0fn, 0x10n, 0x3fn, 0x40n, 0x55n, 0x7en, 0x7fn, 0x80n, 0x81n, 0xaan, 0xc0n,
       0xfen, 0xffn],
  i16: [0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x100n, 0x3fffn, 0x4000n, 0x7ffen, 0x7fffn, 0x8000n,
        0x8001n, 0xc000n, 0xff7fn, 0xff80n, 0xfffen, 0xffffn, 0x1234n, 0xabcdn],
  i32: [0n, 1n, 2n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x10000n, 0x7ffffffen,
        0x7fffffffn, 0x80000000n, 0x80000001n, 0xffff7fffn, 0xffff8000n, 0xfffffffen,
        0xffffffffn, 0x12345678n, 0xdeadbeefn],
  i64: [0n, 1n, 2n, 0x7fffffffn, 0x80000000n, 0xffffffffn, 0x100000000n, 0x7ffffffffffffffen,
        0x7fffffffffffffffn, 0x8000000000000000n, 0x8000000000000001n, 0xfffffffffffffffen,
        M64, 0xffffffff80000000n, 0x123456789abcdef0n, 0xfedcba9876543210n],
};
// Integer -> float conversion inputs: rounding boundaries of f32 (24-bit significand).
const I32_CONVERT = uniq([
  ...INT.i32, 3n, 7n, 0x01000001n, 0x01000003n, 0x00ffffffn, 0x01000000n, 0x7fffffc0n,
  0x7fffff40n, 0x7fffffbfn, 0x7fffffc1n, 0x80000040n, 0x80000041n, 0xfffffe01n, 0xfeffffffn,
  0xff000001n, 0xffffff81n, ...Array.from({length: 12}, () => rand64() & M32)]);

// ---- Operators --------------------------------------------------------------------------------
// sig: 'v' (v128 -> v128), 'vv', 'vvv', 'shift' (v128 i32 -> v128), 'splat' (scalar -> v128),
// 'extract' (v128 -> scalar, lane immediate), 'replace' (v128 scalar -> v128, lane immediate),
// 'shuffle' (v128 v128 -> v128, 16 lane immediates), 'test' (v128 -> i32).
// arith: {out, in} float shapes for operators whose NaN lanes are classified.
const OPS = [];
function op(name, code, sig, extra = {}) { OPS.push({name, code, sig, ...extra}); }

const shapeOf = (name) => name.slice(0, name.indexOf('x')).replace('v128', 'i64');
// Opcodes are the LEB-encoded u32 after the 0xfd prefix (Spec 5.4.8).
op('i8x16.shuffle', 13, 'shuffle');
op('i8x16.swizzle', 14, 'vv', {inputs: 'swizzle'});
[['i8x16', 15, I32], ['i16x8', 16, I32], ['i32x4', 17, I32], ['i64x2', 18, I64],
 ['f32x4', 19, I32], ['f64x2', 20, I64]].forEach(([s, c, t]) =>
  op(`${s}.splat`, c, 'splat', {scalar: t}));
op('i8x16.extract_lane_s', 21, 'extract', {scalar: I32});
op('i8x16.extract_lane_u', 22, 'extract', {scalar: I32});
op('i8x16.replace_lane', 23, 'replace', {scalar: I32});
op('i16x8.extract_lane_s', 24, 'extract', {scalar: I32});
op('i16x8.extract_lane_u', 25, 'extract', {scalar: I32});
op('i16x8.replace_lane', 26, 'replace', {scalar: I32});
op('i32x4.extract_lane', 27, 'extract', {scalar: I32});
op('i32x4.replace_lane', 28, 'replace', {scalar: I32});
op('i64x2.extract_lane', 29, 'extract', {scalar: I64});
op('i64x2.replace_lane', 30, 'replace', {scalar: I64});
op('f32x4.extract_lane', 31, 'extract', {scalar: I32});
op('f32x4.replace_lane', 32, 'replace', {scalar: I32});
op('f64x2.extract_lane', 33, 'extract', {scalar: I64});
op('f64x2.replace_lane', 34, 'replace', {scalar: I64});

const ICMP = ['eq', 'ne', 'lt_s', 'lt_u', 'gt_s', 'gt_u', 'le_s', 'le_u', 'ge_s', 'ge_u'];
ICMP.forEach((n, i) => op(`i8x16.${n}`, 35 + i, 'vv'));
ICMP.forEach((n, i) => op(`i16x8.${n}`, 45 + i, 'vv'));
ICMP.forEach((n, i) => op(`i32x4.${n}`, 55 + i, 'vv'));
['eq', 'ne', 'lt_s', 'gt_s', 'le_s', 'ge_s'].forEach((n, i) => op(`i64x2.${n}`, 214 + i, 'vv'));
const FCMP = ['eq', 'ne', 'lt', 'gt', 'le', 'ge'];
FCMP.forEach((n, i) => op(`f32x4.${n}`, 65 + i, 'vv'));
FCMP.forEach((n, i) => op(`f64x2.${n}`, 71 + i, 'vv'));

op('v128.not', 77, 'v');
op('v128.and', 78, 'vv');
op('v128.andnot', 79, 'vv');
op('v128.or', 80, 'vv');
op('v128.xor', 81, 'vv');
op('v128.bitselect', 82, 'vvv');
op('v128.any_true', 83, 'test');
op('f32x4.demote_f64x2_zero', 94, 'v', {arith: {out: 'f32', in: 'f64'}, inputs: 'f64'});
op('f64x2.promote_low_f32x4', 95, 'v', {arith: {out: 'f64', in: 'f32'}, inputs: 'f32'});

const INTOPS = {  // per shape: [name, opcode, sig, inputs]
  i8x16: [['abs', 96, 'v'], ['neg', 97, 'v'], ['popcnt', 98, 'v'], ['all_true', 99, 'test'],
          ['bitmask', 100, 'test'], ['narrow_i16x8_s', 101, 'vv', 'i16'],
          ['narrow_i16x8_u', 102, 'vv', 'i16'], ['shl', 107, 'shift'], ['shr_s', 108, 'shift'],
          ['shr_u', 109, 'shift'], ['add', 110, 'vv'], ['add_sat_s', 111, 'vv'],
          ['add_sat_u', 112, 'vv'], ['sub', 113, 'vv'], ['sub_sat_s', 114, 'vv'],
          ['sub_sat_u', 115, 'vv'], ['min_s', 118, 'vv'], ['min_u', 119, 'vv'],
          ['max_s', 120, 'vv'], ['max_u', 121, 'vv'], ['avgr_u', 123, 'vv']],
  i16x8: [['extadd_pairwise_i8x16_s', 124, 'v', 'i8'], ['extadd_pairwise_i8x16_u', 125, 'v', 'i8'],
          ['abs', 128, 'v'], ['neg', 129, 'v'], ['q15mulr_sat_s', 130, 'vv'],
          ['all_true', 131, 'test'], ['bitmask', 132, 'test'],
          ['narrow_i32x4_s', 133, 'vv', 'i32'], ['narrow_i32x4_u', 134, 'vv', 'i32'],
          ['extend_low_i8x16_s', 135, 'v', 'i8'], ['extend_high_i8x16_s', 136, 'v', 'i8'],
          ['extend_low_i8x16_u', 137, 'v', 'i8'], ['extend_high_i8x16_u', 138, 'v', 'i8'],
          ['shl', 139, 'shift'], ['shr_s', 140, 'shift'], ['shr_u', 141, 'shift'],
          ['add', 142, 'vv'], ['add_sat_s', 143, 'vv'], ['add_sat_u', 144, 'vv'],
          ['sub', 145, 'vv'], ['sub_sat_s', 146, 'vv'], ['sub_sat_u', 147, 'vv'],
          ['mul', 149, 'vv'], ['min_s', 150, 'vv'], ['min_u', 151, 'vv'], ['max_s', 152, 'vv'],
          ['max_u', 153, 'vv'], ['avgr_u', 155, 'vv'],
          ['extmul_low_i8x16_s', 156, 'vv', 'i8'], ['extmul_high_i8x16_s', 157, 'vv', 'i8'],
          ['extmul_low_i8x16_u', 158, 'vv', 'i8'], ['extmul_high_i8x16_u', 159, 'vv', 'i8']],
  i32x4: [['extadd_pairwise_i16x8_s', 126, 'v', 'i16'],
          ['extadd_pairwise_i16x8_u', 127, 'v', 'i16'], ['abs', 160, 'v'], ['neg', 161, 'v'],
          ['all_true', 163, 'test'], ['bitmask', 164, 'test'],
          ['extend_low_i16x8_s', 167, 'v', 'i16'], ['extend_high_i16x8_s', 168, 'v', 'i16'],
          ['extend_low_i16x8_u', 169, 'v', 'i16'], ['extend_high_i16x8_u', 170, 'v', 'i16'],
          ['shl', 171, 'shift'], ['shr_s', 172, 'shift'], ['shr_u', 173, 'shift'],
          ['add', 174, 'vv'], ['sub', 177, 'vv'], ['mul', 181, 'vv'], ['min_s', 182, 'vv'],
          ['min_u', 183, 'vv'], ['max_s', 184, 'vv'], ['max_u', 185, 'vv'],
          ['dot_i16x8_s', 186, 'vv', 'i16'],
          ['extmul_low_i16x8_s', 188, 'vv', 'i16'], ['extmul_high_i16x8_s', 189, 'vv', 'i16'],
          ['extmul_low_i16x8_u', 190, 'vv', 'i16'], ['extmul_high_i16x8_u', 191, 'vv', 'i16']],
  i64x2: [['abs', 192, 'v'], ['neg', 193, 'v'], ['all_true', 195, 'test'],
          ['bitmask', 196, 'test'], ['extend_low_i32x4_s', 199, 'v', 'i32'],
          ['extend_high_i32x4_s', 200, 'v', 'i32'], ['extend_low_i32x4_u', 201, 'v', 'i32'],
          ['extend_high_i32x4_u', 202, 'v', 'i32'], ['shl', 203, 'shift'],
          ['shr_s', 204, 'shift'], ['shr_u', 205, 'shift'], ['add', 206, 'vv'],
          ['sub', 209, 'vv'], ['mul', 213, 'vv'],
          ['extmul_low_i32x4_s', 220, 'vv', 'i32'], ['extmul_high_i32x4_s', 221, 'vv', 'i32'],
          ['extmul_low_i32x4_u', 222, 'vv', 'i32'], ['extmul_high_i32x4_u', 223, 'vv', 'i32']],
};
for (const [s, list] of Object.entries(INTOPS)) {
  for (const [n, c, sig, inputs] of list) op(`${s}.${n}`, c, sig, inputs ? {inputs} : {});
}

const FUN = ['ceil', 'floor', 'trunc', 'nearest'];
FUN.forEach((n, i) => op(`f32x4.${n}`, 103 + i, 'v', {arith: {out: 'f32', in: 'f32'}}));
[116, 117, 122, 148].forEach((c, i) =>
  op(`f64x2.${FUN[i]}`, c, 'v', {arith: {out: 'f64', in: 'f64'}}));
for (const [s, base] of [['f32x4', 224], ['f64x2', 236]]) {
  const f = s.slice(0, 3);
  op(`${s}.abs`, base, 'v');
  op(`${s}.neg`, base + 1, 'v');
  op(`${s}.sqrt`, base + 3, 'v', {arith: {out: f, in: f}});
  ['add', 'sub', 'mul', 'div', 'min', 'max'].forEach((n, i) =>
    op(`${s}.${n}`, base + 4 + i, 'vv', {arith: {out: f, in: f}}));
  op(`${s}.pmin`, base + 10, 'vv');
  op(`${s}.pmax`, base + 11, 'vv');
}
op('i32x4.trunc_sat_f32x4_s', 248, 'v', {inputs: 'f32'});
op('i32x4.trunc_sat_f32x4_u', 249, 'v', {inputs: 'f32'});
op('f32x4.convert_i32x4_s', 250, 'v', {arith: {out: 'f32', in: null}, inputs: 'convert'});
op('f32x4.convert_i32x4_u', 251, 'v', {arith: {out: 'f32', in: null}, inputs: 'convert'});
op('i32x4.trunc_sat_f64x2_s_zero', 252, 'v', {inputs: 'f64'});
op('i32x4.trunc_sat_f64x2_u_zero', 253, 'v', {inputs: 'f64'});
op('f64x2.convert_low_i32x4_s', 254, 'v', {arith: {out: 'f64', in: null}, inputs: 'convert'});
op('f64x2.convert_low_i32x4_u', 255, 'v', {arith: {out: 'f64', in: null}, inputs: 'convert'});

// ---- Immediates -------------------------------------------------------------------------------
const SHUFFLES = [
  [...Array(16).keys()], [...Array(16).keys()].map((i) => i + 16),
  [...Array(16).keys()].map((i) => 31 - i), [...Array(16).keys()].map((i) => 15 - i),
  [...Array(16).keys()].map((i) => (i % 2 ? 16 : 0) + (i >> 1)),
  [...Array(16).keys()].map((i) => (i % 2 ? 24 : 8) + (i >> 1)), Array(16).fill(0),
  Array(16).fill(31), Array(16).fill(17),
  ...Array.from({length: 8}, () => Array.from({length: 16}, () => Number(rand64() & 31n))),
];
// Expands each operator into its functions: one per immediate.
function variants(o) {
  if (o.sig === 'extract' || o.sig === 'replace') {
    return [...Array(laneCount(shapeOf(o.name))).keys()].map((l) => ({imm: l, bytes: [l]}));
  }
  if (o.sig === 'shuffle') return SHUFFLES.map((s, k) => ({imm: k, bytes: s, lanes: s}));
  return [{imm: 0, bytes: []}];
}

// ---- Module assembly --------------------------------------------------------------------------
function uleb(n) {
  const out = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}
const vec = (items) => [...uleb(items.length), ...items.flat()];
const str = (s) => vec([...Buffer.from(s, 'utf8')]);
const section = (id, body) => [id, ...uleb(body.length), ...body];
const simd = (code) => [0xfd, ...uleb(code)];

function signature(o) {  // [param types, result types]: each v128 operand is two i64
  switch (o.sig) {
    case 'v': return [[I64, I64], [I64, I64]];
    case 'vv': case 'shuffle': return [[I64, I64, I64, I64], [I64, I64]];
    case 'vvv': return [[I64, I64, I64, I64, I64, I64], [I64, I64]];
    case 'shift': return [[I64, I64, I32], [I64, I64]];
    case 'splat': return [[o.scalar], [I64, I64]];
    case 'extract': return [[I64, I64], [o.scalar]];
    case 'replace': return [[I64, I64, o.scalar], [I64, I64]];
    case 'test': return [[I64, I64], [I32]];
  }
  throw new Error(o.sig);
}

function buildModule(fns) {
  const types = [], typeIndex = new Map(), funcs = [], bodies = [];
  for (const f of fns) {
    const [params, results] = signature(f.op);
    const sig = [0x60, ...vec(params), ...vec(results)];
    const key = sig.join(',');
    if (!typeIndex.has(key)) { typeIndex.set(key, types.length); types.push(sig); }
    funcs.push(uleb(typeIndex.get(key)));
    const code = [];
    // f32/f64 scalars cross as i32/i64 bits: reinterpret on the way in and out.
    const isF = f.op.name.startsWith('f'), wide = f.op.scalar === I64;
    const scalarIn = () => (isF ? [wide ? 0xbf : 0xbe] : []);
    if (f.op.sig === 'splat') {
      code.push(0x20, 0, ...scalarIn());
    } else {
      const nv = {vv: 2, shuffle: 2, vvv: 3}[f.op.sig] || 1;
      for (let k = 0; k < nv; ++k) {  // v128 from (lo, hi): i64x2.splat lo; replace_lane 1 hi
        code.push(0x20, ...uleb(2 * k), ...simd(18), 0x20, ...uleb(2 * k + 1), ...simd(30), 1);
      }
      if (f.op.sig === 'shift' || f.op.sig === 'replace') {
        code.push(0x20, ...uleb(2 * nv), ...scalarIn());
      }
    }
    code.push(...simd(f.op.code), ...f.variant.bytes);
    if (f.op.sig === 'extract' && isF) code.push(wide ? 0xbd : 0xbc);
    const local = params.length;
    if (results.length === 2) {  // v128 result as (lo, hi)
      code.push(0x22, ...uleb(local), ...simd(29), 0, 0x20, ...uleb(local), ...simd(29), 1);
    }
    code.push(0x0b);
    const body = [...vec([[0x01, V128]]), ...code];  // one v128 local
    bodies.push([...uleb(body.length), ...body]);
  }
  const exports = fns.map((f, i) => [...str(f.exportName), 0x00, ...uleb(i)]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)), ...section(3, vec(funcs)),
    ...section(7, vec(exports)), ...section(10, vec(bodies)),
  ]);
}

// ---- Inputs per operator: a list of {a, b, c} -------------------------------------------------
const ZERO = [0n, 0n], ONES = [M64, M64];
const SHIFT_COUNTS = (bits) => uniq([0, 1, bits - 1, bits, bits + 1, 2 * bits - 1, 2 * bits, 31,
  32, 33, 63, 64, 65, 127, 128, 0x7fffffff, 0x80000000, 0xffffffff, 0xfffffff9].map(BigInt));
function floatList(shape) { return shape === 'f32' ? F32_ALL : F64_ALL; }

function inputsFor(o) {
  const shape = shapeOf(o.name);
  const intShape = {i8: 'i8', i16: 'i16', i32: 'i32', i64: 'i64', f32: 'i32', f64: 'i64'}[shape];
  const unary = (vs) => vs.map((a) => ({a}));
  const randoms = (n) => Array.from({length: n}, randVec);
  switch (o.sig) {
    case 'splat': {
      const xs = o.scalar === I32
          ? uniq([...INT.i32, 0x12345680n, 0xffffff7fn, 0x0001ff80n, 0x7fc00000n, 0xff800001n])
          : uniq([...INT.i64, 0x7ff8000000000001n, 0xfff0000000000001n]);
      return xs.map((x) => ({a: [x, 0n]}));
    }
    case 'extract':
      return [...randoms(3), ZERO, ONES, pack(intShape, INT[intShape].slice(-laneCount(intShape))),
              pack('i8', [...Array(16).keys()].map((i) => BigInt(0x80 + i)))].map((a) => ({a}));
    case 'replace': {
      const xs = o.scalar === I32 ? [0n, 0xffffffffn, 0x12345680n, 0x7fc00001n, 0x80n]
                                  : [0n, M64, 0x7ff0000000000001n, 0x8000000000000000n];
      return [ZERO, ONES, randVec()].flatMap((a) => xs.map((x) => ({a, b: [x, 0n]})));
    }
    case 'shuffle':
      return [[[0x0706050403020100n, 0x0f0e0d0c0b0a0908n], [0x1716151413121110n,
                0x1f1e1d1c1b1a1918n]], [randVec(), randVec()], [ONES, ZERO]].map(
          ([a, b]) => ({a, b}));
    case 'shift': {
      const bits = SHAPES[intShape];
      const vs = [...vectors(intShape, INT[intShape]), randVec()];
      return vs.flatMap((a) => SHIFT_COUNTS(bits).map((k) => ({a, b: [k, 0n]})));
    }
    case 'test': {
      const s = o.name.startsWith('v128') ? 'i8' : intShape, n = laneCount(s);
      const lanesWith = (v) => [...Array(n).keys()].map((i) =>
        pack(s, Array.from({length: n}, (_, j) => (j === i ? v : 1n))));
      const high = 1n << BigInt(SHAPES[s] - 1);
      const singles = [...Array(n).keys()].map((i) =>
        pack(s, Array.from({length: n}, (_, j) => (j === i ? high : 0n))));
      const extra = o.name.startsWith('v128')
          ? [[1n, 0n], [0n, 1n], [0n, 0x8000000000000000n]] : [];
      return unary([ZERO, ONES, ...lanesWith(0n), ...singles, ...extra,
                    ...vectors(s, INT[s]), ...randoms(6)]);
    }
    case 'vvv': {
      const vs = [ZERO, ONES, [0xff00ff00f0f0f0f0n, 0x00ff00ff0f0f0f0fn], ...randoms(3)];
      return vs.flatMap((a) => vs.flatMap((b) => [vs[2], ...randoms(1)].map((c) => ({a, b, c}))));
    }
  }
  // 'v' and 'vv'
  const inShape = o.inputs === 'f32' || o.inputs === 'f64' ? o.inputs
      : o.inputs === 'convert' ? 'i32' : o.inputs || (o.name.startsWith('v128') ? 'i64' : shape);
  if (o.inputs === 'swizzle') {
    const a = [0xf7e6d5c4b3a29180n, 0x7f6e5d4c3b2a1908n];
    const idx = [
      pack('i8', [...Array(16).keys()].map(BigInt)),
      pack('i8', [...Array(16).keys()].map((i) => BigInt(15 - i))),
      pack('i8', [16, 17, 31, 32, 0x7f, 0x80, 0xff, 15, 0, 0xf0, 0x10, 0x8f, 64, 1, 14, 0x0f]
        .map(BigInt)),
      ...randoms(4), ...randoms(4).map(([lo, hi]) => [lo & 0x1f1f1f1f1f1f1f1fn,
                                                       hi & 0x0f0f0f0f0f0f0f0fn]),
    ];
    return [a, randVec()].flatMap((va) => idx.map((b) => ({a: va, b})));
  }
  let list;
  if (inShape === 'f32' || inShape === 'f64') list = floatList(inShape);
  else if (o.inputs === 'convert') list = I32_CONVERT;
  else list = INT[inShape];
  if (o.sig === 'v') {
    const n = laneCount(inShape), offsets = [0, n / 2];
    const extra = inShape.startsWith('f') ? [] : randoms(4);
    return unary([...vectors(inShape, list, offsets), ...extra]);
  }
  // binary: the cross product of the pair set (floats) or of the lane values (integers)
  const pairs = inShape === 'f32' ? F32_PAIRS : inShape === 'f64' ? F64_PAIRS : list;
  // Widening operators read half of the lanes: a rotated packing puts every pair in both halves.
  const offsets = o.inputs && o.name.includes('ext') ? [0, laneCount(inShape) / 2] : [0];
  const v = pairVectors(inShape, pairs, pairs, offsets).map(([a, b]) => ({a, b}));
  if (o.name.startsWith('v128')) {
    return v.concat(randoms(6).map((a) => ({a, b: randVec()})));
  }
  if (!inShape.startsWith('f')) v.push(...randoms(4).map((a) => ({a, b: randVec()})));
  return v;
}

// ---- Running and classifying ------------------------------------------------------------------
const hex = (b) => '0x' + b.toString(16);

// Per-lane NaN classes of a float arithmetic result: bit 2i set = lane i must be a canonical NaN,
// bit 2i+1 = an arithmetic NaN. Throws when V8's bits are outside the class the spec requires.
function nanMask(o, input, r) {
  if (!o.arith) return 0;
  const out = o.arith.out, F = FLOAT[out];
  const rl = lanesOf(out, r);
  let mask = 0;
  rl.forEach((bits, i) => {
    if (!F.isNaN(bits)) return;
    if (!o.arith.in) throw new Error(`${o.name} made a NaN from integers`);
    const G = FLOAT[o.arith.in];
    const ops = [input.a, ...(o.sig === 'vv' ? [input.b] : [])];
    const feeding = ops.map((v) => lanesOf(o.arith.in, v)[i]);
    const canonical = feeding.every((x) => !G.isNaN(x) || G.isCanon(x));
    const ok = canonical ? F.isCanon(bits) : F.isArith(bits);
    if (!ok) {
      throw new Error(`V8 lane ${i} = ${hex(bits)} of ${o.name}(${ops.map((v) => v.map(hex))}) ` +
                      `is outside the spec's ${canonical ? 'canonical' : 'arithmetic'} NaN class`);
    }
    mask |= (canonical ? 1 : 2) << (2 * i);
  });
  return mask;
}

function call(fn, o, input) {
  const s64 = (x) => BigInt.asIntN(64, x);
  const args = [];
  if (o.sig === 'splat') {
    args.push(o.scalar === I32 ? Number(input.a[0] & M32) | 0 : s64(input.a[0]));
  } else {
    for (const v of [input.a, input.b, input.c]) {
      if (!v) continue;
      if (v === input.b && (o.sig === 'shift' || o.sig === 'replace')) {
        args.push(o.sig === 'replace' && o.scalar === I64 ? s64(v[0]) : Number(v[0] & M32) | 0);
      } else {
        args.push(s64(v[0]), s64(v[1]));
      }
    }
  }
  const res = fn(...args);
  if (Array.isArray(res)) return [BigInt.asUintN(64, res[0]), BigInt.asUintN(64, res[1])];
  return [typeof res === 'bigint' ? BigInt.asUintN(64, res) : BigInt(res >>> 0), 0n];
}

async function main() {
  const fns = [];
  for (const o of OPS) {
    for (const variant of variants(o)) {
      fns.push({op: o, variant, exportName: `${o.name}/${variant.imm}`});
    }
  }
  const {instance} = await WebAssembly.instantiate(buildModule(fns));
  const out = [];
  const counts = {};
  for (const f of fns) {
    const o = f.op, fn = instance.exports[f.exportName];
    for (const input of inputsFor(o)) {
      const a = input.a || ZERO, b = input.b || ZERO;
      const c = f.variant.lanes ? pack('i8', f.variant.lanes.map(BigInt)) : input.c || ZERO;
      const r = call(fn, o, input);
      const mask = nanMask(o, {a, b}, r);
      out.push(`SIMD_ROW("${o.name}", ${f.variant.imm}, ${[...a, ...b, ...c, ...r].map(hex)
        .join(', ')}, ${hex(BigInt(mask))})\n`);
      counts[o.name] = (counts[o.name] || 0) + 1;
    }
  }
  process.stdout.write(
      '// simd_tables.inc: expected results of the Wasm 2.0 vector operators, computed by V8 ' +
      `(node ${process.version}).\n` +
      '// Generated; regenerate: node reference/tests/gen_simd_tables.js > ' +
      'reference/tests/simd_tables.inc\n' +
      '// Rows: SIMD_ROW(op, imm, a.lo, a.hi, b.lo, b.hi, c.lo, c.hi, r.lo, r.hi, nan).\n' +
      '//   imm: lane index (extract/replace) or shuffle number; splat scalar in a.lo; shift\n' +
      '//   count and replace_lane value in b.lo; shuffle lanes in c (byte i = lane i);\n' +
      '//   scalar results in r.lo. nan: per result float lane i, bit 2i = canonical NaN,\n' +
      '//   bit 2i+1 = arithmetic NaN (r holds V8\'s bits there); other lanes are exact.\n' +
      `// ${out.length} rows over ${OPS.length} operators.\n`);
  process.stdout.write(out.join(''));
  process.stderr.write(`${out.length} rows, ${OPS.length} operators\n`);
  const nanRows = out.filter((l) => !l.endsWith(', 0x0)\n')).length;
  process.stderr.write(`  rows with a classified NaN lane: ${nanRows}\n`);
}

main().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); });
