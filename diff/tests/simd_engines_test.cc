// simd_engines_test.cc: the V8-computed SIMD table (reference/tests/simd_tables.inc, 19,027 rows
// over 213 vector operators; regenerate with gen_simd_tables.js) on every engine this host runs,
// through the Engine interface: ref, x64 and a64 (under Unicorn here). Each operator is compiled
// once per immediate (lane index, shuffle) as a function of its operands, so that no JIT folds a
// constant, and each row is a call: its result must be V8's bit for bit, except float lanes V8's
// result has as NaN, which must be NaNs of the class the table records (canonical or arithmetic).
#include <catch2/catch.hpp>

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "diff/engine.h"
#include "diff/tests/op_table_util.h"
#include "reference/decoder.h"
#include "reference/numerics.h"
#include "reference/opcodes.h"
#include "reference/simd.h"
#include "reference/tests/simd_rows.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::diff {
namespace {

using optable::FindOp;
using optable::TableEngines;
using optable::TypeName;

using wasm::simd::V128;
using wasm::simd::table::kRows;
using wasm::simd::table::Row;

wasm::Value ValueOf(wasm::SigType t, V128 v) {
  switch (t) {
    case wasm::SigType::I32: return wasm::Value::I32(static_cast<uint32_t>(v.lo));
    case wasm::SigType::I64: return wasm::Value::I64(v.lo);
    case wasm::SigType::F32: return wasm::Value::F32Bits(static_cast<uint32_t>(v.lo));
    case wasm::SigType::F64: return wasm::Value::F64Bits(v.lo);
    default: return wasm::Value{wasm::ValType::V128, v.lo, v.hi};
  }
}

// The instruction's text: the operator and its immediates (a lane index; a shuffle's 16 lanes,
// the bytes of c).
std::string Instruction(const Row& row, const wasm::OpInfo& info) {
  if (info.imm == wasm::ImmKind::LaneIdx) return fmt::format("{} {}", row.op, row.imm);
  if (info.imm == wasm::ImmKind::Shuffle) {
    std::string s = row.op;
    for (int i = 0; i < 16; ++i) s += fmt::format(" {}", static_cast<int>(wasm::simd::Lane<uint8_t>(row.c, i)));
    return s;
  }
  return row.op;
}

// What is wrong with `o` as the answer to `row`; "" when it is right.
std::string Mismatch(const Row& row, wasm::SigType result, const wasm::Outcome& o) {
  if (o.kind != wasm::Outcome::Kind::kValues || o.values.size() != 1)
    return o.kind == wasm::Outcome::Kind::kTrap ? fmt::format("trapped: {}", wasm::TrapMessage(o.trap))
                                                 : "no value: " + o.message;
  const wasm::Value& v = o.values[0];
  if (result != wasm::SigType::V128) {
    const bool narrow = result == wasm::SigType::I32 || result == wasm::SigType::F32;
    const uint64_t got = narrow ? v.bits & 0xffffffffu : v.bits;
    const uint64_t want = narrow ? row.r.lo & 0xffffffffu : row.r.lo;
    return got == want ? "" : fmt::format("expected {:#x}, got {:#x}", want, got);
  }
  const V128 got{v.bits, v.hi};
  if (row.nan == 0)
    return got == row.r ? "" : fmt::format("expected {:016x}_{:016x}, got {:016x}_{:016x}", row.r.hi, row.r.lo,
                                           got.hi, got.lo);
  const bool f32 = std::string_view(row.op).starts_with("f32x4.");
  for (int i = 0; i < (f32 ? 4 : 2); ++i) {
    const uint32_t cls = (row.nan >> (2 * i)) & 3;
    const uint64_t g = f32 ? wasm::simd::Lane<uint32_t>(got, i) : wasm::simd::Lane<uint64_t>(got, i);
    const uint64_t e = f32 ? wasm::simd::Lane<uint32_t>(row.r, i) : wasm::simd::Lane<uint64_t>(row.r, i);
    bool ok = g == e;
    if (cls == 1)
      ok = f32 ? wasm::num::IsCanonicalNaN32(static_cast<uint32_t>(g)) : wasm::num::IsCanonicalNaN64(g);
    else if (cls != 0)
      ok = f32 ? wasm::num::IsArithmeticNaN32(static_cast<uint32_t>(g)) : wasm::num::IsArithmeticNaN64(g);
    if (!ok)
      return fmt::format("lane {}: expected {}, got {:#x}",
                         i, cls == 0 ? fmt::format("{:#x}", e) : cls == 1 ? "a canonical NaN" : "an arithmetic NaN", g);
  }
  return "";
}

// The rows on engine `name`: how many ran, and a line for each wrong one.
std::pair<size_t, std::vector<std::string>> RunTable(const std::string& name,
                                                     const std::vector<Row>& rows) {
  // One module per operator and immediate.
  std::map<std::string, std::vector<const Row*>> by_instruction;
  std::map<std::string, const wasm::OpInfo*> infos;
  for (const Row& r : rows) {
    const wasm::OpInfo* info = FindOp(r.op);
    INFO(r.op);
    REQUIRE(info != nullptr);
    const std::string text = Instruction(r, *info);
    by_instruction[text].push_back(&r);
    infos[text] = info;
  }
  std::unique_ptr<Engine> engine = MakeEngine(name, EngineConfig{});
  REQUIRE(engine);
  size_t ran = 0;
  std::vector<std::string> wrong;
  for (const auto& [text, op_rows] : by_instruction) {
    const wasm::OpInfo& info = *infos[text];
    INFO(name << " " << text);
    std::vector<wasm::SigType> params;
    for (wasm::SigType p : {info.p1, info.p2, info.p3})
      if (p != wasm::SigType::None) params.push_back(p);
    std::string sig, body;
    for (size_t k = 0; k < params.size(); ++k) {
      const char* t = TypeName(params[k]);
      REQUIRE(t != nullptr);
      sig += fmt::format(" {}", t);
      body += fmt::format("local.get {} ", k);
    }
    const char* res = TypeName(info.result);
    REQUIRE(res != nullptr);
    const std::string wat =
        fmt::format("(module (func (export \"f\") (param{}) (result {}) {}{}))", sig, res, body, text);
    auto module = std::make_shared<wasm::Module>(wasm::Decode(tandem::testing::WatToWasm(wat)));
    wasm::Validate(*module);
    InstantiateOutcome inst = engine->Instantiate(module);
    REQUIRE(inst.status == InstantiateOutcome::Status::kOk);
    for (const Row* r : op_rows) {
      const V128 operands[3] = {r->a, r->b, r->c};
      std::vector<wasm::Value> args;
      for (size_t k = 0; k < params.size(); ++k) args.push_back(ValueOf(params[k], operands[k]));
      const wasm::Outcome o = engine->Invoke(inst.instance, "f", args);
      ++ran;
      if (std::string why = Mismatch(*r, info.result, o); !why.empty())
        wrong.push_back(fmt::format("{} {} row {}: {}", name, text, r - rows.data(), why));
    }
    // One module at a time: the engine returns to its template after each.
    if (!engine->Reset()) engine = MakeEngine(name, EngineConfig{});
  }
  return {ran, wrong};
}

TEST_CASE("SIMD table: every row on every engine of this host, through the Engine interface",
          "[simd][engine]") {
  std::map<std::string, int> ops;
  for (const Row& r : kRows) ++ops[r.op];
  REQUIRE(ops.size() >= 213);
  const std::vector<Row> rows(std::begin(kRows), std::end(kRows));
  const std::vector<std::string> engines = TableEngines();
  REQUIRE(std::find(engines.begin(), engines.end(), "ref") != engines.end());
  for (const std::string& name : engines) {
    auto [ran, wrong] = RunTable(name, rows);
    for (size_t k = 0; k < wrong.size() && k < 20; ++k) UNSCOPED_INFO(wrong[k]);
    WARN(name << ": " << ran << " rows, " << wrong.size() << " wrong");
    CHECK(ran == std::size(kRows));
    CHECK(wrong.empty());
  }
}

// The check fires: rows whose expected result is off by one bit (a lane's low bit, where the
// table has no NaN class) are reported wrong on every engine, and only those.
TEST_CASE("SIMD table: a wrong expected result is reported on every engine", "[simd][engine]") {
  std::vector<Row> rows;
  size_t flipped = 0;
  for (const Row& r : kRows) {
    if (r.nan != 0) continue;
    Row w = r;
    if (rows.size() % 97 == 0) {
      w.r.lo ^= 1;
      ++flipped;
    }
    rows.push_back(w);
    if (rows.size() == 2000) break;
  }
  REQUIRE(flipped > 10);
  for (const std::string& name : TableEngines()) {
    auto [ran, wrong] = RunTable(name, rows);
    INFO(name);
    CHECK(ran == rows.size());
    CHECK(wrong.size() == flipped);
  }
}

}  // namespace
}  // namespace tandem::diff
