// gen_numerics_tables.js: computes numerics_tables.inc with V8's own wasm execution (Spec 4.3).
// Regenerate: node reference/tests/gen_numerics_tables.js > reference/tests/numerics_tables.inc
//
// One hand-assembled module holds one export per operator. Every float crosses the JS boundary as
// its integer bits (f32 as i32, f64 as i64/BigInt) and is reinterpreted inside wasm, so JS never
// touches a NaN. Rows record: exact bits for non-NaN results and for bit operations (abs, neg,
// copysign, reinterpret); for a NaN from an arithmetic operator, the class the spec requires
// (canonical when every NaN operand is canonical, else arithmetic), after checking V8's bits fall
// in it; traps by kind. V8 reports NaN and out-of-range truncation with one message ("float
// unrepresentable in integer range"); the row's kind is split by the operand (NaN: invalid
// conversion, otherwise integer overflow), as the spec does.
'use strict';

// ---- Operators --------------------------------------------------------------------------------
// [name, opcode bytes, param types, result type, kind]; kind: 'arith' (NaN results get a class),
// 'bits' (exact bits always), 'int' (integer result, may trap).
const I32 = 0x7f, I64 = 0x7e, F32 = 0x7d, F64 = 0x7c;
const OPS = [];
function op(name, code, params, result, kind) { OPS.push({name, code, params, result, kind}); }

for (const [w, base, T] of [['f32', 0x5b, F32], ['f64', 0x61, F64]]) {
  ['eq', 'ne', 'lt', 'gt', 'le', 'ge'].forEach((n, i) =>
    op(`${w}.${n}`, [base + i], [T, T], I32, 'int'));
}
for (const [w, base, T] of [['f32', 0x8b, F32], ['f64', 0x99, F64]]) {
  const names = ['abs', 'neg', 'ceil', 'floor', 'trunc', 'nearest', 'sqrt',
                 'add', 'sub', 'mul', 'div', 'min', 'max', 'copysign'];
  names.forEach((n, i) => {
    const binary = i >= 7;
    const kind = (n === 'abs' || n === 'neg' || n === 'copysign') ? 'bits' : 'arith';
    op(`${w}.${n}`, [base + i], binary ? [T, T] : [T], T, kind);
  });
}
for (const [w, T, b] of [['i32', I32, 0x67], ['i64', I64, 0x79]]) {
  ['clz', 'ctz', 'popcnt'].forEach((n, i) => op(`${w}.${n}`, [b + i], [T], T, 'int'));
  // div_s div_u rem_s rem_u at +6..+9, shl shr_s shr_u rotl rotr at +13..+17
  ['div_s', 'div_u', 'rem_s', 'rem_u'].forEach((n, i) =>
    op(`${w}.${n}`, [b + 6 + i], [T, T], T, 'int'));
  ['shl', 'shr_s', 'shr_u', 'rotl', 'rotr'].forEach((n, i) =>
    op(`${w}.${n}`, [b + 13 + i], [T, T], T, 'int'));
}
op('i32.extend8_s', [0xc0], [I32], I32, 'int');
op('i32.extend16_s', [0xc1], [I32], I32, 'int');
op('i64.extend8_s', [0xc2], [I64], I64, 'int');
op('i64.extend16_s', [0xc3], [I64], I64, 'int');
op('i64.extend32_s', [0xc4], [I64], I64, 'int');

const TRUNCS = [  // name suffix, opcode, sat opcode, from, to
  ['i32.trunc_f32_s', 0xa8, 0, F32, I32], ['i32.trunc_f32_u', 0xa9, 1, F32, I32],
  ['i32.trunc_f64_s', 0xaa, 2, F64, I32], ['i32.trunc_f64_u', 0xab, 3, F64, I32],
  ['i64.trunc_f32_s', 0xae, 4, F32, I64], ['i64.trunc_f32_u', 0xaf, 5, F32, I64],
  ['i64.trunc_f64_s', 0xb0, 6, F64, I64], ['i64.trunc_f64_u', 0xb1, 7, F64, I64],
];
for (const [n, code, sat, from, to] of TRUNCS) {
  op(n, [code], [from], to, 'int');
  op(n.replace('trunc_', 'trunc_sat_'), [0xfc, sat], [from], to, 'int');
}
op('f32.convert_i32_s', [0xb2], [I32], F32, 'arith');
op('f32.convert_i32_u', [0xb3], [I32], F32, 'arith');
op('f32.convert_i64_s', [0xb4], [I64], F32, 'arith');
op('f32.convert_i64_u', [0xb5], [I64], F32, 'arith');
op('f32.demote_f64', [0xb6], [F64], F32, 'arith');
op('f64.convert_i32_s', [0xb7], [I32], F64, 'arith');
op('f64.convert_i32_u', [0xb8], [I32], F64, 'arith');
op('f64.convert_i64_s', [0xb9], [I64], F64, 'arith');
op('f64.convert_i64_u', [0xba], [I64], F64, 'arith');
op('f64.promote_f32', [0xbb], [F32], F64, 'arith');
op('i32.reinterpret_f32', [0xbc], [F32], I32, 'bits');
op('i64.reinterpret_f64', [0xbd], [F64], I64, 'bits');
op('f32.reinterpret_i32', [0xbe], [I32], F32, 'bits');
op('f64.reinterpret_i64', [0xbf], [I64], F64, 'bits');

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
const carrier = (t) => (t === F32 ? I32 : t === F64 ? I64 : t);

function buildModule() {
  const types = [], typeIndex = new Map(), funcs = [], bodies = [];
  for (const o of OPS) {
    const sig = [0x60, ...vec(o.params.map(carrier)), ...vec([carrier(o.result)])];
    const key = sig.join(',');
    if (!typeIndex.has(key)) { typeIndex.set(key, types.length); types.push(sig); }
    funcs.push(uleb(typeIndex.get(key)));
    const code = [];
    o.params.forEach((t, i) => {
      code.push(0x20, ...uleb(i));                    // local.get i
      if (t === F32) code.push(0xbe);                 // f32.reinterpret_i32
      if (t === F64) code.push(0xbf);                 // f64.reinterpret_i64
    });
    code.push(...o.code);
    if (o.result === F32) code.push(0xbc);            // i32.reinterpret_f32
    if (o.result === F64) code.push(0xbd);            // i64.reinterpret_f64
    code.push(0x0b);
    const body = [0x00, ...code];                     // no locals
    bodies.push([...uleb(body.length), ...body]);
  }
  const exports = OPS.map((o, i) => [...str(o.name), 0x00, ...uleb(i)]);
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vec(types)), ...section(3, vec(funcs)),
    ...section(7, vec(exports)), ...section(10, vec(bodies)),
  ]);
}

// ---- Bits helpers (all bit patterns are BigInt) ----------------------------------------------
const M32 = (1n << 32n) - 1n, M64 = (1n << 64n) - 1n;
const dv = new DataView(new ArrayBuffer(8));
function f64bits(x) { dv.setFloat64(0, x); return dv.getBigUint64(0); }
function f32bits(x) { dv.setFloat32(0, x); return BigInt(dv.getUint32(0)); }
const isNaN32 = (b) => (b & 0x7fffffffn) > 0x7f800000n;
const isNaN64 = (b) => (b & 0x7fffffffffffffffn) > 0x7ff0000000000000n;
const isCanon32 = (b) => (b & 0x7fffffffn) === 0x7fc00000n;
const isCanon64 = (b) => (b & 0x7fffffffffffffffn) === 0x7ff8000000000000n;
const isArith32 = (b) => (b & 0x7fc00000n) === 0x7fc00000n;
const isArith64 = (b) => (b & 0x7ff8000000000000n) === 0x7ff8000000000000n;

// ---- Inputs -----------------------------------------------------------------------------------
let seed = 0x2545f4914f6cdd1dn;
function rand64() {  // xorshift64*, deterministic
  seed ^= seed >> 12n; seed ^= (seed << 25n) & M64; seed ^= seed >> 27n;
  return (seed * 0x2545f4914f6cdd1dn) & M64;
}
const neg32 = (b) => b ^ 0x80000000n, neg64 = (b) => b ^ 0x8000000000000000n;
const both32 = (list) => list.flatMap((b) => [b, neg32(b)]);
const both64 = (list) => list.flatMap((b) => [b, neg64(b)]);
const uniq = (list) => [...new Set(list)];

// Special values shared by every f32 table.
const F32_SPECIAL = uniq([
  ...both32([0n, 0x7f800000n, 0x7fc00000n, 0x7fc12345n, 0x7fffffffn, 0x7f800001n, 0x7fa00000n,
             0x00000001n, 0x007fffffn, 0x00800000n, 0x7f7fffffn]),
  ...both32([1, 0.5, 1.5, 2.5, 3.5, 0.25, 0.75, 4.5, 5.5, 2, 3].map(f32bits)),
  ...both32([0x3effffffn, 0x3f000001n, 0x3f7fffffn, 0x3f800001n, 0x3fbfffffn, 0x3fc00001n]),
]);
// Large values: rounding ranges (2^23, 2^24, 2^52, 2^53) and truncation edges (2^31 .. 2^64).
const POWERS = [2 ** 23, 2 ** 24, 2 ** 52, 2 ** 53, 2 ** 31, 2 ** 32, 2 ** 63, 2 ** 64];
const F32_LARGE = uniq(both32(POWERS.map(f32bits).flatMap((b) => [b - 1n, b, b + 1n])
  .concat([f32bits(2 ** 23 - 0.5), f32bits(2 ** 23 + 1), f32bits(2 ** 22 + 0.5),
           f32bits(2 ** 22 + 1.5), f32bits(2147483520), f32bits(4294967040)])));
const F32_RANDOM = Array.from({length: 24}, () => rand64() & M32);

const F64_SPECIAL = uniq([
  ...both64([0n, 0x7ff0000000000000n, 0x7ff8000000000000n, 0x7ff8000000012345n,
             0x7fffffffffffffffn, 0x7ff0000000000001n, 0x7ff4000000000000n,
             0x0000000000000001n, 0x000fffffffffffffn, 0x0010000000000000n,
             0x7fefffffffffffffn]),
  ...both64([1, 0.5, 1.5, 2.5, 3.5, 0.25, 0.75, 4.5, 5.5, 2, 3].map(f64bits)),
  ...both64([0.49999999999999994, 0.5000000000000001, 0.9999999999999999,
             1.0000000000000002].map(f64bits)),
]);
const F64_LARGE = uniq(both64(POWERS.map(f64bits).flatMap((b) => [b - 1n, b, b + 1n])
  .concat([2 ** 52 - 0.5, 2 ** 52 + 1, 2 ** 51 + 0.5, 2 ** 51 + 1.5, 2147483647, 2147483647.5,
           2147483648.5, 2147483649, 4294967295, 4294967295.5, 4294967296.5,
           2 ** 31 - 0.5, 2 ** 32 - 0.5].map(f64bits))));
// Demotion edges: f32 range limits, rounding ties in the significand and at the subnormals.
const F64_DEMOTE = uniq(both64([
  f64bits(3.4028234663852886e38), f64bits(2 ** 128 - 2 ** 104), f64bits(2 ** 128 - 2 ** 103),
  f64bits(2 ** 128 - 2 ** 103) - 1n, f64bits(2 ** 128 - 2 ** 103) + 1n, f64bits(2 ** 128),
  f64bits(1e300), f64bits(1 + 2 ** -24), f64bits(1 + 3 * 2 ** -24), f64bits(1 + 2 ** -24) + 1n,
  f64bits(1 + 2 ** -24) - 1n, f64bits(2 ** -149), f64bits(2 ** -150), f64bits(2 ** -150) + 1n,
  f64bits(3 * 2 ** -150), f64bits(2 ** -126), f64bits(2 ** -126 - 2 ** -150), f64bits(1e-300),
  f64bits(0.1), f64bits(1 / 3), f64bits(Math.PI),
  0x7ff8000020000000n, 0x7ff0000020000000n, 0x7ff000001fffffffn,  // NaN payloads vs. demotion
]));
const F64_RANDOM = Array.from({length: 24}, () => rand64());

const I32_VALUES = uniq([
  0, 1, 2, 3, 7, 8, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x12345678,
  0x7fffffff, 0x80000000, 0x80000001, 0xffffffff, 0xfffffffe, 0xfffffff9, 0xffff8000,
  0xffffff80, 0xffffff7f, 0x01000001, 0x01000003, 0x00ffffff, 0x7fffffc0, 0x7fffff40,
  0x7fffffbf, 0x7fffffc1, 0x80000040, 0xfffffe01, 31, 32, 33, 63, 64, 65, 0x55555555,
].map(BigInt).concat(Array.from({length: 12}, () => rand64() & M32)));
const I64_VALUES = uniq([
  0n, 1n, 2n, 3n, 7n, 0x7fn, 0x80n, 0xffn, 0x7fffn, 0x8000n, 0xffffn, 0x7fffffffn, 0x80000000n,
  0xffffffffn, 0x100000000n, 0x7fffffffffffffffn, 0x8000000000000000n, 0x8000000000000001n,
  M64, M64 - 1n, M64 - 6n, 0xffffffff80000000n, 0xffffffff7fffffffn, 0xffffffffffff8000n,
  0xffffffffffffff80n, 0x123456789abcdef0n,
  0x8000008000000001n, 0x8000008000000000n, 0x8000018000000000n, 0x0000008000000001n,
  0x0020000000000001n, 0x0020000000000003n, 0x0020000000000002n, 0x0000000001000001n,
  0x7ffffffffffffdffn, 0x7ffffffffffffe00n, 0x7ffffffffffffe01n, 0xfffffffffffff800n,
  0xfffffffffffffbffn, 0xfffffffffffffc00n, 0xfffffffffffffc01n, 0xffffff8000000000n,
  0xffffff7fffffffffn, 0xffffff8000000001n, 0x7fffff8000000000n, 0x7fffffc000000000n,
  0x8000000000000400n, 0x8000000000000401n, 0xffffffffffffffc0n, 31n, 32n, 63n, 64n, 65n,
  127n, 128n, 0x5555555555555555n,
].concat(Array.from({length: 12}, () => rand64())));

const F32_ALL = uniq([...F32_SPECIAL, ...F32_LARGE, ...F32_RANDOM]);
const F64_ALL = uniq([...F64_SPECIAL, ...F64_LARGE, ...F64_DEMOTE, ...F64_RANDOM]);
// Binary float operators: a smaller cross product keeps the table in the low thousands per op.
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
const I32_PAIRS = uniq([0n, 1n, 2n, 3n, 7n, 31n, 32n, 33n, 64n, 0x7fffffffn, 0x80000000n,
                        0x80000001n, 0xffffffffn, 0xfffffffen, 0xfffffff9n, 0x12345678n]);
const I64_PAIRS = uniq([0n, 1n, 2n, 3n, 7n, 63n, 64n, 65n, 128n, 0x7fffffffffffffffn,
                        0x8000000000000000n, 0x8000000000000001n, M64, M64 - 1n, M64 - 6n,
                        0x80000000n, 0xffffffffn, 0x123456789abcdef0n]);

function inputsFor(o) {
  const [p0, p1] = o.params;
  if (o.params.length === 2) {
    const list = {[F32]: F32_PAIRS, [F64]: F64_PAIRS, [I32]: I32_PAIRS, [I64]: I64_PAIRS}[p0];
    let second = list;
    if (o.name.match(/sh|rot/)) second = uniq([...list, ...(p1 === I32 ? [0xffffffffn, 0xffffffe0n,
        96n, 0x80000000n] : [0xffffffffffffffffn, 0xffffffffffffffc0n, 192n, 0x100000000n])]);
    return list.flatMap((a) => second.map((b) => [a, b]));
  }
  return {[F32]: F32_ALL, [F64]: F64_ALL, [I32]: I32_VALUES, [I64]: I64_VALUES}[p0].map((a) => [a]);
}

// ---- Running and classifying ------------------------------------------------------------------
const TRAPS = new Map([
  ['divide by zero', 'IntegerDivideByZero'],
  ['remainder by zero', 'IntegerDivideByZero'],
  ['divide result unrepresentable', 'IntegerOverflow'],
]);
const FLOAT_UNREPRESENTABLE = 'float unrepresentable in integer range';

function toJs(t, bits) {
  return carrier(t) === I32 ? Number(bits & M32) | 0 : BigInt.asIntN(64, bits);
}
function fromJs(t, v) { return carrier(t) === I32 ? BigInt(v >>> 0) : BigInt.asUintN(64, v); }
const hex = (b) => '0x' + b.toString(16);

function classify(o, args, bits) {
  if (o.kind !== 'arith' || (o.result !== F32 && o.result !== F64)) return null;
  const nan = o.result === F32 ? isNaN32 : isNaN64;
  if (!nan(bits)) return null;
  // nans{z*}: canonical iff every NaN operand is canonical (Spec 4.3.3, "NaN propagation").
  const canonical = o.params.every((t, i) =>
    t === F32 ? !isNaN32(args[i]) || isCanon32(args[i])
    : t === F64 ? !isNaN64(args[i]) || isCanon64(args[i]) : true);
  const inCanon = o.result === F32 ? isCanon32(bits) : isCanon64(bits);
  const inArith = o.result === F32 ? isArith32(bits) : isArith64(bits);
  if (canonical ? !inCanon : !inArith) {
    throw new Error(`V8 result ${hex(bits)} of ${o.name}(${args.map(hex)}) is outside the spec's ` +
                    `${canonical ? 'canonical' : 'arithmetic'} NaN class`);
  }
  return canonical ? 'NUM_NAN_CANONICAL' : 'NUM_NAN_ARITHMETIC';
}

async function main() {
  const {instance} = await WebAssembly.instantiate(buildModule());
  const out = [];
  const counts = {};
  for (const o of OPS) {
    const fn = instance.exports[o.name];
    for (const args of inputsFor(o)) {
      const a = hex(args[0]), b = hex(args.length > 1 ? args[1] : 0n);
      let line;
      try {
        const bits = fromJs(o.result, fn(...args.map((x, i) => toJs(o.params[i], x))));
        const cls = classify(o, args, bits);
        line = cls ? `${cls}("${o.name}", ${a}, ${b})`
                   : `NUM_VALUE("${o.name}", ${a}, ${b}, ${hex(bits)})`;
      } catch (e) {
        if (!(e instanceof WebAssembly.RuntimeError)) throw e;
        let kind = TRAPS.get(e.message);
        if (e.message === FLOAT_UNREPRESENTABLE) {
          const nan = o.params[0] === F32 ? isNaN32(args[0]) : isNaN64(args[0]);
          kind = nan ? 'InvalidConversionToInteger' : 'IntegerOverflow';
        }
        if (!kind) throw new Error(`unmapped trap message: ${e.message}`);
        line = `NUM_TRAP("${o.name}", ${a}, ${b}, ${kind})`;
      }
      out.push(line + '\n');
      counts[o.name] = (counts[o.name] || 0) + 1;
    }
  }
  process.stdout.write(
      '// numerics_tables.inc: expected results of Spec 4.3 operators, computed by V8 (node ' +
      `${process.version}).\n` +
      '// Generated; regenerate: node reference/tests/gen_numerics_tables.js > ' +
      'reference/tests/numerics_tables.inc\n' +
      '// Rows: NUM_VALUE(op, a, b, bits) | NUM_NAN_CANONICAL(op, a, b) | ' +
      'NUM_NAN_ARITHMETIC(op, a, b)\n' +
      '//       | NUM_TRAP(op, a, b, TrapKind); operands and results as raw bits, ' +
      'b = 0 if unary.\n' +
      `// ${out.length} rows over ${OPS.length} operators.\n`);
  process.stdout.write(out.join(''));
  process.stderr.write(`${out.length} rows, ${OPS.length} operators\n` +
      Object.entries(counts).map(([k, v]) => `  ${k}: ${v}`).join('\n') + '\n');
}

main().catch((e) => { process.stderr.write(`${e.stack}\n`); process.exit(1); });
