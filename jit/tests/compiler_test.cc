// compiler_test.cc: compiles modules (WAT and the spec suite's non-SIMD modules) with a dummy
// layout and checks the code against Capstone (docs/jit.md; jit/bounds.h side table).
#include "jit/compiler.h"

#include <catch2/catch.hpp>
#include <cstddef>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "jit/arena.h"
#include "jit/disasm.h"
#include "jit/jit_store.h"
#include "jit/tests/jit_test_util.h"
#include "reference/decoder.h"
#include "reference/numerics.h"
#include "reference/outcome.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::jit {
namespace {

// Distinct, recognisable offsets for every object; memory 0's data sits above 2 GiB so that the
// wide-offset path is exercised too.
InstanceLayout DummyLayout(const wasm::Module& m) {
  InstanceLayout l;
  for (uint32_t i = 0; i < m.func_types.size(); ++i) l.func_index.push_back(100 + i);
  for (uint32_t i = 0; i < m.types.size(); ++i) l.type_id.push_back(7 + i);
  for (uint32_t i = 0; i < m.globals.size() + m.num_imported_globals; ++i)
    l.global_offset.push_back(0x10000 + 16 * i);
  for (uint32_t i = 0; i < m.memories.size(); ++i) {
    l.memory_desc_offset.push_back(0x20000 + 32 * i);
    l.memory_data_offset.push_back((uint64_t{3} << 30) + (uint64_t{i} << 33));
  }
  for (uint32_t i = 0; i < m.tables.size(); ++i) l.table_desc_offset.push_back(0x30000 + 24 * i);
  for (uint32_t i = 0; i < m.elems.size(); ++i) l.elem_index.push_back(i);
  for (uint32_t i = 0; i < m.datas.size(); ++i) l.data_index.push_back(i);
  l.func_desc_offset = 0x40000;
  l.trap_kind_offset = offsetof(ArenaHeader, trap_kind);
  l.call_depth_offset = offsetof(ArenaHeader, call_depth);
  l.max_call_depth_offset = offsetof(ArenaHeader, max_call_depth);
  l.fuel_offset = offsetof(ArenaHeader, fuel);
  return l;
}

CompileOptions DummyOptions(bool metered, bool canon) {
  CompileOptions o;
  o.record_forms = true;
  o.metered = metered;
  o.nan_canonical = canon;
  o.code_table_address = 0x7f0000000000;
  o.runtime_table_address = 0x7f0000100000;
  o.exit_address = 0x7f0000200000;
  o.stack_limit = 0x7e0000000000;
  return o;
}

struct Stats {
  int functions = 0;
  int unsupported = 0;
  int accesses = 0;
  std::vector<std::string> failures;
  std::set<std::string> unsupported_reasons;
};

// The instructions of `f` (up to the ud2 that precedes the constant pool).
std::vector<DisasmLine> Instructions(const CompiledFunction& f) {
  return testutil::InstructionsBeforePool(f.code.data(), f.code.size());
}

// Linear-memory accesses are exactly the instructions addressing [r15 + r11 ...].
bool IsLinearMemoryAccess(const DisasmLine& l) {
  return l.op_str.find("[r15 + r11") != std::string::npos;
}

void CheckFunction(const wasm::Module& m, uint32_t f, const std::string& name, bool metered,
                   bool canon, Stats* stats) {
  ++stats->functions;
  CompiledFunction c;
  try {
    c = CompileFunction(Arch::kX64, m, f, DummyLayout(m), DummyOptions(metered, canon));
  } catch (const UnsupportedFeature& e) {
    ++stats->unsupported;
    stats->unsupported_reasons.insert(e.what());
    return;
  }
  std::string where = name + " func " + std::to_string(f);
  std::vector<DisasmLine> lines;
  try {
    lines = Instructions(c);
  } catch (const std::exception& e) {
    stats->failures.push_back(where + ": " + e.what());
    return;
  }
  std::map<uint64_t, const DisasmLine*> at;
  std::set<uint64_t> accesses;
  for (const auto& l : lines) {
    at[l.offset] = &l;
    if (IsLinearMemoryAccess(l)) accesses.insert(l.offset);
  }
  std::set<uint64_t> recorded;
  for (const BoundsRecord& b : c.bounds) {
    recorded.insert(b.code_offset);
    auto it = at.find(b.code_offset);
    if (it == at.end()) {
      stats->failures.push_back(where + ": bounds record at " + std::to_string(b.code_offset) +
                                " is not an instruction start");
    } else if (!IsLinearMemoryAccess(*it->second)) {
      stats->failures.push_back(where + ": bounds record at " + std::to_string(b.code_offset) +
                                " is " + it->second->Text());
    }
  }
  if (recorded != accesses) {
    stats->failures.push_back(where + ": " + std::to_string(accesses.size()) +
                              " accesses in the code, " + std::to_string(recorded.size()) +
                              " recorded");
  }
  stats->accesses += static_cast<int>(c.bounds.size());
  for (const auto& [field, callee] : c.local_calls) {
    if (field < 1 || field + 4 > c.code.size() || c.code[field - 1] != 0xE8)
      stats->failures.push_back(where + ": local call field at " + std::to_string(field));
    if (callee < m.num_imported_funcs || callee >= m.func_types.size())
      stats->failures.push_back(where + ": local call to " + std::to_string(callee));
  }
  if (c.forms.empty()) stats->failures.push_back(where + ": no forms recorded");
}

void CheckModule(const std::vector<uint8_t>& bytes, const std::string& name, Stats* stats,
                 bool metered = false, bool canon = false) {
  wasm::Module m = wasm::Decode(bytes);
  wasm::Validate(m);
  for (uint32_t f = m.num_imported_funcs; f < m.func_types.size(); ++f)
    CheckFunction(m, f, name, metered, canon, stats);
}

TEST_CASE("compiler: WAT modules covering every instruction group compile and check", "[x64]") {
  const std::string wat = R"(
  (module
    (type $t (func (param i32) (result i32)))
    (import "spectest" "print_i32" (func $print (param i32)))
    (memory 1)
    (table 4 funcref)
    (global $g (mut i64) (i64.const 5))
    (global $f (mut f32) (f32.const 1.5))
    (data "abc")
    (elem func $id)
    (func $id (type $t) (local.get 0))
    (func (export "arith") (param i32 i32 i64 f32 f64) (result i64)
      (i32.add (local.get 0) (local.get 1)) drop
      (i32.div_s (local.get 0) (local.get 1)) drop
      (i32.rem_s (local.get 0) (i32.const -1)) drop
      (i32.shl (local.get 0) (local.get 1)) drop
      (i32.rotr (local.get 0) (i32.const 3)) drop
      (i64.div_u (local.get 2) (local.get 2)) drop
      (i64.rem_s (local.get 2) (local.get 2)) drop
      (i32.clz (local.get 0)) drop
      (i64.popcnt (local.get 2)) drop
      (f32.min (local.get 3) (local.get 3)) drop
      (f64.max (local.get 4) (local.get 4)) drop
      (f64.nearest (local.get 4)) drop
      (f32.copysign (local.get 3) (local.get 3)) drop
      (f64.neg (local.get 4)) drop
      (i32.trunc_f32_s (local.get 3)) drop
      (i64.trunc_f64_u (local.get 4)) drop
      (i64.trunc_sat_f32_u (local.get 3)) drop
      (f32.convert_i64_u (local.get 2)) drop
      (f64.convert_i32_u (local.get 0)) drop
      (f32.demote_f64 (local.get 4)) drop
      (f64.lt (local.get 4) (local.get 4)) drop
      (f32.ne (local.get 3) (local.get 3)) drop
      (select (local.get 3) (local.get 3) (local.get 0)) drop
      (i64.extend_i32_u (local.get 0)))
    (func (export "mem") (param i32) (result i32)
      (i32.store offset=4 (local.get 0) (i32.const 7))
      (i64.store8 (local.get 0) (i64.const 1))
      (f64.store offset=4294967295 (local.get 0) (f64.const 2))
      (drop (f32.load (local.get 0)))
      (drop (i64.load32_s offset=8 (local.get 0)))
      (drop (memory.grow (i32.const 1)))
      (memory.fill (i32.const 0) (i32.const 1) (i32.const 2))
      (memory.copy (i32.const 0) (i32.const 1) (i32.const 2))
      (memory.init 0 (i32.const 0) (i32.const 1) (i32.const 2))
      (data.drop 0)
      (i32.add (i32.load8_u (local.get 0)) (memory.size)))
    (func (export "ctl") (param i32) (result i32)
      (block $b (result i32)
        (loop $l
          (br_if $l (i32.eqz (local.get 0)))
          (br_table $b $b $b (i32.const 3) (local.get 0)))
        (i32.const 1))
      (call $id) (drop)
      (call $print (i32.const 1))
      (global.set $g (i64.const 9))
      (global.set $f (f32.const 2))
      (table.set 0 (i32.const 0) (ref.func $id))
      (drop (table.get 0 (i32.const 1)))
      (drop (table.grow 0 (ref.null func) (i32.const 1)))
      (table.fill 0 (i32.const 0) (ref.null func) (i32.const 1))
      (table.copy 0 0 (i32.const 0) (i32.const 1) (i32.const 1))
      (table.init 0 0 (i32.const 0) (i32.const 0) (i32.const 1))
      (elem.drop 0)
      (if (result i32) (local.get 0)
        (then (call_indirect (type $t) (i32.const 4) (i32.const 0)))
        (else (unreachable)))
      (i32.add (table.size 0)))
  ))";
  auto bytes = testing::WatToWasm(wat);
  for (bool metered : {false, true}) {
    for (bool canon : {false, true}) {
      Stats stats;
      CheckModule(bytes, "wat", &stats, metered, canon);
      INFO((stats.failures.empty() ? std::string() : stats.failures.front()));
      CHECK(stats.failures.empty());
      CHECK(stats.unsupported == 0);
      CHECK(stats.functions == 4);
      CHECK(stats.accesses == 6);
    }
  }
}

TEST_CASE("compiler: a local call is recorded, an imported call goes through the code table",
          "[x64]") {
  auto bytes = testing::WatToWasm(R"(
    (module (import "m" "f" (func $f)) (func $g) (func (call $g) (call $f)))
  )");
  wasm::Module m = wasm::Decode(bytes);
  wasm::Validate(m);
  CompileOptions o = DummyOptions(false, false);
  CompiledFunction c = CompileFunction(Arch::kX64, m, 2, DummyLayout(m), o);
  REQUIRE(c.local_calls.size() == 1);
  CHECK(c.local_calls[0].second == 1);
  bool table_call = false;
  for (const auto& l : Instructions(c)) {
    if (l.mnemonic == "movabs" &&
        l.op_str.find("0x7f0000000320") != std::string::npos)  // 0x7f0000000000 + 8 * 100
      table_call = true;
  }
  CHECK(table_call);
}

// wast2json output of every non-SIMD spec file: each module command's binary.
TEST_CASE("compiler: every function of the spec suite's non-SIMD modules", "[x64][slow]") {
  Stats stats;
  int modules = testutil::ForEachSpecModule([&](const std::vector<uint8_t>& bytes,
                                               const std::string& name) {
    try {
      CheckModule(bytes, name, &stats);
    } catch (const wasm::UnsupportedError&) {
    }
  });
  for (const auto& r : stats.unsupported_reasons) UNSCOPED_INFO("unsupported: " << r);
  for (size_t i = 0; i < stats.failures.size() && i < 20; ++i) UNSCOPED_INFO(stats.failures[i]);
  WARN(modules << " modules, " << stats.functions << " functions, " << stats.unsupported
               << " unsupported, " << stats.accesses << " bounds records");
  CHECK(modules > 1000);
  CHECK(stats.failures.empty());
  CHECK(stats.unsupported == 0);
}

// ---- Running compiled code (through the JIT store) against reference/numerics.h -------------

using wasm::Outcome;
using wasm::TrapKind;
using wasm::ValType;
using wasm::Value;
namespace num = wasm::num;

struct OpCase {
  const char* name;
  ValType p1, p2, r;  // p2 == V128 marks a unary operator
  // The reference result (numerics.h), NaN-canonical where DESIGN.md says so.
  std::function<Outcome(uint64_t, uint64_t)> eval;
};

Outcome V32(uint32_t v, ValType t = ValType::I32) { return Outcome::Values({Value{t, v, 0}}); }
Outcome V64(uint64_t v, ValType t = ValType::I64) { return Outcome::Values({Value{t, v, 0}}); }
Outcome F32R(float f) { return V32(num::F32Bits(num::CanonicalizeNaN(f)), ValType::F32); }
Outcome F64R(double d) { return V64(num::F64Bits(num::CanonicalizeNaN(d)), ValType::F64); }
float F32(uint64_t b) { return num::F32FromBits(static_cast<uint32_t>(b)); }
double F64(uint64_t b) { return num::F64FromBits(b); }

std::vector<OpCase> OpCases() {
  constexpr ValType I32 = ValType::I32, I64 = ValType::I64, F32T = ValType::F32,
                    F64T = ValType::F64, U = ValType::V128;
  std::vector<OpCase> v;
#define DIV(NAME, FN, T, BITS)                                                                 \
  v.push_back(                                                                                 \
      {NAME, T, T, T, [](uint64_t a, uint64_t b) {                                             \
         uint##BITS##_t r;                                                                     \
         TrapKind k;                                                                           \
         if (!num::FN(static_cast<uint##BITS##_t>(a), static_cast<uint##BITS##_t>(b), &r, &k)) \
           return Outcome::Trap(k);                                                            \
         return BITS == 32 ? V32(static_cast<uint32_t>(r)) : V64(r);                           \
       }});
  DIV("i32.div_s", I32DivS, I32, 32)
  DIV("i32.div_u", I32DivU, I32, 32) DIV("i32.rem_s", I32RemS, I32, 32)
      DIV("i32.rem_u", I32RemU, I32, 32) DIV("i64.div_s", I64DivS, I64, 64) DIV(
          "i64.div_u", I64DivU, I64, 64) DIV("i64.rem_s", I64RemS, I64, 64) DIV("i64.rem_u",
                                                                                I64RemU, I64, 64)
#undef DIV
#define TRUNC(NAME, FN, P, CONV, BITS)                                        \
  v.push_back({NAME, P, U, BITS == 32 ? I32 : I64, [](uint64_t a, uint64_t) { \
                 uint##BITS##_t r;                                            \
                 TrapKind k;                                                  \
                 if (!num::FN(CONV(a), &r, &k)) return Outcome::Trap(k);      \
                 return BITS == 32 ? V32(static_cast<uint32_t>(r)) : V64(r);  \
               }});
          TRUNC("i32.trunc_f32_s", I32TruncF32S, F32T, F32, 32) TRUNC(
              "i32.trunc_f32_u", I32TruncF32U, F32T, F32,
              32) TRUNC("i32.trunc_f64_s", I32TruncF64S, F64T, F64,
                        32) TRUNC("i32.trunc_f64_u", I32TruncF64U, F64T, F64,
                                  32) TRUNC("i64.trunc_f32_s", I64TruncF32S, F32T, F32, 64)
              TRUNC("i64.trunc_f32_u", I64TruncF32U, F32T, F32,
                    64) TRUNC("i64.trunc_f64_s", I64TruncF64S, F64T, F64, 64)
                  TRUNC("i64.trunc_f64_u", I64TruncF64U, F64T, F64, 64)
#undef TRUNC
#define SAT(NAME, FN, P, CONV, BITS)                                          \
  v.push_back({NAME, P, U, BITS == 32 ? I32 : I64, [](uint64_t a, uint64_t) { \
                 auto r = num::FN(CONV(a));                                   \
                 return BITS == 32 ? V32(static_cast<uint32_t>(r)) : V64(r);  \
               }});
                      SAT("i32.trunc_sat_f32_s", I32TruncSatF32S, F32T, F32, 32) SAT(
                          "i32.trunc_sat_f32_u", I32TruncSatF32U,
                          F32T, F32, 32) SAT("i32.trunc_sat_f64_s", I32TruncSatF64S, F64T, F64, 32)
                          SAT("i32.trunc_sat_f64_u", I32TruncSatF64U, F64T, F64,
                              32) SAT("i64.trunc_sat_f32_s", I64TruncSatF32S, F32T, F32, 64)
                              SAT("i64.trunc_sat_f32_u", I64TruncSatF32U, F32T, F32, 64) SAT(
                                  "i64.trunc_sat_f64_s", I64TruncSatF64S, F64T, F64,
                                  64) SAT("i64.trunc_sat_f64_u", I64TruncSatF64U, F64T, F64, 64)
#undef SAT
#define CVT(NAME, FN, P, CONV, R, RES) \
  v.push_back({NAME, P, U, R, [](uint64_t a, uint64_t) { return RES(num::FN(CONV(a))); }});
#define U32(x) static_cast<uint32_t>(x)
#define U64(x) static_cast<uint64_t>(x)
                                  CVT("f32.convert_i32_s", F32ConvertI32S, I32, U32, F32T,
                                      F32R) CVT("f32.convert_i32_u", F32ConvertI32U, I32,
                                                U32, F32T, F32R)
                                      CVT("f32.convert_i64_s", F32ConvertI64S, I64, U64, F32T,
                                          F32R) CVT("f32.convert_i64_u", F32ConvertI64U, I64,
                                                    U64, F32T, F32R) CVT("f64.convert_i32_s",
                                                                         F64ConvertI32S, I32, U32,
                                                                         F64T, F64R)
                                          CVT("f64.convert_i32_u", F64ConvertI32U, I32, U32, F64T,
                                              F64R) CVT("f64.convert_i64_s", F64ConvertI64S, I64,
                                                        U64, F64T, F64R) CVT("f64.convert_i64_u",
                                                                             F64ConvertI64U,
                                                                             I64, U64, F64T, F64R)
                                              CVT("f32.demote_f64", F32DemoteF64, F64T, F64, F32T,
                                                  F32R) CVT("f64.promote_f32", F64PromoteF32, F32T,
                                                            F32, F64T, F64R)
                                                  CVT("f32.nearest", F32Nearest, F32T, F32, F32T,
                                                      F32R) CVT("f32.ceil", F32Ceil, F32T, F32,
                                                                F32T, F32R) CVT("f32.floor",
                                                                                F32Floor, F32T, F32,
                                                                                F32T, F32R)
                                                      CVT("f32.trunc", F32Trunc, F32T, F32, F32T,
                                                          F32R) CVT("f32.sqrt", F32Sqrt, F32T, F32,
                                                                    F32T, F32R)
                                                          CVT("f64.nearest", F64Nearest, F64T, F64,
                                                              F64T, F64R) CVT("f64.ceil", F64Ceil,
                                                                              F64T, F64, F64T, F64R)
                                                              CVT("f64.floor", F64Floor, F64T, F64,
                                                                  F64T, F64R) CVT("f64.trunc",
                                                                                  F64Trunc, F64T,
                                                                                  F64, F64T, F64R)
                                                                  CVT("f64.sqrt", F64Sqrt, F64T,
                                                                      F64, F64T, F64R)
                                                                      CVT("i32.clz", I32Clz, I32,
                                                                          U32, I32, V32)
                                                                          CVT("i32.ctz", I32Ctz,
                                                                              I32, U32, I32, V32)
                                                                              CVT("i64.popcnt",
                                                                                  I64Popcnt, I64,
                                                                                  U64, I64, V64)
#undef CVT
      // Bit operations keep NaN payloads: no canonicalisation.
      v.push_back({"f32.neg", F32T, U, F32T, [](uint64_t a, uint64_t) {
                     return V32(num::F32Bits(num::F32Neg(F32(a))), ValType::F32);
                   }});
  v.push_back({"f64.abs", F64T, U, F64T, [](uint64_t a, uint64_t) {
                 return V64(num::F64Bits(num::F64Abs(F64(a))), ValType::F64);
               }});
  v.push_back({"f32.copysign", F32T, F32T, F32T, [](uint64_t a, uint64_t b) {
                 return V32(num::F32Bits(num::F32Copysign(F32(a), F32(b))), ValType::F32);
               }});
  v.push_back({"f64.copysign", F64T, F64T, F64T, [](uint64_t a, uint64_t b) {
                 return V64(num::F64Bits(num::F64Copysign(F64(a), F64(b))), ValType::F64);
               }});
  v.push_back({"f32.min", F32T, F32T, F32T,
               [](uint64_t a, uint64_t b) { return F32R(num::F32Min(F32(a), F32(b))); }});
  v.push_back({"f32.max", F32T, F32T, F32T,
               [](uint64_t a, uint64_t b) { return F32R(num::F32Max(F32(a), F32(b))); }});
  v.push_back({"f64.min", F64T, F64T, F64T,
               [](uint64_t a, uint64_t b) { return F64R(num::F64Min(F64(a), F64(b))); }});
  v.push_back({"f64.max", F64T, F64T, F64T,
               [](uint64_t a, uint64_t b) { return F64R(num::F64Max(F64(a), F64(b))); }});
  v.push_back(
      {"f32.div", F32T, F32T, F32T, [](uint64_t a, uint64_t b) { return F32R(F32(a) / F32(b)); }});
  v.push_back(
      {"f64.sub", F64T, F64T, F64T, [](uint64_t a, uint64_t b) { return F64R(F64(a) - F64(b)); }});
  v.push_back(
      {"f32.lt", F32T, F32T, I32, [](uint64_t a, uint64_t b) { return V32(F32(a) < F32(b)); }});
  v.push_back(
      {"f64.ne", F64T, F64T, I32, [](uint64_t a, uint64_t b) { return V32(F64(a) != F64(b)); }});
  v.push_back(
      {"f32.eq", F32T, F32T, I32, [](uint64_t a, uint64_t b) { return V32(F32(a) == F32(b)); }});
  v.push_back(
      {"f64.ge", F64T, F64T, I32, [](uint64_t a, uint64_t b) { return V32(F64(a) >= F64(b)); }});
  v.push_back({"i32.rotl", I32, I32, I32,
               [](uint64_t a, uint64_t b) { return V32(num::I32Rotl(U32(a), U32(b))); }});
  v.push_back(
      {"i64.shr_s", I64, I64, I64, [](uint64_t a, uint64_t b) { return V64(num::I64ShrS(a, b)); }});
  v.push_back({"i32.lt_s", I32, I32, I32, [](uint64_t a, uint64_t b) {
                 return V32(static_cast<int32_t>(a) < static_cast<int32_t>(b));
               }});
  v.push_back({"i64.gt_u", I64, I64, I32, [](uint64_t a, uint64_t b) { return V32(a > b); }});
#undef U32
#undef U64
  return v;
}

std::vector<uint64_t> Inputs(ValType t) {
  std::vector<uint64_t> in;
  auto d = [&](double x) {
    if (t == ValType::F32)
      in.push_back(num::F32Bits(static_cast<float>(x)));
    else
      in.push_back(num::F64Bits(x));
  };
  switch (t) {
    case ValType::I32:
      for (uint32_t x : {0u, 1u, 2u, 7u, 31u, 32u, 33u, 0xffffffffu, 0x80000000u, 0x7fffffffu,
                         0xfffffff9u, 0x12345678u})
        in.push_back(x);
      break;
    case ValType::I64:
      for (uint64_t x :
           {uint64_t{0}, uint64_t{1}, uint64_t{7}, uint64_t{63}, uint64_t{64}, ~uint64_t{0},
            uint64_t{1} << 63, (uint64_t{1} << 63) - 1, uint64_t{0x8000000000000401},
            uint64_t{0xfffffffffffff801}, uint64_t{0x20000020000001}, uint64_t{0x123456789abcdef}})
        in.push_back(x);
      break;
    default:
      for (double x : {0.0,
                       -0.0,
                       0.5,
                       -0.5,
                       1.5,
                       -1.5,
                       2.5,
                       -2.5,
                       -0.99,
                       -1.0,
                       3.0,
                       2147483647.0,
                       2147483648.0,
                       -2147483648.0,
                       -2147483649.0,
                       -2147483648.75,
                       4294967295.0,
                       4294967296.0,
                       9223372036854775808.0,
                       -9223372036854775808.0,
                       18446744073709551616.0,
                       1e30,
                       -1e30,
                       1e-40,
                       3.4028235677973366e38,
                       8388609.5,
                       4503599627370497.5,
                       std::numeric_limits<double>::infinity(),
                       -std::numeric_limits<double>::infinity()})
        d(x);
      if (t == ValType::F32) {
        in.push_back(0x7fc00000);
        in.push_back(0xffa00001);  // signalling, negative
      } else {
        in.push_back(0x7ff8000000000000);
        in.push_back(0xfff4000000000001);
      }
  }
  return in;
}

TEST_CASE("compiler: operators run as reference/numerics.h computes them (NaN-canonical)",
          "[x64]") {
  std::vector<OpCase> cases = OpCases();
  std::string wat = "(module\n";
  for (const OpCase& c : cases) {
    bool unary = c.p2 == ValType::V128;
    wat += std::string("(func (export \"") + c.name + "\") (param " + wasm::ValTypeName(c.p1) +
           (unary ? "" : std::string(" ") + wasm::ValTypeName(c.p2)) + ") (result " +
           wasm::ValTypeName(c.r) + ") local.get 0 " + (unary ? "" : "local.get 1 ") + c.name +
           ")\n";
  }
  wat += ")";
  auto bytes = testing::WatToWasm(wat);
  auto module = std::make_shared<wasm::Module>(wasm::Decode(bytes));
  wasm::Validate(*module);
  JitConfig config;
  config.nan_canonical = true;
  std::string error;
  auto store = JitStore::Create(config, &error);
  REQUIRE(store);
  JitInstantiateResult inst = store->Instantiate(module, {});
  REQUIRE(inst.instance.has_value());
  int checked = 0;
  for (const OpCase& c : cases) {
    auto ev = store->GetExport(*inst.instance, c.name);
    REQUIRE(ev.has_value());
    bool unary = c.p2 == ValType::V128;
    std::vector<uint64_t> as = Inputs(c.p1);
    std::vector<uint64_t> bs = unary ? std::vector<uint64_t>{0} : Inputs(c.p2);
    for (uint64_t a : as) {
      for (uint64_t b : bs) {
        std::vector<Value> args{Value{c.p1, a, 0}};
        if (!unary) args.push_back(Value{c.p2, b, 0});
        Outcome got = store->Invoke(ev->addr, args);
        Outcome want = c.eval(a, b);
        INFO(c.name << " " << std::hex << a << " " << b);
        REQUIRE(got.kind == want.kind);
        if (want.kind == Outcome::Kind::kTrap) {
          CHECK(got.trap == want.trap);
        } else {
          REQUIRE(got.values.size() == 1);
          CHECK(got.values[0].bits == want.values[0].bits);
        }
        ++checked;
      }
    }
  }
  CHECK(checked > 3000);
}

TEST_CASE("compiler: control flow, calls, tables, memory and limits run as specified", "[x64]") {
  std::string deep = "(local.get 0)";
  for (int i = 1; i <= 30; ++i)
    deep = "(i32.add (i32.mul (local.get 0) (i32.const " + std::to_string(i) + ")) " + deep + ")";
  std::string wat = R"(
  (module
    (memory 1)
    (table 5 funcref)
    (type $ii (func (param i32) (result i32)))
    (elem (i32.const 0) $fib $sq $nop)
    (func $nop)
    (func $fib (export "fib") (param i32) (result i32)
      (if (result i32) (i32.lt_u (local.get 0) (i32.const 2))
        (then (local.get 0))
        (else (i32.add (call $fib (i32.sub (local.get 0) (i32.const 1)))
                       (call $fib (i32.sub (local.get 0) (i32.const 2)))))))
    (func $sq (param i32) (result i32) (i32.mul (local.get 0) (local.get 0)))
    (func (export "indirect") (param i32 i32) (result i32)
      (call_indirect (type $ii) (local.get 1) (local.get 0)))
    (func (export "sum") (param $n i32) (result i64) (local $i i32) (local $acc i64)
      (block $done (loop $l
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (i64.store (i32.mul (local.get $i) (i32.const 8))
                   (i64.extend_i32_u (i32.mul (local.get $i) (i32.const 3))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l)))
      (local.set $i (i32.const 0))
      (block $d2 (loop $l2
        (br_if $d2 (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $acc (i64.add (local.get $acc) (i64.load (i32.mul (local.get $i) (i32.const 8)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $l2)))
      (local.get $acc))
    (func (export "switch") (param i32) (result i32)
      (block $c (block $b (block $a
        (br_table $a $b $c (local.get 0)))
        (return (i32.const 10)))
        (return (i32.const 20)))
      (i32.const 30))
    (func (export "store") (param i32) (result i32)
      (i32.store (local.get 0) (i32.const 0x01020304)) (i32.load (local.get 0)))
    (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))
    (func $multi (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
    (func (export "swapsub") (param i32 i32) (result i32) (call $multi (local.get 0) (local.get 1)) (i32.sub))
    (func $rec (export "rec") (param i32) (result i32) (call $rec (local.get 0)))
    (func (export "blockparams") (param i32) (result i32)
      (local.get 0) (block (param i32) (result i32) (i32.const 2) (i32.add)))
    (func (export "brvalue") (param i32) (result i32)
      (block $b (result i32) (i32.const 1) (br_if $b (i32.const 9) (local.get 0)) (i32.add)))
    (func (export "deep") (param i32) (result i32) )" +
                    deep + R"()
  ))";
  auto module = std::make_shared<wasm::Module>(wasm::Decode(testing::WatToWasm(wat)));
  wasm::Validate(*module);
  JitConfig config;
  config.max_call_depth = 500;
  std::string error;
  auto store = JitStore::Create(config, &error);
  REQUIRE(store);
  JitInstantiateResult inst = store->Instantiate(module, {});
  REQUIRE(inst.instance.has_value());
  auto call = [&](const char* name, std::vector<Value> args) {
    auto ev = store->GetExport(*inst.instance, name);
    REQUIRE(ev.has_value());
    return store->Invoke(ev->addr, args);
  };
  auto i32 = [](const Outcome& o) {
    REQUIRE(o.kind == Outcome::Kind::kValues);
    REQUIRE(!o.values.empty());
    return o.values[0].i32();
  };
  auto trap = [](const Outcome& o) {
    REQUIRE(o.kind == Outcome::Kind::kTrap);
    return o.trap;
  };
  std::vector<uint32_t> fib{0, 1};
  for (int i = 2; i <= 20; ++i) fib.push_back(fib[i - 1] + fib[i - 2]);
  CHECK(i32(call("fib", {Value::I32(20)})) == fib[20]);
  CHECK(i32(call("indirect", {Value::I32(0), Value::I32(15)})) == fib[15]);
  CHECK(i32(call("indirect", {Value::I32(1), Value::I32(12)})) == 144u);
  CHECK(trap(call("indirect", {Value::I32(2), Value::I32(1)})) ==
        TrapKind::IndirectCallTypeMismatch);
  CHECK(trap(call("indirect", {Value::I32(3), Value::I32(1)})) == TrapKind::UninitializedElement);
  CHECK(trap(call("indirect", {Value::I32(5), Value::I32(1)})) == TrapKind::UndefinedElement);
  for (uint32_t n : {0u, 1u, 100u}) {
    Outcome o = call("sum", {Value::I32(n)});
    REQUIRE(o.kind == Outcome::Kind::kValues);
    CHECK(o.values[0].i64() == 3ull * n * (n - (n ? 1 : 0)) / 2);
  }
  for (uint32_t i : {0u, 1u, 2u, 3u, 1000u, 0xffffffffu})
    CHECK(i32(call("switch", {Value::I32(i)})) == (i == 0 ? 10u : i == 1 ? 20u : 30u));
  CHECK(trap(call("store", {Value::I32(65533)})) == TrapKind::MemoryOutOfBounds);
  for (uint32_t a : {65533u, 65534u, 65535u}) CHECK(i32(call("peek", {Value::I32(a)})) == 0u);
  CHECK(i32(call("store", {Value::I32(65532)})) == 0x01020304u);
  CHECK(trap(call("store", {Value::I32(0xffffffffu)})) == TrapKind::MemoryOutOfBounds);
  CHECK(i32(call("swapsub", {Value::I32(3), Value::I32(10)})) == 7u);
  Outcome rec = call("rec", {Value::I32(0)});
  CHECK(rec.kind == Outcome::Kind::kExhausted);
  CHECK(rec.exhaustion == wasm::ExhaustionKind::kCallStack);
  CHECK(i32(call("fib", {Value::I32(10)})) == fib[10]);  // the depth was reset by the store
  CHECK(i32(call("blockparams", {Value::I32(40)})) == 42u);
  CHECK(i32(call("brvalue", {Value::I32(1)})) == 9u);
  CHECK(i32(call("brvalue", {Value::I32(0)})) == 10u);
  for (uint32_t x : {0u, 1u, 7u, 0x89abcdefu}) {
    uint32_t want = x;
    for (uint32_t i = 1; i <= 30; ++i) want += x * i;
    CHECK(i32(call("deep", {Value::I32(x)})) == want);
  }
}
}  // namespace
}  // namespace tandem::jit
