// engine_test.cc: behaviour every engine must share, written once and run on every engine
// (STYLE.md 8; DESIGN.md "Determinism", "NaN", "Outcome of an invocation").
#include "diff/engine.h"

#include <catch2/catch.hpp>

#include "reference/decoder.h"
#include "reference/numerics.h"
#include "reference/tests/wat_util.h"
#include "reference/validator.h"

namespace tandem::diff {
namespace {

using wasm::Outcome;
using wasm::Value;

std::shared_ptr<const wasm::Module> Compile(const std::string& wat) {
  auto bytes = testing::WatToWasm(wat);
  auto m = std::make_shared<wasm::Module>(wasm::Decode(bytes));
  wasm::Validate(*m);
  return m;
}

// Engines that do not implement SIMD yet (the JIT back ends) may decline vector modules; the
// reference must run everything.
enum class Needs { kCore, kSimd };

struct Harness {
  std::unique_ptr<Engine> engine;
  uint32_t instance = 0;
  bool supported = true;
  Harness(const std::string& name, const EngineConfig& config, const std::string& wat,
          Needs needs = Needs::kCore)
      : engine(MakeEngine(name, config)) {
    REQUIRE(engine);
    InstantiateOutcome r = engine->Instantiate(Compile(wat));
    if (needs == Needs::kSimd && name != "ref" &&
        r.status == InstantiateOutcome::Status::kUnsupported) {
      WARN(name << " does not support SIMD yet: " << r.message);
      supported = false;
      return;
    }
    REQUIRE(r.status == InstantiateOutcome::Status::kOk);
    instance = r.instance;
  }
  Outcome Call(std::string_view f, std::vector<Value> args = {}) {
    return engine->Invoke(instance, f, args);
  }
};

const char* kLoops = R"(
(module
  (func $f)
  (func (export "calls") (param i32)
    (loop $l
      (call $f)
      (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))))
  (func $down (export "down") (param i32) (result i32)
    (if (result i32) (i32.eqz (local.get 0))
      (then (i32.const 0))
      (else (i32.add (i32.const 1) (call $down (i32.sub (local.get 0) (i32.const 1))))))))
)";

TEST_CASE("fuel: one unit per function entry and loop header, same on every engine", "[diff]") {
  for (const std::string& name : EngineNames()) {
    DYNAMIC_SECTION(name) {
      // calls(n): 1 entry + n loop headers + n calls to $f = 2n+1 units.
      EngineConfig config;
      config.fuel = 21;
      Harness h(name, config, kLoops);
      Outcome ok = h.Call("calls", {Value::I32(10)});
      CHECK(ok.kind == Outcome::Kind::kValues);
      Harness h2(name, config, kLoops);
      Outcome out = h2.Call("calls", {Value::I32(11)});
      REQUIRE(out.kind == Outcome::Kind::kExhausted);
      CHECK(out.exhaustion == wasm::ExhaustionKind::kFuel);
    }
  }
}

TEST_CASE("call depth limit decides exhaustion, not the host stack", "[diff]") {
  for (const std::string& name : EngineNames()) {
    DYNAMIC_SECTION(name) {
      EngineConfig config;
      config.max_call_depth = 100;
      Harness h(name, config, kLoops);
      Outcome ok = h.Call("down", {Value::I32(99)});  // 100 frames
      REQUIRE(ok.kind == Outcome::Kind::kValues);
      CHECK(ok.values[0].i32() == 99);
      Outcome out = h.Call("down", {Value::I32(100)});  // 101 frames
      REQUIRE(out.kind == Outcome::Kind::kExhausted);
      CHECK(out.exhaustion == wasm::ExhaustionKind::kCallStack);
      // The engine stays usable after exhaustion.
      CHECK(h.Call("down", {Value::I32(5)}).values.at(0).i32() == 5);

      config.max_call_depth = 200000;  // far deeper than any host stack frame budget
      Harness deep(name, config, kLoops);
      Outcome d = deep.Call("down", {Value::I32(150000)});
      REQUIRE(d.kind == Outcome::Kind::kValues);
      CHECK(d.values[0].i32() == 150000);
    }
  }
}

const char* kNaN = R"(
(module
  (func (export "div") (param f32 f32) (result f32) (f32.div (local.get 0) (local.get 1)))
  (func (export "sqrt64") (param f64) (result f64) (f64.sqrt (local.get 0)))
  (func (export "neg") (param f32) (result f32) (f32.neg (local.get 0)))
  (func (export "add64") (param f64 f64) (result f64) (f64.add (local.get 0) (local.get 1))))
)";

TEST_CASE("NaN-canonical mode canonicalises arithmetic NaNs and keeps bit operations", "[diff]") {
  for (const std::string& name : EngineNames()) {
    DYNAMIC_SECTION(name) {
      EngineConfig config;
      config.nan_canonical = true;
      Harness h(name, config, kNaN);
      Outcome o = h.Call("div", {Value::F32(0.0f), Value::F32(0.0f)});
      CHECK(o.values.at(0).bits == wasm::num::kF32CanonicalNaN);
      o = h.Call("sqrt64", {Value::F64(-1.0)});
      CHECK(o.values.at(0).bits == wasm::num::kF64CanonicalNaN);
      // A NaN operand with a payload: arithmetic yields the positive canonical NaN.
      o = h.Call("add64", {Value::F64Bits(0xfff0000000000001ull), Value::F64(1.0)});
      CHECK(o.values.at(0).bits == wasm::num::kF64CanonicalNaN);
      // neg is a bit operation: the payload and the flipped sign survive.
      o = h.Call("neg", {Value::F32Bits(0x7fa00001u)});
      CHECK(o.values.at(0).bits == 0xffa00001u);

      EngineConfig plain;
      Harness p(name, plain, kNaN);
      o = p.Call("div", {Value::F32(0.0f), Value::F32(0.0f)});
      CHECK(wasm::num::IsCanonicalNaN32(static_cast<uint32_t>(o.values.at(0).bits)));
    }
  }
}

const char* kSimdNaN = R"(
(module
  (func (export "div") (param v128 v128) (result v128) (f32x4.div (local.get 0) (local.get 1)))
  (func (export "sqrt") (param v128) (result v128) (f64x2.sqrt (local.get 0)))
  (func (export "min") (param v128 v128) (result v128) (f32x4.min (local.get 0) (local.get 1)))
  (func (export "demote") (param v128) (result v128) (f32x4.demote_f64x2_zero (local.get 0)))
  (func (export "neg") (param v128) (result v128) (f32x4.neg (local.get 0))))
)";

Value V128(uint64_t lo, uint64_t hi) { return Value{wasm::ValType::V128, lo, hi}; }

TEST_CASE("NaN-canonical mode covers the vector float arithmetic, lane by lane", "[diff]") {
  constexpr uint64_t kC32x2 =
      uint64_t{wasm::num::kF32CanonicalNaN} << 32 | wasm::num::kF32CanonicalNaN;
  const Value zeros = V128(0, 0);
  const Value ones32 = V128(0x3f8000003f800000, 0x3f8000003f800000);  // f32x4 1.0
  for (const std::string& name : EngineNames()) {
    DYNAMIC_SECTION(name) {
      EngineConfig config;
      config.nan_canonical = true;
      Harness h(name, config, kSimdNaN, Needs::kSimd);
      if (!h.supported) continue;
      // 0/0 in lanes 0-1, 1/0 = inf in lanes 2-3 (hi half of the dividend is 1.0).
      Outcome o = h.Call("div", {V128(0, 0x3f8000003f800000), zeros});
      REQUIRE(o.kind == Outcome::Kind::kValues);
      CHECK(o.values.at(0) == V128(kC32x2, 0x7f8000007f800000));
      // sqrt(-1) and a negative NaN with a payload: both lanes become the positive canonical NaN.
      o = h.Call("sqrt", {V128(0xbff0000000000000, 0xfff0000000000001)});
      CHECK(o.values.at(0) == V128(wasm::num::kF64CanonicalNaN, wasm::num::kF64CanonicalNaN));
      // min with a payload NaN operand in lane 1 only; the other lanes are exact.
      o = h.Call("min", {V128(0xffa00001'3f800000, 0x3f8000003f800000), ones32});
      CHECK(o.values.at(0) ==
            V128(uint64_t{wasm::num::kF32CanonicalNaN} << 32 | 0x3f800000, 0x3f8000003f800000));
      // demote of an f64 NaN with a payload: lane 0 canonical, lane 1 exact, lanes 2-3 zero.
      o = h.Call("demote", {V128(0xfff4000000000000, 0x3ff0000000000000)});
      CHECK(o.values.at(0) == V128(uint64_t{0x3f800000} << 32 | wasm::num::kF32CanonicalNaN, 0));
      // neg is a bit operation: payloads and flipped signs survive.
      o = h.Call("neg", {V128(0x7fa00001'ffa00002, 0)});
      CHECK(o.values.at(0) == V128(0xffa00001'7fa00002, 0x8000000080000000));

      EngineConfig plain;
      Harness p(name, plain, kSimdNaN);
      o = p.Call("sqrt", {V128(0xbff0000000000000, 0xbff0000000000000)});
      REQUIRE(o.kind == Outcome::Kind::kValues);
      for (uint64_t lane : {o.values.at(0).bits, o.values.at(0).hi})
        CHECK((lane & 0x7fffffffffffffff) == wasm::num::kF64CanonicalNaN);
    }
  }
}

TEST_CASE("v128 values: a trapping vector store writes nothing; scalars stay clean", "[diff]") {
  for (const std::string& name : EngineNames()) {
    DYNAMIC_SECTION(name) {
      Harness h(name, {}, R"((module (memory 1)
        (global (export "g") (mut i32) (i32.const 0))
        (global (export "gv") v128 (v128.const i32x4 1 2 3 4))
        (func (export "st") (param i32) (v128.store (local.get 0) (v128.const i64x2 -1 -1)))
        (func (export "ld") (param i32) (result v128) (v128.load (local.get 0)))
        (func (export "lane") (param i32) (result v128)
          (v128.load32_lane 2 (local.get 0) (v128.const i32x4 -1 -1 -1 -1)))
        (func (export "scalar") (result i32)
          (drop (v128.const i64x2 -1 -1))
          (global.set 0 (i32.const 7))
          (i32.const 7))))", Needs::kSimd);
      if (!h.supported) continue;
      Outcome o = h.Call("st", {Value::I32(65520)});
      REQUIRE(o.kind == Outcome::Kind::kValues);
      o = h.Call("st", {Value::I32(65521)});  // 65521 + 16 > 65536
      REQUIRE(o.kind == Outcome::Kind::kTrap);
      CHECK(o.trap == wasm::TrapKind::MemoryOutOfBounds);
      CHECK(h.Call("ld", {Value::I32(65504)}).values.at(0) == V128(0, 0));
      CHECK(h.Call("ld", {Value::I32(65520)}).values.at(0) == V128(~uint64_t{0}, ~uint64_t{0}));
      CHECK(h.Call("lane", {Value::I32(65532)}).values.at(0) ==
            V128(~uint64_t{0}, 0xffffffff'ffffffff));
      CHECK(h.Call("lane", {Value::I32(0)}).values.at(0) ==
            V128(~uint64_t{0}, 0xffffffff'00000000));
      CHECK(h.Call("lane", {Value::I32(65533)}).trap == wasm::TrapKind::MemoryOutOfBounds);
      // An i32 computed where a v128 lived is exactly i32:7 (no stale high half).
      CHECK(h.Call("scalar").values.at(0) == Value::I32(7));
      CHECK(h.engine->Get(h.instance, "g").values.at(0) == Value::I32(7));
      CHECK(h.engine->Get(h.instance, "gv").values.at(0) ==
            V128(0x0000000200000001, 0x0000000400000003));
    }
  }
}

TEST_CASE("instantiation: a trapping segment keeps earlier writes (Wasm 2.0)", "[diff]") {
  for (const std::string& name : EngineNames()) {
    DYNAMIC_SECTION(name) {
      auto engine = MakeEngine(name, {});
      auto mem = engine->Instantiate(Compile(R"((module (memory (export "m") 1)
          (func (export "peek") (param i32) (result i32) (i32.load8_u (local.get 0)))))"));
      REQUIRE(mem.status == InstantiateOutcome::Status::kOk);
      engine->Register("M", mem.instance);
      auto bad = engine->Instantiate(Compile(R"((module (import "M" "m" (memory 1))
          (data (i32.const 10) "\2a") (data (i32.const 65536) "x")))"));
      REQUIRE(bad.status == InstantiateOutcome::Status::kUninstantiable);
      CHECK(bad.failure.trap == wasm::TrapKind::MemoryOutOfBounds);
      CHECK(engine->Invoke(mem.instance, "peek", std::vector{Value::I32(10)}).values.at(0).i32() ==
            42);

      auto unknown = engine->Instantiate(Compile(R"((module (import "M" "nope" (func))))"));
      CHECK(unknown.status == InstantiateOutcome::Status::kUnlinkable);
      CHECK(unknown.message.rfind("unknown import", 0) == 0);
      auto incompatible = engine->Instantiate(Compile(R"((module (import "M" "m" (memory 2))))"));
      CHECK(incompatible.status == InstantiateOutcome::Status::kUnlinkable);
      CHECK(incompatible.message.rfind("incompatible import type", 0) == 0);
    }
  }
}

TEST_CASE("traps carry their kind; a trapping store writes nothing", "[diff]") {
  for (const std::string& name : EngineNames()) {
    DYNAMIC_SECTION(name) {
      Harness h(name, {}, R"((module (memory 1)
        (func (export "st") (param i32) (i64.store (local.get 0) (i64.const -1)))
        (func (export "ld") (param i32) (result i64) (i64.load (local.get 0)))
        (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))))");
      Outcome o = h.Call("st", {Value::I32(65532)});
      REQUIRE(o.kind == Outcome::Kind::kTrap);
      CHECK(o.trap == wasm::TrapKind::MemoryOutOfBounds);
      CHECK(h.Call("ld", {Value::I32(65528)}).values.at(0).i64() == 0);
      o = h.Call("div", {Value::I32(0x80000000u), Value::I32(0xffffffffu)});
      CHECK(o.trap == wasm::TrapKind::IntegerOverflow);
      o = h.Call("div", {Value::I32(1), Value::I32(0)});
      CHECK(o.trap == wasm::TrapKind::IntegerDivideByZero);
    }
  }
}

}  // namespace
}  // namespace tandem::diff
