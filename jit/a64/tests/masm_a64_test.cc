// masm_a64_test.cc: the AArch64 macro-assembler's operators against the reference interpreter
// at their edges (division overflow, truncation bounds, min/max zeros, rounding, conversions),
// as a table of (opcode, operands); each row is one tiny module run on ref and a64 (NaN-canonical,
// so results must match bit for bit). The vector operators likewise, each over a pool of edge
// operands. DESIGN.md "Code, not helpers"; STYLE.md 8.
#include <catch2/catch.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "diff/engine.h"
#include "diff/compare.h"
#include "reference/decoder.h"
#include "reference/module.h"
#include "reference/opcodes.h"
#include "reference/outcome.h"
#include "reference/validator.h"

namespace {

using namespace tandem;
using wasm::Value;

constexpr uint8_t kI32 = 0x7f, kI64 = 0x7e, kF32 = 0x7d, kF64 = 0x7c;

struct Row {
  std::vector<uint8_t> opcode;  // one byte, or 0xfc + LEB for the saturating truncations
  std::vector<uint8_t> params;  // value types
  uint8_t result;
  std::vector<Value> args;
};

// (func (export "f") (param ...) (result r) local.get 0 [local.get 1] OP)
std::shared_ptr<const wasm::Module> Build(const Row& r) {
  std::vector<uint8_t> type = {0x01, 0x60, static_cast<uint8_t>(r.params.size())};
  type.insert(type.end(), r.params.begin(), r.params.end());
  type.push_back(0x01);
  type.push_back(r.result);
  std::vector<uint8_t> body = {0x00};
  for (size_t i = 0; i < r.params.size(); ++i) {
    body.push_back(0x20);
    body.push_back(static_cast<uint8_t>(i));
  }
  body.insert(body.end(), r.opcode.begin(), r.opcode.end());
  body.push_back(0x0b);
  std::vector<uint8_t> m = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  auto section = [&](uint8_t id, const std::vector<uint8_t>& content) {
    m.push_back(id);
    m.push_back(static_cast<uint8_t>(content.size()));
    m.insert(m.end(), content.begin(), content.end());
  };
  section(0x01, type);
  section(0x03, {0x01, 0x00});
  section(0x07, {0x01, 0x01, 'f', 0x00, 0x00});
  std::vector<uint8_t> code = {0x01, static_cast<uint8_t>(body.size())};
  code.insert(code.end(), body.begin(), body.end());
  section(0x0a, code);
  auto mod = std::make_shared<wasm::Module>(wasm::Decode(m));
  wasm::Validate(*mod);
  return mod;
}

Value F32(float f) { return Value::F32(f); }
Value F64(double d) { return Value::F64(d); }
Value I32(int64_t v) { return Value::I32(static_cast<uint32_t>(v)); }
Value I64(int64_t v) { return Value::I64(static_cast<uint64_t>(v)); }

std::vector<Row> Rows() {
  std::vector<Row> rows;
  auto bin = [&](uint8_t op, uint8_t t, Value a, Value b) {
    rows.push_back({{op}, {t, t}, t, {a, b}});
  };
  auto cmp = [&](uint8_t op, uint8_t t, Value a, Value b) {
    rows.push_back({{op}, {t, t}, kI32, {a, b}});
  };
  auto un = [&](std::vector<uint8_t> op, uint8_t from, uint8_t to, Value a) {
    rows.push_back({op, {from}, to, {a}});
  };
  const int64_t i32min = INT32_MIN, i64min = INT64_MIN;
  // Division and remainder: traps and the INT_MIN / -1 corner.
  for (uint8_t op : {0x6d, 0x6e, 0x6f, 0x70}) {  // i32 div_s div_u rem_s rem_u
    bin(op, kI32, I32(i32min), I32(-1));
    bin(op, kI32, I32(7), I32(0));
    bin(op, kI32, I32(-7), I32(2));
    bin(op, kI32, I32(7), I32(-2));
  }
  for (uint8_t op : {0x7f, 0x80, 0x81, 0x82}) {  // i64 div_s div_u rem_s rem_u
    bin(op, kI64, I64(i64min), I64(-1));
    bin(op, kI64, I64(7), I64(0));
    bin(op, kI64, I64(-7), I64(2));
  }
  // Shifts and rotations modulo the width.
  for (uint8_t op : {0x74, 0x75, 0x76, 0x77, 0x78}) {
    bin(op, kI32, I32(0x80000001), I32(33));
    bin(op, kI32, I32(0x80000001), I32(-1));
  }
  for (uint8_t op : {0x86, 0x87, 0x88, 0x89, 0x8a}) bin(op, kI64, I64(i64min + 1), I64(65));
  // clz, ctz, popcnt.
  for (uint8_t op : {0x67, 0x68, 0x69}) {
    un({op}, kI32, kI32, I32(0));
    un({op}, kI32, kI32, I32(0x00f00000));
  }
  for (uint8_t op : {0x79, 0x7a, 0x7b}) {
    un({op}, kI64, kI64, I64(0));
    un({op}, kI64, kI64, I64(i64min + 0xf0));
  }
  // Comparisons, signed and unsigned, including the i32.lt_s of the fault test.
  for (uint8_t op = 0x46; op <= 0x4f; ++op) {
    cmp(op, kI32, I32(-1), I32(1));
    cmp(op, kI32, I32(5), I32(5));
  }
  for (uint8_t op = 0x5b; op <= 0x60; ++op) {  // f32 eq..ge, NaN unordered
    cmp(op, kF32, F32(NAN), F32(1.0f));
    cmp(op, kF32, F32(-0.0f), F32(0.0f));
  }
  // min/max: signed zeros and NaN.
  for (uint8_t op : {0x96, 0x97}) {
    bin(op, kF32, F32(-0.0f), F32(0.0f));
    bin(op, kF32, F32(0.0f), F32(-0.0f));
    bin(op, kF32, F32(NAN), F32(1.0f));
  }
  for (uint8_t op : {0xa4, 0xa5}) {
    bin(op, kF64, F64(0.0), F64(-0.0));
    bin(op, kF64, F64(1.0), F64(NAN));
  }
  // Rounding: nearest is ties-to-even; ceil/floor/trunc keep the sign of zero.
  for (uint8_t op : {0x8d, 0x8e, 0x8f, 0x90}) {
    un({op}, kF32, kF32, F32(-0.5f));
    un({op}, kF32, kF32, F32(2.5f));
  }
  for (uint8_t op : {0x9b, 0x9c, 0x9d, 0x9e}) un({op}, kF64, kF64, F64(-1.5));
  // Trapping truncations at both ends of every range (and NaN).
  const std::vector<float> f32s = {2147483520.0f, 2147483648.0f, -2147483648.0f, -2147483904.0f,
                                   4294967040.0f, 4294967296.0f, -0.99f,         -1.0f,
                                   9223371487098961920.0f,        9223372036854775808.0f,
                                   -9223372036854775808.0f,       18446742974197923840.0f,
                                   18446744073709551616.0f,       NAN};
  const std::vector<double> f64s = {2147483647.9,         2147483648.0,         -2147483648.9,
                                    -2147483649.0,        4294967295.9,         4294967296.0,
                                    -0.99,                -1.0,
                                    9223372036854774784.0, 9223372036854775808.0,
                                    -9223372036854775808.0, -9223372036854777856.0,
                                    18446744073709549568.0, 18446744073709551616.0,
                                    NAN};
  for (float f : f32s) {
    for (uint8_t op : {0xa8, 0xa9}) un({op}, kF32, kI32, F32(f));  // i32.trunc_f32_s/u
    for (uint8_t op : {0xae, 0xaf}) un({op}, kF32, kI64, F32(f));  // i64.trunc_f32_s/u
    for (uint8_t sub : {0, 1}) un({0xfc, sub}, kF32, kI32, F32(f));
    for (uint8_t sub : {4, 5}) un({0xfc, sub}, kF32, kI64, F32(f));
  }
  for (double d : f64s) {
    for (uint8_t op : {0xaa, 0xab}) un({op}, kF64, kI32, F64(d));
    for (uint8_t op : {0xb0, 0xb1}) un({op}, kF64, kI64, F64(d));
    for (uint8_t sub : {2, 3}) un({0xfc, sub}, kF64, kI32, F64(d));
    for (uint8_t sub : {6, 7}) un({0xfc, sub}, kF64, kI64, F64(d));
  }
  // Integer to float, correctly rounded (u64 -> f32 is the classic double-rounding trap).
  for (int64_t v : {int64_t{-1}, i64min + 1, int64_t{0x7fffff4000000001}, int64_t{1} << 53 | 1}) {
    for (uint8_t op : {0xb4, 0xb5}) un({op}, kI64, kF32, I64(v));  // f32.convert_i64_s/u
    for (uint8_t op : {0xb9, 0xba}) un({op}, kI64, kF64, I64(v));  // f64.convert_i64_s/u
  }
  for (int64_t v : {int64_t{-1}, int64_t{0x7fffffc1}}) {
    for (uint8_t op : {0xb2, 0xb3}) un({op}, kI32, kF32, I32(v));
  }
  // Sign extensions.
  for (uint8_t op : {0xc0, 0xc1}) un({op}, kI32, kI32, I32(0x8080));
  for (uint8_t op : {0xc2, 0xc3, 0xc4}) un({op}, kI64, kI64, I64(0x80008080));
  return rows;
}

TEST_CASE("a64 operators match the reference at their edges", "[jit][a64]") {
  diff::EngineConfig config;
  config.nan_canonical = true;
  config.strict = true;
  auto ref = diff::MakeEngine("ref", config);
  auto a64 = diff::MakeEngine("a64", config);
  REQUIRE(ref);
  REQUIRE(a64);
  int rows = 0;
  for (const Row& r : Rows()) {
    auto m = Build(r);
    auto ir = ref->Instantiate(m);
    auto ia = a64->Instantiate(m);
    REQUIRE(ir.status == diff::InstantiateOutcome::Status::kOk);
    REQUIRE(ia.status == diff::InstantiateOutcome::Status::kOk);
    wasm::Outcome a = ref->Invoke(ir.instance, "f", r.args);
    wasm::Outcome b = a64->Invoke(ia.instance, "f", r.args);
    std::string what = "opcode byte " + std::to_string(r.opcode.back()) + ", first arg bits " +
                       std::to_string(r.args[0].bits) + ": ref " + wasm::ToString(a) + ", a64 " +
                       wasm::ToString(b);
    INFO(what);
    REQUIRE(a.kind == b.kind);
    if (a.kind == wasm::Outcome::Kind::kTrap) CHECK(a.trap == b.trap);
    if (a.kind == wasm::Outcome::Kind::kValues)
      CHECK(diff::SameValues(*ref, a.values, *a64, b.values));
    ++rows;
  }
  CHECK(rows > 300);
}

// ---- Vector operators ---------------------------------------------------------------------------

constexpr uint8_t kV128 = 0x7b;

Value V(uint64_t lo, uint64_t hi) { return Value{wasm::ValType::V128, lo, hi}; }

// Edge operands: NaNs with payloads (quiet and signalling, both signs), signed zeros, ties,
// denormals, infinities, conversion bounds, and the integer lanes' extremes.
const std::vector<Value>& VectorPool() {
  static const std::vector<Value> pool = {
      V(0x80000000'7fa00001, 0xbf000000'40200000),  // f32: qNaN payload, -0, 2.5, -0.5
      V(0x00000001'00000000, 0xcf000000'7f800000),  // f32: +0, denormal, inf, -2^31
      V(0x4f800000'ff800001, 0x3fc00000'4effffff),  // f32: -sNaN, 2^32, 1.5, 2^31 - 128
      V(0x7ff4000000000001, 0x8000000000000000),    // f64: sNaN payload, -0
      V(0x41efffffffe00000, 0xc1e0000000200000),    // f64: 2^32 - 1, -2^31 - 1
      V(0x7fefffffffffffff, 0x0000000000000001),    // f64: max, denormal
      V(0x3ff8000000000000, 0xfff8000000000000),    // f64: 1.5, -canonical NaN
      V(0x80ff7f0001fe8081, 0x00000000ffffffff),    // i8 edges
      V(0x8000800080008000, 0x7fff7fff00010002),    // i16 edges
      V(0x7fffffff80000000, 0xffffffff00000001),    // i32 edges
      V(0x8000000000000000, 0x7fffffffffffffff),    // i64 edges
      V(~uint64_t{0}, 0),
      V(0x0f1e2d3c4b5a6978, 0x1f11ff1000200310),  // selectors below and above 16
      V(0x123456789abcdef0, 0xfedcba9876543210),
  };
  return pool;
}

std::vector<Value> ScalarPool(wasm::ValType t) {
  switch (t) {
    case wasm::ValType::I32:
      return {I32(0), I32(1), I32(7), I32(8), I32(15), I32(16), I32(31), I32(32), I32(33),
              I32(63), I32(64), I32(65), I32(-1), I32(INT32_MIN), I32(INT32_MAX), I32(-128)};
    case wasm::ValType::I64:
      return {I64(0), I64(-1), I64(INT64_MIN), I64(INT64_MAX), I64(0x80)};
    case wasm::ValType::F32:
      return {Value::F32Bits(0xffa00001), F32(-0.0f), F32(1.5f), Value::F32Bits(0x7f800000)};
    case wasm::ValType::F64:
      return {Value::F64Bits(0x7ff4000000000001), F64(-0.0), F64(1.5)};
    default:
      return {};
  }
}

uint8_t TypeByte(wasm::ValType t) {
  switch (t) {
    case wasm::ValType::I32: return kI32;
    case wasm::ValType::I64: return kI64;
    case wasm::ValType::F32: return kF32;
    case wasm::ValType::F64: return kF64;
    default: return kV128;
  }
}

// The instruction's bytes: 0xfd, the LEB128 opcode, then its lane index or shuffle bytes.
std::vector<uint8_t> VectorInstr(wasm::Op op, const std::vector<uint8_t>& imm) {
  std::vector<uint8_t> b = {0xfd};
  uint32_t code = wasm::GetOpInfo(op).code;
  do {
    uint8_t byte = code & 0x7f;
    code >>= 7;
    b.push_back(code ? byte | 0x80 : byte);
  } while (code);
  b.insert(b.end(), imm.begin(), imm.end());
  return b;
}

TEST_CASE("a64 vector operators match the reference at their edges", "[jit][a64]") {
  diff::EngineConfig config;
  config.nan_canonical = true;
  config.strict = true;
  auto ref = diff::MakeEngine("ref", config);
  auto a64 = diff::MakeEngine("a64", config);
  REQUIRE(ref);
  REQUIRE(a64);
  const std::vector<std::vector<uint8_t>> shuffles = {
      {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
      {31, 30, 29, 28, 27, 26, 25, 24, 16, 17, 18, 19, 20, 21, 22, 23},
      {0, 16, 1, 17, 2, 18, 3, 19, 31, 15, 30, 14, 29, 13, 28, 12},
      {5, 5, 5, 5, 21, 21, 21, 21, 0, 31, 0, 31, 15, 16, 15, 16}};
  int ops = 0, calls = 0;
  for (int k = 0; k < wasm::kNumOps; ++k) {
    const auto op = static_cast<wasm::Op>(k);
    const wasm::OpInfo& info = wasm::GetOpInfo(op);
    if (info.prefix != 0xfd) continue;
    if (info.imm != wasm::ImmKind::None && info.imm != wasm::ImmKind::LaneIdx &&
        info.imm != wasm::ImmKind::Shuffle)
      continue;  // v128.const and the memory forms (the spec tests' and the fuzzer's)
    std::vector<wasm::ValType> params;
    for (wasm::SigType p : {info.p1, info.p2, info.p3})
      if (auto t = wasm::SigValType(p)) params.push_back(*t);
    const wasm::ValType result = *wasm::SigValType(info.result);
    std::vector<std::vector<uint8_t>> imms = {{}};
    if (info.imm == wasm::ImmKind::Shuffle) imms = shuffles;
    if (info.imm == wasm::ImmKind::LaneIdx) {
      const std::string name = info.name;
      const uint8_t lanes = name.rfind("i8x16", 0) == 0   ? 16
                            : name.rfind("i16x8", 0) == 0 ? 8
                            : name.rfind("i64x2", 0) == 0 || name.rfind("f64x2", 0) == 0 ? 2
                                                                                         : 4;
      imms = {{0}, {1}, {static_cast<uint8_t>(lanes - 1)}};
    }
    for (const std::vector<uint8_t>& imm : imms) {
      Row r{VectorInstr(op, imm), {}, TypeByte(result), {}};
      for (wasm::ValType t : params) r.params.push_back(TypeByte(t));
      auto m = Build(r);
      auto ir = ref->Instantiate(m);
      auto ia = a64->Instantiate(m);
      REQUIRE(ir.status == diff::InstantiateOutcome::Status::kOk);
      INFO(info.name << ": " << ia.message);
      REQUIRE(ia.status == diff::InstantiateOutcome::Status::kOk);
      ++ops;
      // Operand tuples: each pool value first, each second operand against a spread of firsts.
      std::vector<std::vector<Value>> tuples;
      const auto pool_of = [](wasm::ValType t) {
        return t == wasm::ValType::V128 ? VectorPool() : ScalarPool(t);
      };
      const std::vector<Value> p0 = pool_of(params[0]);
      const std::vector<Value> p1 = params.size() > 1 ? pool_of(params[1]) : std::vector<Value>{};
      const std::vector<Value> p2 = params.size() > 2 ? pool_of(params[2]) : std::vector<Value>{};
      for (size_t i = 0; i < p0.size(); ++i) {
        if (params.size() == 1) {
          tuples.push_back({p0[i]});
          continue;
        }
        for (size_t j = 0; j < p1.size(); ++j) {
          if (params.size() == 2) {
            tuples.push_back({p0[i], p1[j]});
          } else if ((i + j) % 3 == 0) {
            tuples.push_back({p0[i], p1[j], p2[(i + 2 * j) % p2.size()]});
          }
        }
      }
      for (const std::vector<Value>& args : tuples) {
        wasm::Outcome a = ref->Invoke(ir.instance, "f", args);
        wasm::Outcome b = a64->Invoke(ia.instance, "f", args);
        std::string what = std::string(info.name) + ", args";
        for (const Value& v : args) {
          what += ' ';
          what += wasm::ToString(v);
        }
        what += ": ref " + wasm::ToString(a) + ", a64 " + wasm::ToString(b);
        INFO(what);
        REQUIRE(a.kind == wasm::Outcome::Kind::kValues);
        REQUIRE(b.kind == wasm::Outcome::Kind::kValues);
        CHECK(diff::SameValues(*ref, a.values, *a64, b.values));
        ++calls;
      }
    }
  }
  CHECK(ops > 200);
  CHECK(calls > 10000);
}

}  // namespace
