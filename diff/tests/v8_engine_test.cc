// v8_engine_test.cc: the V8 peer engines (diff/v8_engine.h: "v8-liftoff", "v8-turbofan", each a
// persistent node process running diff/v8/worker.js), checked against the reference engine:
// exact value bits across the JS boundary (multi-value, NaN payloads, v128, externref), V8's
// trap messages as tandem's (coarse) trap kinds, the exported-only instance state and the
// comparator on it, the fuzzing-support log, Get of exported globals, Reset, recovery from a
// killed node (peer failure), V8's own front end (Check), and the harness's treatment of V8:
// the tandem.denan requirement and the allowed call-stack difference.
// Every test is tagged [v8] and returns early (with a warning) when node is not available.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "diff/case.h"
#include "diff/compare.h"
#include "diff/engine.h"
#include "diff/gen/builder.h"
#include "diff/harness.h"
#include "diff/v8_engine.h"
#include "reference/trap.h"

namespace tandem::diff {
namespace {

using wasm::ExternKind;
using wasm::FuncType;
using wasm::Op;
using wasm::Outcome;
using wasm::TrapKind;
using wasm::Value;
using wasm::ValType;
using Vals = std::vector<Value>;

constexpr ValType I32 = ValType::I32, I64 = ValType::I64, F32 = ValType::F32,
                  F64 = ValType::F64, V128 = ValType::V128, Ext = ValType::ExternRef;
const FuncType kVoid{};

#define V8_OR_SKIP()                                           \
  do {                                                         \
    if (std::string why = V8Unavailable(); !why.empty()) {     \
      WARN("V8 engines not available, test skipped: " << why); \
      return;                                                  \
    }                                                          \
  } while (0)

std::shared_ptr<const wasm::Module> Load(const std::vector<uint8_t>& bytes) {
  Case c = MakeCase(bytes, std::nullopt);
  INFO("refused: " << c.refusal);
  REQUIRE(c.module);
  return c.module;
}

std::unique_ptr<Engine> Make(const std::string& name, const EngineConfig& config = {}) {
  std::unique_ptr<Engine> e = MakeEngine(name, config);
  REQUIRE(e);
  return e;
}

uint32_t Instantiate(Engine& e, const std::shared_ptr<const wasm::Module>& m) {
  InstantiateOutcome r = e.Instantiate(m);
  INFO(e.name() << ": " << InstantiateStatusName(r.status) << ": " << r.message);
  REQUIRE(r.status == InstantiateOutcome::Status::kOk);
  return r.instance;
}

Vals Returned(const Outcome& o) {
  INFO(wasm::ToString(o) << " " << o.message);
  REQUIRE(o.kind == Outcome::Kind::kValues);
  return o.values;
}

// Adds a function of type `t` with body `code`, exported as `name`; returns its index.
uint32_t Fn(gen::ModuleBuilder& b, const std::string& name, const FuncType& t, gen::Code code) {
  const uint32_t f = b.Function(t, {}, std::move(code));
  b.ExportFunction(name, f);
  return f;
}

// The custom section the --denan passes leave: id 0, size 13, name "tandem.denan".
std::vector<uint8_t> WithDenan(std::vector<uint8_t> bytes) {
  const std::string name = "tandem.denan";
  bytes.insert(bytes.end(), {0x00, 0x0d, 0x0c});
  bytes.insert(bytes.end(), name.begin(), name.end());
  return bytes;
}

std::string Text(const std::vector<Difference>& ds) {
  std::string s;
  for (const Difference& d : ds) s += d.ToString() + "\n";
  return s;
}

bool Has(const std::vector<Difference>& ds, Field f, const std::string& where) {
  for (const Difference& d : ds)
    if (d.field == f && d.where == where) return true;
  return false;
}

TEST_CASE("v8: values cross the JS boundary bit for bit, on both tiers", "[v8]") {
  V8_OR_SKIP();
  gen::ModuleBuilder b;
  // (func (param i64 f32 f64 v128) (result i64 f32 f64 v128 i32 f64)
  //   local.get 0 .. 3, (i32.wrap_i64 (local.get 0)), local.get 2)
  Fn(b, "vals", FuncType{{I64, F32, F64, V128}, {I64, F32, F64, V128, I32, F64}},
     gen::Code().LocalGet(0).LocalGet(1).LocalGet(2).LocalGet(3).LocalGet(0)
         .Add(Op::I32WrapI64).LocalGet(2));
  Fn(b, "id", FuncType{{Ext}, {Ext}}, gen::Code().LocalGet(0));
  auto m = Load(b.Build());
  const Value v128{V128, 0x8877665544332211ull, 0x7fa00001ffc00000ull};
  const Vals args = {Value::I64(0x8000000000000001ull), Value::F32Bits(0x7fa00001u),
                     Value::F64Bits(0x7ff4000000000001ull), v128};
  const Vals want = {args[0], args[1], args[2], args[3], Value::I32(1), args[2]};
  const Value ext3 = Value::Ref(Ext, 3), ext_null = Value::Null(Ext);

  auto ref = Make("ref");
  const uint32_t ri = Instantiate(*ref, m);
  const Vals ref_vals = Returned(ref->Invoke(ri, "vals", args));
  CHECK(ref_vals == want);
  for (const std::string& name : V8EngineNames()) {
    DYNAMIC_SECTION(name) {
      auto v8 = Make(name);
      const uint32_t vi = Instantiate(*v8, m);
      const Vals got = Returned(v8->Invoke(vi, "vals", args));
      REQUIRE(got.size() == want.size());
      for (size_t k = 0; k < want.size(); ++k) {
        INFO("result " << k << ": " << wasm::ToString(got[k]) << " vs " << wasm::ToString(want[k]));
        CHECK(got[k] == want[k]);
      }
      CHECK(got == ref_vals);
      CHECK(Returned(v8->Invoke(vi, "vals", args)) == want);  // again, through the cached caller

      const Vals e3 = Returned(v8->Invoke(vi, "id", Vals{ext3}));
      CHECK(e3 == Vals{ext3});
      CHECK(e3 == Returned(ref->Invoke(ri, "id", Vals{ext3})));
      const Vals en = Returned(v8->Invoke(vi, "id", Vals{ext_null}));
      REQUIRE(en.size() == 1);
      CHECK(en[0].type == Ext);
      CHECK(en[0].is_null());
      CHECK(en == Returned(ref->Invoke(ri, "id", Vals{ext_null})));
    }
  }
}

TEST_CASE("v8: traps map to tandem's kinds, covering the reference's precise kinds", "[v8]") {
  V8_OR_SKIP();
  gen::ModuleBuilder b;
  const FuncType i_i{{I32}, {I32}}, v_i{{}, {I32}};
  b.Memory(1, 1);
  const uint32_t seven = b.Function(v_i, {}, gen::Code().I32(7));
  b.Table(ValType::FuncRef, 2, 2);  // [seven, null]
  b.ActiveElem(0, 0, {seven});
  Fn(b, "unreachable", kVoid, gen::Code().Add(Op::Unreachable));
  Fn(b, "div", FuncType{{I32, I32}, {I32}}, gen::Code().LocalGet(0).LocalGet(1).Add(Op::I32DivS));
  Fn(b, "trunc", FuncType{{F32}, {I32}}, gen::Code().LocalGet(0).Add(Op::I32TruncF32S));
  Fn(b, "load", i_i, gen::Code().LocalGet(0).Memory(Op::I32Load, 0));
  // call_indirect (type () -> i32) at the argument; call_indirect (type (i32) -> i32), which
  // no slot has.
  Fn(b, "ci", i_i, gen::Code().LocalGet(0).Add(Op::CallIndirect, b.Type(v_i), 0));
  Fn(b, "ci_sig", i_i, gen::Code().I32(1).LocalGet(0).Add(Op::CallIndirect, b.Type(i_i), 0));
  // (func $rec (param i32) (result i32) (i32.add (call $rec (i32.add (local.get 0) (i32.const 1)))
  //                                             (i32.const 1)))
  const uint32_t self = static_cast<uint32_t>(b.module().code.size());
  REQUIRE(Fn(b, "rec", i_i, gen::Code().LocalGet(0).I32(1).Add(Op::I32Add).Add(Op::Call, self)
                                .I32(1).Add(Op::I32Add)) == self);
  auto m = Load(b.Build());

  struct Expected {
    const char* what;
    const char* func;
    Vals args;
    TrapKind v8, ref;
  };
  const std::vector<Expected> cases = {
      {"unreachable", "unreachable", {}, TrapKind::Unreachable, TrapKind::Unreachable},
      {"div by zero", "div", {Value::I32(5), Value::I32(0)}, TrapKind::IntegerDivideByZero,
       TrapKind::IntegerDivideByZero},
      {"INT_MIN / -1", "div", {Value::I32(0x80000000u), Value::I32(0xffffffffu)},
       TrapKind::IntegerOverflow, TrapKind::IntegerOverflow},
      {"trunc NaN", "trunc", {Value::F32Bits(0x7fc00000u)}, TrapKind::FloatUnrepresentable,
       TrapKind::InvalidConversionToInteger},
      {"trunc 3e9", "trunc", {Value::F32(3e9f)}, TrapKind::FloatUnrepresentable,
       TrapKind::IntegerOverflow},
      {"load out of bounds", "load", {Value::I32(65535)}, TrapKind::MemoryOutOfBounds,
       TrapKind::MemoryOutOfBounds},
      {"call_indirect null slot", "ci", {Value::I32(1)}, TrapKind::NullOrSignatureMismatch,
       TrapKind::UninitializedElement},
      {"call_indirect wrong signature", "ci_sig", {Value::I32(0)},
       TrapKind::NullOrSignatureMismatch, TrapKind::IndirectCallTypeMismatch},
      {"call_indirect past the table", "ci", {Value::I32(5)}, TrapKind::TableIndexOutOfBounds,
       TrapKind::UndefinedElement},
  };
  auto ref = Make("ref");
  const uint32_t ri = Instantiate(*ref, m);
  for (const std::string& name : V8EngineNames()) {
    DYNAMIC_SECTION(name) {
      auto v8 = Make(name);
      const uint32_t vi = Instantiate(*v8, m);
      CHECK(Returned(v8->Invoke(vi, "ci", Vals{Value::I32(0)})) == Vals{Value::I32(7)});
      for (const Expected& e : cases) {
        const Outcome vo = v8->Invoke(vi, e.func, e.args);
        const Outcome ro = ref->Invoke(ri, e.func, e.args);
        INFO(e.what << ": " << name << ": " << wasm::ToString(vo) << " " << vo.message
                    << "; ref: " << wasm::ToString(ro));
        REQUIRE(vo.kind == Outcome::Kind::kTrap);
        REQUIRE(ro.kind == Outcome::Kind::kTrap);
        CHECK(vo.trap == e.v8);
        CHECK(ro.trap == e.ref);
        CHECK(wasm::TrapKindCovers(vo.trap, ro.trap));
        CHECK(wasm::TrapKindCovers(ro.trap, vo.trap));
        CHECK(CompareOutcome(*ref, ro, *v8, vo).empty());
      }
      // A coarse kind does not cover what it does not stand for.
      using P = std::pair<TrapKind, TrapKind>;
      for (auto [coarse, other] :
           {P{TrapKind::FloatUnrepresentable, TrapKind::Unreachable},
            P{TrapKind::NullOrSignatureMismatch, TrapKind::UndefinedElement},
            P{TrapKind::TableIndexOutOfBounds, TrapKind::UninitializedElement}})
        CHECK_FALSE(wasm::TrapKindCovers(coarse, other));

      const Outcome vo = v8->Invoke(vi, "rec", Vals{Value::I32(0)});
      const Outcome ro = ref->Invoke(ri, "rec", Vals{Value::I32(0)});
      INFO(wasm::ToString(vo) << " " << vo.message);
      REQUIRE(vo.kind == Outcome::Kind::kExhausted);
      CHECK(vo.exhaustion == wasm::ExhaustionKind::kCallStack);
      REQUIRE(ro.kind == Outcome::Kind::kExhausted);
      CHECK(CompareOutcome(*ref, ro, *v8, vo).empty());
      // The instance still works after the stack overflow.
      CHECK(Returned(v8->Invoke(vi, "div", Vals{Value::I32(9), Value::I32(2)})) ==
            Vals{Value::I32(4)});
    }
  }
}

// Memory 0, exported as "mem" when `export_memory`; global 0 (mut i64) exported as "g";
// global 1 (mut i32) not exported. "w" writes `byte` at 0x100 and an i64 at 0x2000, sets g to
// `g` and global 1 to `hidden`; "w2" writes 0x5a at 0x3000 and adds 1 to g.
std::vector<uint8_t> StateModule(uint8_t byte, uint64_t g, uint32_t hidden,
                                 bool export_memory = true) {
  gen::ModuleBuilder b;
  b.Memory(1, std::nullopt);
  if (export_memory) b.Export("mem", ExternKind::Memory, 0);
  const uint32_t g0 = b.Global(I64, true, gen::ConstInstr(Value::I64(0)));
  const uint32_t g1 = b.Global(I32, true, gen::ConstInstr(Value::I32(0)));
  b.Export("g", ExternKind::Global, g0);
  gen::Code w;
  w.I32(0x100).I32(byte).Memory(Op::I32Store8, 0);
  w.I32(0x2000).Const(Value::I64(0x0102030405060708ull)).Memory(Op::I64Store, 0);
  w.Const(Value::I64(g)).Add(Op::GlobalSet, g0);
  w.I32(hidden).Add(Op::GlobalSet, g1);
  Fn(b, "w", kVoid, std::move(w));
  gen::Code w2;
  w2.I32(0x3000).I32(0x5a).Memory(Op::I32Store8, 0);
  w2.Add(Op::GlobalGet, g0).Const(Value::I64(1)).Add(Op::I64Add).Add(Op::GlobalSet, g0);
  Fn(b, "w2", kVoid, std::move(w2));
  return b.Build();
}

TEST_CASE("v8: the state of exported memories and globals, and the comparator on it", "[v8]") {
  V8_OR_SKIP();
  const uint64_t kG = 0xfedcba9876543210ull;
  auto m = Load(StateModule(0x11, kG, 77));
  auto ref = Make("ref");
  const uint32_t ri = Instantiate(*ref, m);
  // Reference instances of variants: another byte, another g, another hidden global.
  const uint32_t r_byte = Instantiate(*ref, Load(StateModule(0x22, kG, 77)));
  const uint32_t r_glob = Instantiate(*ref, Load(StateModule(0x11, kG ^ 1, 77)));
  const uint32_t r_hide = Instantiate(*ref, Load(StateModule(0x11, kG, 78)));
  for (uint32_t i : {ri, r_byte, r_glob, r_hide})
    REQUIRE(Returned(ref->Invoke(i, "w", {})).empty());

  for (const std::string& name : V8EngineNames()) {
    DYNAMIC_SECTION(name) {
      auto v8 = Make(name);
      const uint32_t vi = Instantiate(*v8, m);
      REQUIRE(Returned(v8->Invoke(vi, "w", {})).empty());
      {
        wasm::InstanceState s = v8->State(vi);
        CHECK(s.exported_only);
        CHECK(s.memory_known == std::vector<bool>{true});
        CHECK(s.global_known == std::vector<bool>{true, false});
        REQUIRE(s.memories.size() == 1);
        REQUIRE(s.memories[0].size() == 65536);
        CHECK(s.memories[0][0x100] == 0x11);
        CHECK(s.memories[0][0x2000] == 0x08);
        CHECK(s.memories[0][0x2007] == 0x01);
        REQUIRE(s.globals.size() == 2);
        CHECK(s.globals[0] == Value::I64(kG));
        CHECK(s.tables.empty());
      }
      std::vector<Difference> same = CompareInstanceState(*ref, ri, *v8, vi);
      INFO(Text(same));
      CHECK(same.empty());

      // The comparator fires on what V8 knows...
      std::vector<Difference> byte = CompareInstanceState(*ref, r_byte, *v8, vi);
      INFO(Text(byte));
      CHECK(Has(byte, Field::kMemory, "memory 0 [0x100, 0x101)"));
      CHECK(byte.size() == 1);
      std::vector<Difference> glob = CompareInstanceState(*ref, r_glob, *v8, vi);
      INFO(Text(glob));
      CHECK(Has(glob, Field::kGlobal, "global 0"));
      CHECK(glob.size() == 1);
      // ...and not on the global V8 cannot see, where the reference alone does see it.
      CHECK(CompareInstanceState(*ref, r_hide, *v8, vi).empty());
      CHECK(Has(CompareInstanceState(*ref, ri, *ref, r_hide), Field::kGlobal, "global 1"));

      // A second call changes one page: the pages V8 sent before are still there.
      REQUIRE(Returned(v8->Invoke(vi, "w2", {})).empty());
      REQUIRE(Returned(ref->Invoke(ri, "w2", {})).empty());
      {
        wasm::InstanceState s = v8->State(vi);
        REQUIRE(s.memories.size() == 1);
        REQUIRE(s.memories[0].size() == 65536);
        CHECK(s.memories[0][0x100] == 0x11);
        CHECK(s.memories[0][0x2000] == 0x08);
        CHECK(s.memories[0][0x3000] == 0x5a);
        CHECK(s.globals[0] == Value::I64(kG + 1));
      }
      std::vector<Difference> after = CompareInstanceState(*ref, ri, *v8, vi);
      INFO(Text(after));
      CHECK(after.empty());
      std::vector<Difference> stale = CompareInstanceState(*ref, r_hide, *v8, vi);
      CHECK(Has(stale, Field::kMemory, "memory 0 [0x3000, 0x3001)"));
      CHECK(Has(stale, Field::kGlobal, "global 0"));
      // Calls that change no page: still equal.
      for (const char* f : {"w", "w2"}) {
        REQUIRE(Returned(ref->Invoke(ri, f, {})).empty());
        REQUIRE(Returned(v8->Invoke(vi, f, {})).empty());
      }
      CHECK(CompareInstanceState(*ref, ri, *v8, vi).empty());

      // A memory that is not exported is not known.
      const uint32_t hidden = Instantiate(*v8, Load(StateModule(0x11, kG, 77, false)));
      REQUIRE(Returned(v8->Invoke(hidden, "w", {})).empty());
      wasm::InstanceState s = v8->State(hidden);
      CHECK(s.exported_only);
      CHECK(s.memory_known == std::vector<bool>{false});
      CHECK(s.global_known == std::vector<bool>{true, false});
    }
  }
}

TEST_CASE("v8: the fuzzing-support log matches the reference's, bits included", "[v8]") {
  V8_OR_SKIP();
  gen::ModuleBuilder b;
  const uint32_t log_i32 = b.ImportFunction("fuzzing-support", "log-i32", FuncType{{I32}, {}});
  const uint32_t log_f64 = b.ImportFunction("fuzzing-support", "log-f64", FuncType{{F64}, {}});
  const uint64_t kNaN = 0x7ff4000000000001ull, kMinus0 = 0x8000000000000000ull;
  gen::Code go;
  go.LocalGet(0).Add(Op::Call, log_i32);
  go.Const(Value::F64Bits(kNaN)).Add(Op::Call, log_f64);
  go.Const(Value::F64Bits(kMinus0)).Add(Op::Call, log_f64);
  go.LocalGet(1).Add(Op::Call, log_f64);
  go.I32(0xffffffffu).Add(Op::Call, log_i32);
  Fn(b, "go", FuncType{{I32, F64}, {}}, std::move(go));
  // Logs, then traps: the entry is kept.
  Fn(b, "trap", kVoid, gen::Code().I32(5).Add(Op::Call, log_i32).Add(Op::Unreachable));
  auto m = Load(b.Build());
  const Vals args = {Value::I32(0x80000001u), Value::F64Bits(0xfff0000000000abcull)};
  const std::vector<LogEntry> want = {{"log-i32", args[0]},
                                      {"log-f64", Value::F64Bits(kNaN)},
                                      {"log-f64", Value::F64Bits(kMinus0)},
                                      {"log-f64", args[1]},
                                      {"log-i32", Value::I32(0xffffffffu)}};
  auto ref = Make("ref");
  const uint32_t ri = Instantiate(*ref, m);
  REQUIRE(ref->TakeLog().empty());
  REQUIRE(Returned(ref->Invoke(ri, "go", args)).empty());
  const std::vector<LogEntry> ref_log = ref->TakeLog();
  REQUIRE(ref_log.size() == want.size());
  REQUIRE(ref->Invoke(ri, "trap", {}).kind == Outcome::Kind::kTrap);
  const std::vector<LogEntry> ref_trap_log = ref->TakeLog();

  for (const std::string& name : V8EngineNames()) {
    DYNAMIC_SECTION(name) {
      auto v8 = Make(name);
      const uint32_t vi = Instantiate(*v8, m);
      CHECK(v8->TakeLog().empty());
      REQUIRE(Returned(v8->Invoke(vi, "go", args)).empty());
      const std::vector<LogEntry> log = v8->TakeLog();
      REQUIRE(log.size() == want.size());
      for (size_t k = 0; k < want.size(); ++k) {
        INFO("entry " << k << ": " << log[k].import << " " << wasm::ToString(log[k].value));
        CHECK(log[k].import == want[k].import);
        CHECK(log[k].value == want[k].value);
        CHECK(log[k].import == ref_log[k].import);
        CHECK(log[k].value == ref_log[k].value);
      }
      std::vector<Difference> d = CompareLogs(ref_log, log);
      INFO(Text(d));
      CHECK(d.empty());
      CHECK(v8->TakeLog().empty());  // taken means cleared

      CHECK(v8->Invoke(vi, "trap", {}).kind == Outcome::Kind::kTrap);
      const std::vector<LogEntry> trap_log = v8->TakeLog();
      REQUIRE(trap_log.size() == 1);
      CHECK(trap_log[0].import == "log-i32");
      CHECK(trap_log[0].value == Value::I32(5));
      CHECK(CompareLogs(ref_trap_log, trap_log).empty());
    }
  }
}

TEST_CASE("v8: Get reads exported float globals with their NaN payloads", "[v8]") {
  V8_OR_SKIP();
  const std::vector<std::tuple<const char*, bool, Value>> globals = {
      {"nan32", false, Value::F32Bits(0x7fa00001u)},  // signalling, immutable
      {"mnan32", true, Value::F32Bits(0xffc0abcdu)},
      {"nan64", true, Value::F64Bits(0x7ff4000000000001ull)}};
  gen::ModuleBuilder b;
  for (const auto& [name, mut, value] : globals)
    b.Export(name, ExternKind::Global, b.Global(value.type, mut, gen::ConstInstr(value)));
  auto m = Load(b.Build());
  auto ref = Make("ref");
  const uint32_t ri = Instantiate(*ref, m);
  for (const std::string& name : V8EngineNames()) {
    DYNAMIC_SECTION(name) {
      auto v8 = Make(name);
      const uint32_t vi = Instantiate(*v8, m);
      for (const auto& [global, mut, value] : globals) {
        const Vals got = Returned(v8->Get(vi, global));
        REQUIRE(got.size() == 1);
        INFO(global << ": " << wasm::ToString(got[0]));
        CHECK(got[0] == value);
        CHECK(got == Returned(ref->Get(ri, global)));
      }
    }
  }
}

TEST_CASE("v8: Reset forgets instances and registrations; numbering starts again", "[v8]") {
  V8_OR_SKIP();
  const FuncType v_i{{}, {I32}};
  gen::ModuleBuilder a;
  Fn(a, "seven", v_i, gen::Code().I32(7));
  auto ma = Load(a.Build());
  gen::ModuleBuilder b;
  const uint32_t seven = b.ImportFunction("a", "seven", v_i);
  Fn(b, "eight", v_i, gen::Code().Add(Op::Call, seven).I32(1).Add(Op::I32Add));
  auto mb = Load(b.Build());
  for (const std::string& name : V8EngineNames()) {
    DYNAMIC_SECTION(name) {
      auto v8 = Make(name);
      CHECK(v8->Instantiate(mb).status == InstantiateOutcome::Status::kUnlinkable);
      const uint32_t ia = Instantiate(*v8, ma);
      CHECK(ia == 0);
      v8->Register("a", ia);
      const uint32_t ib = Instantiate(*v8, mb);
      CHECK(ib == 1);
      CHECK(Returned(v8->Invoke(ib, "eight", {})) == Vals{Value::I32(8)});

      REQUIRE(v8->Reset());
      CHECK(v8->TakeLog().empty());
      // The registration is gone with the instances.
      InstantiateOutcome r = v8->Instantiate(mb);
      CHECK(r.status == InstantiateOutcome::Status::kUnlinkable);
      CHECK(r.message.find("unknown import") != std::string::npos);
      const uint32_t again = Instantiate(*v8, ma);
      CHECK(again == 0);
      CHECK(Returned(v8->Invoke(again, "seven", {})) == Vals{Value::I32(7)});
      v8->Register("a", again);
      CHECK(Instantiate(*v8, mb) == 1);
      CHECK(Returned(v8->Invoke(1, "eight", {})) == Vals{Value::I32(8)});
    }
  }
}

// The live `node` children of this process (zombies left out), found in /proc.
std::set<pid_t> NodeChildren() {
  namespace fs = std::filesystem;
  std::set<pid_t> out;
  std::error_code ec;
  for (const fs::directory_entry& d : fs::directory_iterator("/proc", ec)) {
    const std::string pid = d.path().filename().string();
    if (pid.empty() || pid.find_first_not_of("0123456789") != std::string::npos) continue;
    // Read with read(2): a process that ends meanwhile fails it with ESRCH (ifstream throws).
    char buf[512];
    const int fd = open((d.path() / "stat").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    const ssize_t n = read(fd, buf, sizeof buf);
    close(fd);
    if (n <= 0) continue;
    const std::string stat(buf, static_cast<size_t>(n));
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses.
    const size_t open = stat.find('('), close = stat.rfind(')');
    if (open == std::string::npos || close == std::string::npos || close + 4 > stat.size())
      continue;
    const std::string comm = stat.substr(open + 1, close - open - 1);
    if (stat[close + 2] == 'Z' || std::strtol(stat.c_str() + close + 4, nullptr, 10) != getpid())
      continue;
    std::error_code lec;
    const std::string exe = fs::read_symlink(d.path() / "exe", lec).filename().string();
    if (comm == "node" || exe.rfind("node", 0) == 0) out.insert(static_cast<pid_t>(std::stol(pid)));
  }
  return out;
}

std::set<pid_t> NewNodeChildren(const std::set<pid_t>& before) {
  std::set<pid_t> out;
  for (pid_t p : NodeChildren())
    if (!before.count(p)) out.insert(p);
  return out;
}

TEST_CASE("v8: a killed node is a peer failure; the next instantiation starts a new one", "[v8]") {
  V8_OR_SKIP();
  gen::ModuleBuilder b;
  Fn(b, "triple", FuncType{{I32}, {I32}}, gen::Code().LocalGet(0).I32(3).Add(Op::I32Mul));
  auto m = Load(b.Build());
  for (const std::string& name : V8EngineNames()) {
    DYNAMIC_SECTION(name) {
      const std::set<pid_t> before = NodeChildren();
      auto v8 = Make(name);
      const std::set<pid_t> mine = NewNodeChildren(before);
      REQUIRE(mine.size() == 1);
      const pid_t node = *mine.begin();
      const uint32_t vi = Instantiate(*v8, m);
      CHECK(Returned(v8->Invoke(vi, "triple", Vals{Value::I32(5)})) == Vals{Value::I32(15)});

      REQUIRE(kill(node, SIGKILL) == 0);
      const Outcome o = v8->Invoke(vi, "triple", Vals{Value::I32(5)});
      INFO(wasm::ToString(o) << " / " << o.message);
      CHECK(o.kind == Outcome::Kind::kUnsupported);
      CHECK(o.message.rfind("peer failure:", 0) == 0);
      CHECK(NodeChildren().count(node) == 0);  // reaped, not left a zombie
      // The old instance went with the process: unsupported, never a divergence.
      CHECK(v8->Get(vi, "x").kind == Outcome::Kind::kUnsupported);

      const uint32_t again = Instantiate(*v8, m);
      CHECK(again == 0);
      CHECK(Returned(v8->Invoke(again, "triple", Vals{Value::I32(0xfffffffeu)})) ==
            Vals{Value::I32(0xfffffffau)});
      const std::set<pid_t> now = NewNodeChildren(before);
      REQUIRE(now.size() == 1);
      CHECK(*now.begin() != node);
    }
  }
}

TEST_CASE("v8: Check is V8's own front end: valid, malformed and invalid modules", "[v8]") {
  V8_OR_SKIP();
  gen::ModuleBuilder b;
  Fn(b, "f", FuncType{{}, {I32}}, gen::Code().I32(1));
  const std::vector<uint8_t> valid = b.Build();
  const std::vector<uint8_t> bad_magic = {0, 'a', 's', 'x', 1, 0, 0, 0};
  // (func (result i32) BODY) with BODY = i32.add (an empty operand stack), or return_call 0
  // (tail calls are not Wasm 2.0; V8 runs with them off).
  auto with_body = [](uint8_t op, std::vector<uint8_t> imm) {
    const uint8_t body = static_cast<uint8_t>(3 + imm.size());  // no locals, op, imm, end
    std::vector<uint8_t> m = {0, 'a', 's', 'm', 1, 0, 0, 0,
                              1, 5, 1, 0x60, 0, 1, 0x7f,  // type section: () -> i32
                              3, 2, 1, 0,                 // function section: 0 of type 0
                              10, static_cast<uint8_t>(body + 2), 1, body, 0, op};
    for (uint8_t x : imm) m.push_back(x);
    m.push_back(0x0b);
    return m;
  };
  const std::vector<uint8_t> invalid = with_body(0x6a, {});
  const std::vector<uint8_t> tail_call = with_body(0x12, {0});
  // tandem's own front end agrees on all four.
  CHECK(MakeCase(valid, std::nullopt).module);
  for (const auto* bytes : {&bad_magic, &invalid, &tail_call})
    CHECK_FALSE(MakeCase(*bytes, std::nullopt).module);
  for (const std::string& name : V8EngineNames()) {
    DYNAMIC_SECTION(name) {
      auto v8 = Make(name);
      auto ok = v8->Check(valid);
      REQUIRE(ok);
      CHECK(ok->accepted);
      for (const auto* bytes : {&bad_magic, &invalid, &tail_call}) {
        auto refused = v8->Check(*bytes);
        REQUIRE(refused);
        INFO("V8 says: " << refused->message);
        CHECK_FALSE(refused->accepted);
        CHECK_FALSE(refused->message.empty());
      }
      // The refusals did not disturb the engine.
      const uint32_t vi = Instantiate(*v8, Load(valid));
      CHECK(Returned(v8->Invoke(vi, "f", {})) == Vals{Value::I32(1)});
    }
  }
}

TEST_CASE("v8: the harness runs V8 on denan modules only, and allows other stack depths",
          "[v8]") {
  V8_OR_SKIP();
  HarnessOptions o;
  o.engines = {"ref", "v8-liftoff"};
  {
    // (memory (export "mem") 1) (global (export "g") (mut i32) (i32.const 0))
    // (func (export "f") (result i32)
    //   (i32.store8 (i32.const 8) (i32.const 42)) (global.set 0 (i32.const 9)) (i32.const 42))
    gen::ModuleBuilder b;
    b.Memory(1, std::nullopt);
    b.Export("mem", ExternKind::Memory, 0);
    b.Export("g", ExternKind::Global, b.Global(I32, true, gen::ConstInstr(Value::I32(0))));
    Fn(b, "f", FuncType{{}, {I32}},
       gen::Code().I32(8).I32(42).Memory(Op::I32Store8, 0).I32(9).Add(Op::GlobalSet, 0).I32(42));
    const std::vector<uint8_t> plain = b.Build();

    Case without = MakeCase(plain, std::nullopt);
    REQUIRE(without.module);
    CHECK_FALSE(HasDenanSection(*without.module));
    CaseResult r = RunCase(without, o);
    INFO(FormatCaseResult(r, without));
    CHECK(r.verdict == CaseResult::Verdict::kAgree);
    REQUIRE(r.engines.size() == 2);
    CHECK(r.engines[0].outcomes == std::vector<std::string>{"returned i32:0x0000002a"});
    CHECK(r.engines[1].unsupported);
    CHECK(r.engines[1].instantiation.find("--denan") != std::string::npos);
    CHECK(r.engines[1].outcomes.empty());

    Case with = MakeCase(WithDenan(plain), std::nullopt);
    REQUIRE(with.module);
    CHECK(HasDenanSection(*with.module));
    CaseResult d = RunCase(with, o);
    INFO(FormatCaseResult(d, with));
    CHECK(d.verdict == CaseResult::Verdict::kAgree);
    REQUIRE(d.engines.size() == 2);
    CHECK_FALSE(d.engines[1].unsupported);
    CHECK(d.engines[1].instantiation == "instantiated");
    CHECK(d.engines[1].outcomes == std::vector<std::string>{"returned i32:0x0000002a"});
    CHECK(d.engines[1].allowed.empty());
    CHECK(d.divergences.empty());
    CHECK(d.failures.empty());
  }
  {
    // (func $rec (export "rec") (param i32) (result i32)
    //   (if (result i32) (i32.eqz (local.get 0)) (then (i32.const 0))
    //     (else (i32.add (call $rec (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))))
    gen::ModuleBuilder b;
    gen::Code c;
    c.LocalGet(0).Add(Op::I32Eqz).Block(Op::If, gen::BlockValue(I32)).I32(0).Add(Op::Else);
    c.LocalGet(0).I32(1).Add(Op::I32Sub).Add(Op::Call, 0).I32(1).Add(Op::I32Add).End();
    Fn(b, "rec", FuncType{{I32}, {I32}}, std::move(c));
    Script s;
    s.calls.push_back(Call{"rec", {Value::I32(1000)}, std::nullopt});
    Case rc = MakeCase(WithDenan(b.Build()), s);
    REQUIRE(rc.module);

    // Deep enough for both: they agree on the value, nothing allowed.
    CaseResult deep = RunCase(rc, o);
    INFO(FormatCaseResult(deep, rc));
    CHECK(deep.verdict == CaseResult::Verdict::kAgree);
    REQUIRE(deep.engines.size() == 2);
    CHECK(deep.engines[0].outcomes == std::vector<std::string>{"returned i32:0x000003e8"});
    CHECK(deep.engines[1].outcomes == deep.engines[0].outcomes);
    CHECK(deep.engines[1].allowed.empty());
    CHECK_FALSE(deep.engines[1].unsupported);

    // ref limited to 100 frames runs out, V8 does not: allowed, not a divergence.
    o.config.max_call_depth = 100;
    CaseResult r = RunCase(rc, o);
    INFO(FormatCaseResult(r, rc));
    CHECK(r.verdict == CaseResult::Verdict::kAgree);
    CHECK(r.divergences.empty());
    REQUIRE(r.engines.size() == 2);
    CHECK(r.engines[0].outcomes ==
          std::vector<std::string>{"exhausted: call stack exhausted"});
    CHECK(r.engines[0].allowed.empty());
    CHECK(r.engines[1].outcomes == std::vector<std::string>{"returned i32:0x000003e8"});
    CHECK(r.engines[1].allowed == "call stack exhausted at a different depth");
    CHECK(r.engines[1].unsupported);

    // A script that expects the exhaustion (a regression case made on ref): the allowed
    // difference is not held against V8 as an unmet expectation.
    Script expecting = s;
    expecting.calls[0].expect = ExpectationFromText("exhausted: call stack exhausted");
    Case ec = MakeCase(WithDenan(b.Build()), expecting);
    CaseResult e = RunCase(ec, o);
    INFO(FormatCaseResult(e, ec));
    CHECK(e.verdict == CaseResult::Verdict::kAgree);
    CHECK(e.failures.empty());
    CHECK(e.engines[1].allowed == "call stack exhausted at a different depth");
  }
}

}  // namespace
}  // namespace tandem::diff
