// reduce_test.cc: the test-case reducer (diff/reduce.h): a built module shrinks to the one
// instruction its predicate is about, every pass finds work, the time budget holds, a predicate
// that holds for nothing smaller keeps the input, a spec-suite module reduces end to end, and
// reducing the spec suite's modules only ever yields valid cases.
#include <catch2/catch.hpp>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include "diff/case.h"
#include "diff/gen/builder.h"
#include "diff/gen/generator.h"
#include "diff/harness.h"
#include "diff/reduce.h"
#include "reference/tests/spec_files.h"

namespace tandem::diff {
namespace {

using gen::Code;
using gen::ModuleBuilder;
using wasm::ExternKind;
using wasm::Op;
using wasm::ValType;
using wasm::Value;

// Fuel for every run: a candidate may loop forever (an edit removed the loop's exit).
constexpr uint64_t kFuel = 1000000;

// The outcome of the first call to `export_name` on the reference engine ("" when none).
std::string RefOutcome(const Case& c, const std::string& export_name) {
  HarnessOptions o;
  o.engines = {"ref"};
  o.config.fuel = kFuel;
  CaseResult r = RunCase(c, o);
  for (size_t i = 0; i < c.script.calls.size() && i < r.engines[0].outcomes.size(); ++i)
    if (c.script.calls[i].export_name == export_name) return r.engines[0].outcomes[i];
  return "";
}

bool Contains(const Case& c, Op op) {
  for (const wasm::FunctionBody& fb : c.module->code)
    for (const wasm::Instr& in : fb.code)
      if (in.op == op) return true;
  return false;
}

bool Valid(const Case& c) {
  try {
    return MakeCase(c.bytes, c.script).module != nullptr;
  } catch (const std::exception&) {
    return false;
  }
}

// Appends a custom section (Spec 5.5.3) to an encoded module.
void AddCustom(std::vector<uint8_t>& bytes, const std::string& name, size_t payload) {
  std::vector<uint8_t> content;
  content.push_back(static_cast<uint8_t>(name.size()));
  content.insert(content.end(), name.begin(), name.end());
  for (size_t i = 0; i < payload; ++i) content.push_back(static_cast<uint8_t>(i + 1));
  bytes.push_back(0);
  bytes.push_back(static_cast<uint8_t>(content.size()));  // < 128 in these tests
  bytes.insert(bytes.end(), content.begin(), content.end());
}

// A module with unrelated functions, globals, memory, data and a table; "main" returns
// (1037 rem_u 100) = 37 from deep inside blocks, mixed with values that do not matter.
Case RemUCase() {
  ModuleBuilder b;
  const uint32_t t_binop = b.Type({{ValType::I32, ValType::I32}, {ValType::I32}});
  b.Memory(1, 4);
  const uint32_t table = b.Table(ValType::FuncRef, 4, 8);
  const uint32_t g_count = b.Global(ValType::I32, true, gen::MakeInstr(Op::I32Const, 0, 0, 7));
  b.Global(ValType::I64, false, gen::MakeInstr(Op::I64Const, 0, 0, 100));
  const uint32_t g_scale = b.Global(ValType::F64, true, gen::ConstInstr(Value::F64(1.5)));
  const uint32_t g_step = b.Global(ValType::I32, true, gen::MakeInstr(Op::I32Const, 0, 0, 3));

  Code add, mul, sub;
  add.LocalGet(0).LocalGet(1).Add(Op::I32Add);
  mul.LocalGet(0).LocalGet(1).Add(Op::I32Mul);
  sub.LocalGet(0).LocalGet(1).Add(Op::I32Sub);
  const uint32_t f_add = b.FunctionOfType(t_binop, {}, add);
  const uint32_t f_mul = b.FunctionOfType(t_binop, {}, mul);
  const uint32_t f_sub = b.FunctionOfType(t_binop, {}, sub);

  // Fills memory[0, 64) with i * g_step.
  Code fill;
  fill.Block(Op::Block, gen::BlockEmpty()).Block(Op::Loop, gen::BlockEmpty());
  fill.LocalGet(0).I32(64).Add(Op::I32GeU).Add(Op::BrIf, 1);
  fill.LocalGet(0).LocalGet(0).Add(Op::GlobalGet, g_step).Add(Op::I32Mul);
  fill.Memory(Op::I32Store8, 0);
  fill.LocalGet(0).I32(1).Add(Op::I32Add).LocalSet(0).Add(Op::Br, 0);
  fill.End().End();
  const uint32_t f_fill = b.Function({{}, {}}, {ValType::I32}, fill);

  Code fl;
  fl.LocalGet(0).Add(Op::F64Sqrt).Add(Op::GlobalGet, g_scale).Add(Op::F64Mul);
  const uint32_t f_float = b.Function({{ValType::F64}, {ValType::F64}}, {}, fl);

  Code main;
  main.Add(Op::Call, f_fill);
  main.I32(100).LocalSet(0);
  main.Block(Op::Block, gen::BlockEmpty());
  main.I32(5).I32(6).I32(1).Add(Op::CallIndirect, t_binop, table).LocalSet(1);
  main.LocalGet(1).I32(30).Add(Op::I32Ne).Add(Op::BrIf, 0);
  main.Add(Op::GlobalGet, g_count).LocalGet(1).Add(Op::I32Add).Add(Op::GlobalSet, g_count);
  main.End();
  main.I32(16).Memory(Op::I32Load, 4).Add(Op::I64ExtendI32U).LocalSet(2);
  main.Const(Value::F64(2.0)).Add(Op::Call, f_float).Add(Op::Drop);
  main.Block(Op::Block, gen::BlockValue(ValType::I32));
  main.Block(Op::Loop, gen::BlockValue(ValType::I32));
  main.I32(1037).LocalGet(0).Add(Op::I32RemU);
  main.End().End();
  main.I32(3).I32(4).Add(Op::Call, f_add).Add(Op::GlobalGet, g_count).Add(Op::I32Mul);
  main.I32(0).Add(Op::I32And).Add(Op::I32Xor);
  const uint32_t f_main =
      b.Function({{}, {ValType::I32}}, {ValType::I32, ValType::I32, ValType::I64, ValType::F64},
                 main);

  b.ActiveElem(table, 0, {f_add, f_mul, f_sub});
  std::vector<uint8_t> data;
  for (int i = 0; i < 48; ++i) data.push_back(static_cast<uint8_t>(0x40 + i));
  b.ActiveData(16, data);
  b.ExportFunction("fill", f_fill);
  b.ExportFunction("main", f_main);
  b.ExportFunction("float", f_float);
  b.ExportFunction("sub", f_sub);
  b.Export("count", ExternKind::Global, g_count);

  Script s;
  s.calls.push_back({"fill", {}, std::nullopt});
  s.calls.push_back({"main", {}, std::nullopt});
  s.calls.push_back({"float", {Value::F64(4.0)}, std::nullopt});
  s.calls.push_back({"sub", {Value::I32(9), Value::I32(2)}, std::nullopt});
  return MakeCase(b.Build(), s);
}

TEST_CASE("reduce: a built module shrinks to the i32.rem_u its result depends on", "[reduce]") {
  const Case input = RemUCase();
  REQUIRE(input.module);
  const std::string expected = RefOutcome(input, "main");
  REQUIRE(expected == "returned i32:0x00000025");  // 37
  bool saw_invalid = false;
  auto interesting = [&](const Case& c) {
    if (!c.module) saw_invalid = true;
    return c.module && Contains(c, Op::I32RemU) && RefOutcome(c, "main") == expected;
  };
  ReduceStats stats;
  const Case out = Reduce(input, interesting, ReduceOptions{}, &stats);
  INFO("bytes " << stats.original_bytes << " -> " << stats.reduced_bytes << ", " << stats.tests
                << " tests, " << stats.accepted << " accepted, " << stats.seconds << " s");
  CHECK_FALSE(saw_invalid);
  REQUIRE(Valid(out));
  CHECK(interesting(out));
  CHECK_FALSE(stats.timed_out);
  CHECK(stats.original_bytes == input.bytes.size());
  CHECK(stats.reduced_bytes == out.bytes.size());
  CHECK(out.bytes.size() * 4 < input.bytes.size());
  CHECK(out.bytes.size() <= 50);
  CHECK(out.script.calls.size() == 1);
  CHECK(out.module->code.size() == 1);
  CHECK(out.module->globals.empty());
  CHECK(out.module->datas.empty());
  CHECK(out.module->elems.empty());
  CHECK(out.module->tables.empty());
  CHECK(out.module->memories.empty());
  CHECK(stats.tests > 0);
  CHECK(stats.accepted > 0);
}

// A module where each pass has something to do, under "main returns 7".
Case EveryPassCase() {
  ModuleBuilder b;
  b.Type({{ValType::F32}, {ValType::F32}});  // used by nothing
  b.Memory(2, 5);
  const uint32_t table = b.Table(ValType::FuncRef, 3, 10);
  const uint32_t g_unused = b.Global(ValType::I64, false, gen::MakeInstr(Op::I64Const, 0, 0, 77));
  const uint32_t g_side = b.Global(ValType::I32, true, gen::MakeInstr(Op::I32Const, 0, 0, 5));

  // Stores to memory: the call to it does not matter, nor its body.
  Code side;
  side.I32(8).I32(0x12345).Memory(Op::I32Store, 0);
  side.I32(1).Add(Op::GlobalSet, g_side);
  const uint32_t f_side = b.Function({{}, {}}, {}, side);
  Code two;
  two.I32(2);
  const uint32_t f_two = b.Function({{}, {ValType::I32}}, {}, two);
  Code unused;
  unused.I32(1).I32(2).Add(Op::I32Add);
  const uint32_t f_unused = b.Function({{}, {ValType::I32}}, {}, unused);

  Code main;
  main.Add(Op::Nop);
  main.Add(Op::Call, f_side);
  main.Add(Op::Call, f_two).Add(Op::Drop);
  main.I32(9).LocalSet(2);
  main.Block(Op::Block, gen::BlockValue(ValType::I32));
  // 5 + (memory[33..34] = 2) + (arg & 0x1000 = 0 for the arguments given).
  main.I32(5).I32(33).Memory(Op::I32Load16U, 0).Add(Op::I32Add);
  main.LocalGet(0).I32(0x1000).Add(Op::I32And).Add(Op::I32Add);
  main.End();
  main.I32(0).I32(0).Memory(Op::I32Load, 0).Add(Op::I32Mul).Add(Op::I32Add);
  const uint32_t f_main =
      b.Function({{ValType::I32}, {ValType::I32}}, {ValType::F64, ValType::I32, ValType::F32},
                 main);

  b.ActiveElem(table, 1, {f_unused, f_two});
  b.ActiveData(32, {1, 2, 0, 4, 5, 6, 7, 8, 9, 10, 11, 12});
  b.ExportFunction("main", f_main);
  b.ExportFunction("other", f_unused);
  b.Export("g", ExternKind::Global, g_unused);

  std::vector<uint8_t> bytes = b.Build();
  AddCustom(bytes, "junk", 20);
  AddCustom(bytes, "tandem.denan", 0);
  Script s;
  s.calls.push_back({"main", {Value::I32(5)}, std::nullopt});
  s.calls.push_back({"other", {}, std::nullopt});
  s.calls.push_back({"main", {Value::I32(6)}, std::nullopt});
  return MakeCase(bytes, s);
}

TEST_CASE("reduce: every pass finds work", "[reduce]") {
  const Case input = EveryPassCase();
  INFO(input.refusal);
  REQUIRE(input.module);
  REQUIRE(RefOutcome(input, "main") == "returned i32:0x00000007");
  auto interesting = [&](const Case& c) {
    return c.module && RefOutcome(c, "main") == "returned i32:0x00000007";
  };
  ReduceStats stats;
  std::vector<std::string> lines;
  ReduceOptions options;
  options.progress = [&](const std::string& line) { lines.push_back(line); };
  const Case out = Reduce(input, interesting, options, &stats);
  std::string passes;
  for (const auto& [name, n] : stats.accepted_per_pass)
    passes += name + "=" + std::to_string(n) + " ";
  INFO("bytes " << stats.original_bytes << " -> " << stats.reduced_bytes << ", " << stats.tests
                << " tests; accepted: " << passes);
  REQUIRE(Valid(out));
  CHECK(interesting(out));
  for (const char* pass : {"calls", "args", "exports", "functions", "bodies", "customs", "elems",
                           "data", "globals", "memory", "table", "types", "delete", "unwrap",
                           "const", "hoist", "immediates", "locals"}) {
    INFO("pass " << pass);
    CHECK(stats.accepted_per_pass.count(pass) == 1);
  }
  // The denan section stays; the other custom section goes.
  REQUIRE(out.module->customs.size() == 1);
  CHECK(out.module->customs[0].name == "tandem.denan");
  CHECK(lines.size() >= stats.accepted);
}

TEST_CASE("reduce: the time budget is kept", "[reduce]") {
  const Case input = RemUCase();
  REQUIRE(input.module);
  auto slow = [&](const Case& c) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    return c.module != nullptr;
  };
  ReduceOptions options;
  options.time_seconds = 0.5;
  ReduceStats stats;
  const auto begin = std::chrono::steady_clock::now();
  const Case out = Reduce(input, slow, options, &stats);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
  CHECK(seconds < 1.5);
  CHECK(stats.timed_out);
  CHECK(stats.tests >= 5);
  CHECK(stats.tests <= 12);
  REQUIRE(Valid(out));
  CHECK(out.bytes.size() < input.bytes.size());
}

TEST_CASE("reduce: a predicate that holds for nothing smaller keeps the input", "[reduce]") {
  const Case input = RemUCase();
  REQUIRE(input.module);
  auto only_input = [&](const Case& c) {
    return c.bytes == input.bytes && ScriptToJson(c.script) == ScriptToJson(input.script);
  };
  ReduceStats stats;
  const Case out = Reduce(input, only_input, ReduceOptions{}, &stats);
  CHECK(out.bytes == input.bytes);
  CHECK(ScriptToJson(out.script) == ScriptToJson(input.script));
  CHECK(stats.tests > 0);
  CHECK(stats.accepted == 0);
  CHECK(stats.accepted_per_pass.empty());
  CHECK_FALSE(stats.timed_out);
  CHECK(stats.reduced_bytes == stats.original_bytes);
}

TEST_CASE("reduce: a refused module comes back as it is", "[reduce]") {
  Case input = MakeCase({0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00}, Script{});
  REQUIRE_FALSE(input.module);
  ReduceStats stats;
  const Case out = Reduce(input, [](const Case&) { return true; }, ReduceOptions{}, &stats);
  CHECK(out.bytes == input.bytes);
  CHECK(stats.tests == 0);
}

using SeedList = std::vector<std::vector<uint8_t>>;

// The mutate generator's seed modules (the spec suite's valid modules), converted once.
const SeedList& SpecSeeds() {
  static const SeedList seeds =
      gen::LoadSeedModules(spec_files::SpecSuiteDir(), "wast2json", false);
  return seeds;
}

// A spec-suite module (the mutate generator's seeds) whose default script traps with "integer
// divide by zero", reduced while the reference and x64 engines (where this host runs x64) agree
// and the trap stays.
TEST_CASE("reduce: a spec-suite module that divides by zero", "[reduce]") {
  const SeedList& seeds = SpecSeeds();
  HarnessOptions o;
  o.engines = {"ref"};
  o.config.fuel = kFuel;
  for (const std::string& e : HostEngineNames())
    if (e == "x64") o.engines.push_back(e);
  auto traps = [&](const Case& c) {
    if (!c.module) return false;
    CaseResult r = RunCase(c, o);
    if (r.verdict != CaseResult::Verdict::kAgree) return false;
    for (const EngineReport& e : r.engines)
      if (e.unsupported) return false;
    for (const std::string& outcome : r.engines[0].outcomes)
      if (outcome == "trap: integer divide by zero") return true;
    return false;
  };
  // The biggest such seed.
  Case input;
  for (const std::vector<uint8_t>& bytes : seeds) {
    Case c = MakeCase(bytes, std::nullopt);
    if (!c.module || c.bytes.size() < 400 || c.script.calls.size() < 10) continue;
    if (traps(c) && (!input.module || c.bytes.size() > input.bytes.size())) input = std::move(c);
  }
  REQUIRE(input.module);
  ReduceStats stats;
  ReduceOptions options;
  options.time_seconds = 60;
  const Case out = Reduce(input, traps, options, &stats);
  INFO("bytes " << stats.original_bytes << " -> " << stats.reduced_bytes << ", calls "
                << input.script.calls.size() << " -> " << out.script.calls.size() << ", "
                << stats.tests << " tests, " << stats.seconds << " s");
  REQUIRE(Valid(out));
  CHECK(traps(out));
  CHECK(out.script.calls.size() == 1);
  CHECK(out.module->code.size() == 1);
  CHECK(out.bytes.size() * 10 < input.bytes.size());
  CHECK(out.bytes.size() <= 48);
}

// Every third seed, reduced while the reference engine's instantiation and outcomes of the
// whole script stay the same (so the script stays too): the passes meet what the spec suite
// has (br_table, multi-value blocks, element and data forms, imports), the predicate only ever
// sees valid candidates, and every result validates.
TEST_CASE("reduce: spec-suite modules reduce to valid cases with the same outcomes", "[reduce]") {
  const SeedList& seeds = SpecSeeds();
  auto outcomes = [](const Case& c) {
    HarnessOptions o;
    o.engines = {"ref"};
    o.config.fuel = kFuel;
    CaseResult r = RunCase(c, o);
    std::string text = r.engines[0].instantiation;
    for (const std::string& x : r.engines[0].outcomes) text += "; " + x;
    return text;
  };
  size_t cases = 0, before = 0, after = 0;
  for (size_t i = 0; i < seeds.size(); i += 3) {
    const Case input = MakeCase(seeds[i], std::nullopt);
    if (!input.module) continue;
    const std::string want = outcomes(input);
    bool saw_invalid = false;
    auto same = [&](const Case& c) {
      if (!c.module) saw_invalid = true;
      return c.script.calls.size() == input.script.calls.size() && outcomes(c) == want;
    };
    ReduceOptions options;
    options.time_seconds = 0.5;
    ReduceStats stats;
    const Case out = Reduce(input, same, options, &stats);
    INFO("seed " << i << ": " << input.bytes.size() << " -> " << out.bytes.size() << " bytes");
    CHECK_FALSE(saw_invalid);
    REQUIRE(Valid(out));
    CHECK(same(out));
    CHECK(out.bytes.size() <= input.bytes.size());
    ++cases;
    before += input.bytes.size();
    after += out.bytes.size();
  }
  INFO(cases << " cases, " << before << " -> " << after << " bytes");
  CHECK(cases > 200);
  CHECK(after * 10 < before * 9);  // measured: 73977 -> 58898 bytes
}

}  // namespace
}  // namespace tandem::diff
