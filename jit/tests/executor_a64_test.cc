// executor_a64_test.cc: the executors for AArch64 code (Unicorn everywhere, native on aarch64
// hosts), driven with hand-encoded instructions (the a64 back end is tested through the spec
// suite): return path, exit path, runtime services through the table, arena pages committed by
// a service becoming visible, host-function entries, callee-saved registers, re-entry.
#include <sys/mman.h>

#include <catch2/catch.hpp>

#include "jit/arena.h"
#include "jit/executor.h"
#include "jit/runtime.h"

namespace tandem::jit {
namespace {

// A few A64 encodings (checked against GNU as: see jit/a64/tests for the assembler's tables).
constexpr uint32_t Movz(int rd, uint32_t imm16, int shift) {
  return 0xd2800000u | (static_cast<uint32_t>(shift / 16) << 21) | (imm16 << 5) | rd;
}
constexpr uint32_t Movk(int rd, uint32_t imm16, int shift) {
  return 0xf2800000u | (static_cast<uint32_t>(shift / 16) << 21) | (imm16 << 5) | rd;
}
constexpr uint32_t kRet = 0xd65f03c0;
constexpr uint32_t kStpFrame = 0xa9bf7bfd;  // stp x29, x30, [sp, #-16]!
constexpr uint32_t kLdpFrame = 0xa8c17bfd;  // ldp x29, x30, [sp], #16
constexpr uint32_t kMovX0X28 = 0xaa1c03e0;  // mov x0, x28
constexpr uint32_t StrSp(int rt, uint32_t off) { return 0xf90003e0u | ((off / 8) << 10) | rt; }
constexpr uint32_t LdrX(int rt, int rn, uint32_t off) {
  return 0xf9400000u | ((off / 8) << 10) | (rn << 5) | rt;
}
constexpr uint32_t StrXReg(int rt, int rn, int rm) {  // str xt, [xn, xm]
  return 0xf8206800u | (rm << 16) | (rn << 5) | rt;
}
constexpr uint32_t Blr(int rn) { return 0xd63f0000u | (rn << 5); }
constexpr uint32_t FmovDX(int dd, int xn) { return 0x9e670000u | (xn << 5) | dd; }  // fmov d, x
constexpr uint32_t Br(int rn) { return 0xd61f0000u | (rn << 5); }

void MovImm64(std::vector<uint32_t>& code, int rd, uint64_t v) {
  code.push_back(Movz(rd, v & 0xffff, 0));
  code.push_back(Movk(rd, (v >> 16) & 0xffff, 16));
  code.push_back(Movk(rd, (v >> 32) & 0xffff, 32));
  code.push_back(Movk(rd, (v >> 48) & 0xffff, 48));
}

std::vector<uint8_t> Bytes(const std::vector<uint32_t>& words) {
  std::vector<uint8_t> b(words.size() * 4);
  std::memcpy(b.data(), words.data(), b.size());
  return b;
}

// Test services: the real ones (jit/runtime.cc) need a JitStore; these act on the arena alone.
Arena* g_arena = nullptr;
Executor* g_exec = nullptr;
uint64_t g_reenter_fn = 0, g_reenter_sp = 0;
uint64_t g_host_calls = 0, g_host_index = 0, g_host_args = 0;
// Doubles argument 0 in place; argument 0 == 13 traps; argument 0 == 77 first runs
// g_reenter_fn at g_reenter_sp (a host function calling back into JIT code) and adds its result.
uint64_t TestCallHost(uint8_t* base, uint64_t func, uint64_t args, uint64_t, uint64_t, uint64_t) {
  ++g_host_calls;
  g_host_index = func;
  g_host_args = args;
  auto* slots = reinterpret_cast<uint64_t*>(args);
  if (base != g_arena->base() || slots[0] == 13) return kRuntimeTrapped;
  if (slots[0] == 77) {
    if (g_exec->Call(g_reenter_fn, g_reenter_sp) != 0) return kRuntimeTrapped;
    slots[0] += *reinterpret_cast<uint64_t*>(g_reenter_sp);
  }
  slots[0] *= 2;
  return 0;
}
uint64_t TestGrow(uint8_t* base, uint64_t desc, uint64_t delta, uint64_t, uint64_t, uint64_t) {
  if (base != g_arena->base() || desc != g_arena->memory_desc_offset(0)) return kRuntimeTrapped;
  auto old = g_arena->GrowMemory(0, delta);
  return old ? *old : 0xffffffffu;
}

enum class Kind { kUnicorn, kNative };

// Unicorn everywhere, the native executor too on aarch64 hosts.
std::vector<Kind> Kinds() {
  std::vector<Kind> k = {Kind::kUnicorn};
  if (A64RunsNatively()) k.push_back(Kind::kNative);
  return k;
}
const char* Name(Kind k) { return k == Kind::kNative ? "native" : "Unicorn"; }

struct Fixture {
  std::unique_ptr<Arena> arena = Arena::Create();
  uint64_t stack_bytes = 1 << 20;
  uint8_t* stack = static_cast<uint8_t*>(
      mmap(nullptr, stack_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  uint64_t table_bytes = 1 << 16;
  uint64_t* code_table = static_cast<uint64_t*>(
      mmap(nullptr, table_bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  RuntimeFn services[static_cast<size_t>(RuntimeCall::kCount)] = {};
  std::unique_ptr<Executor> exec;
  uint64_t jit_sp() const { return reinterpret_cast<uint64_t>(stack) + stack_bytes - 64; }

  explicit Fixture(Kind kind) {
    FillRuntimeTable(services);
    services[static_cast<size_t>(RuntimeCall::kMemoryGrow)] = &TestGrow;
    services[static_cast<size_t>(RuntimeCall::kCallHost)] = &TestCallHost;
    g_arena = arena.get();
    ExecutorEnv env{arena.get(), stack, stack_bytes, code_table, table_bytes, services};
    std::string error;
    exec = kind == Kind::kNative ? MakeA64NativeExecutor(env, &error)
                                 : MakeA64UnicornExecutor(env, &error);
    INFO(error);
    REQUIRE(exec);
    CHECK(exec->arch() == Arch::kA64);
    g_exec = exec.get();
  }
  ~Fixture() {
    exec.reset();
    munmap(stack, stack_bytes);
    munmap(code_table, table_bytes);
  }
};

TEST_CASE("a64 executors: return, exit and arena visibility", "[a64][executor]") {
  for (Kind kind : Kinds()) {
    INFO(Name(kind));
    Fixture f(kind);
    // return 42 in the result slot
    uint64_t fn = f.exec->AddCode(Bytes({Movz(0, 42, 0), StrSp(0, 0), kRet}), nullptr);
    REQUIRE(fn != 0);
    REQUIRE(f.exec->Call(fn, f.jit_sp()) == 0);
    CHECK(*reinterpret_cast<uint64_t*>(f.jit_sp()) == 42);

    // x28 holds the arena base: store it to the result slot.
    fn = f.exec->AddCode(Bytes({StrSp(28, 0), kRet}), nullptr);
    REQUIRE(f.exec->Call(fn, f.jit_sp()) == 0);
    CHECK(*reinterpret_cast<uint64_t*>(f.jit_sp()) == reinterpret_cast<uint64_t>(f.arena->base()));

    // Jumping to the exit address leaves with 1.
    std::vector<uint32_t> code;
    MovImm64(code, 16, f.exec->exit_address());
    code.push_back(Br(16));
    fn = f.exec->AddCode(Bytes(code), nullptr);
    CHECK(f.exec->Call(fn, f.jit_sp()) == 1);
  }
}

TEST_CASE("a64 executors: runtime services, and pages they commit", "[a64][executor]") {
  for (Kind kind : Kinds()) {
    INFO(Name(kind));
    Fixture f(kind);
    auto mem = f.arena->AddMemory(wasm::MemoryType{wasm::Limits{1, 4}});
    REQUIRE(mem);
    uint64_t desc = f.arena->memory_desc_offset(*mem);
    uint64_t data = f.arena->memory(*mem).data_offset;
    // memory.grow(desc, 2) through the table, then store 7 at byte 65536 of the grown memory
    // (a page committed by the service) and return the service's result.
    std::vector<uint32_t> code = {kStpFrame, kMovX0X28};
    MovImm64(code, 1, desc);
    code.push_back(Movz(2, 2, 0));
    MovImm64(code, 16, f.exec->runtime_table_address());
    code.push_back(LdrX(17, 16, 8 * static_cast<uint32_t>(RuntimeCall::kMemoryGrow)));
    code.push_back(Blr(17));
    MovImm64(code, 9, data + 65536);
    code.push_back(Movz(10, 7, 0));
    code.push_back(StrXReg(10, 28, 9));
    code.push_back(kLdpFrame);
    code.push_back(StrSp(0, 0));
    code.push_back(kRet);
    std::string error;
    uint64_t fn = f.exec->AddCode(Bytes(code), &error);
    REQUIRE(fn != 0);
    REQUIRE(f.exec->Call(fn, f.jit_sp()) == 0);
    CHECK(*reinterpret_cast<uint64_t*>(f.jit_sp()) == 1);  // old size in pages
    CHECK(f.arena->memory(*mem).size_bytes == 3 * 65536);
    CHECK(f.arena->memory_data(*mem)[65536] == 7);
  }
}

TEST_CASE("a64 executors: host-function entries", "[a64][executor]") {
  for (Kind kind : Kinds()) {
    INFO(Name(kind));
    Fixture f(kind);
    uint64_t host = f.exec->HostFunctionEntry(5);
    REQUIRE(host != 0);
    auto* slot = reinterpret_cast<uint64_t*>(f.jit_sp());
    // Entered directly, like a wasm function: the argument is doubled in place.
    g_host_calls = 0;
    *slot = 21;
    REQUIRE(f.exec->Call(host, f.jit_sp()) == 0);
    CHECK(*slot == 42);
    CHECK(g_host_calls == 1);
    CHECK(g_host_index == 5);
    CHECK(g_host_args == f.jit_sp());

    // Called from JIT code through the code table: caller frame, argument at [sp], bl, result
    // copied to the caller's own result slot.
    f.code_table[5] = host;
    std::vector<uint32_t> code = {kStpFrame, 0xd10043ffu /* sub sp, sp, #16 */};
    MovImm64(code, 9, 50);
    code.push_back(StrSp(9, 0));
    MovImm64(code, 16, reinterpret_cast<uint64_t>(&f.code_table[5]));
    code.push_back(LdrX(17, 16, 0));
    code.push_back(Blr(17));
    code.push_back(LdrX(9, 31, 0));  // ldr x9, [sp]
    code.push_back(0x910043ffu);     // add sp, sp, #16
    code.push_back(kLdpFrame);
    code.push_back(StrSp(9, 0));
    code.push_back(kRet);
    uint64_t fn = f.exec->AddCode(Bytes(code), nullptr);
    REQUIRE(f.exec->Call(fn, f.jit_sp()) == 0);
    CHECK(*slot == 100);
    CHECK(g_host_index == 5);
    CHECK(g_host_args == f.jit_sp() - 32);

    // A host function that traps leaves through the exit path, even from inside a frame.
    *slot = 13;
    code[2] = Movz(9, 13, 0);
    fn = f.exec->AddCode(Bytes(code), nullptr);
    CHECK(f.exec->Call(fn, f.jit_sp()) == 1);
    // Both leave the store index where the x86-64 thunk does (header scratch[0]), so the arenas
    // of x64 and a64 stay byte-identical.
    CHECK(static_cast<uint32_t>(f.arena->header().scratch[0]) == 5);
  }
}

TEST_CASE("a64 executors: callee-saved registers survive return and exit", "[a64][executor]") {
  for (Kind kind : Kinds()) {
    INFO(Name(kind));
    Fixture f(kind);
    // Clobbers x19-x29 and d8-d15, then returns (variant 0) or exits (variant 1).
    uint64_t fns[2];
    for (int variant = 0; variant < 2; ++variant) {
      std::vector<uint32_t> code;
      for (int r = 19; r <= 29; ++r) code.push_back(Movz(r, 0xdead, 0));
      for (int d = 8; d <= 15; ++d) code.push_back(FmovDX(d, 19));
      if (variant == 0) {
        code.push_back(kRet);
      } else {
        MovImm64(code, 16, f.exec->exit_address());
        code.push_back(Br(16));
      }
      fns[variant] = f.exec->AddCode(Bytes(code), nullptr);
      REQUIRE(fns[variant] != 0);
    }
    // Host values live across the calls (at -O2 in callee-saved registers).
    volatile uint64_t seed = 3;
    uint64_t a = seed, b = seed * 7, c = seed * 11;
    double x = static_cast<double>(seed) * 0.5, y = static_cast<double>(seed) * 1.25;
    for (int i = 0; i < 20; ++i) {
      REQUIRE(f.exec->Call(fns[i % 2], f.jit_sp()) == static_cast<uint64_t>(i % 2));
      a += b;
      b += c;
      c += i;
      x += y;
      y *= 1.5;
    }
    uint64_t ea = 3, eb = 21, ec = 33;
    double ex = 1.5, ey = 3.75;
    for (int i = 0; i < 20; ++i) {
      ea += eb;
      eb += ec;
      ec += i;
      ex += ey;
      ey *= 1.5;
    }
    CHECK(a == ea);
    CHECK(b == eb);
    CHECK(c == ec);
    CHECK(x == ex);
    CHECK(y == ey);
  }
}

TEST_CASE("a64 native executor: a host function may call back into JIT code", "[a64][executor]") {
  if (!A64RunsNatively()) SUCCEED("not an aarch64 host: the native executor is not available");
  for (Kind kind : Kinds()) {
    if (kind != Kind::kNative) continue;
    Fixture f(kind);
    g_reenter_fn = f.exec->AddCode(Bytes({Movz(0, 5, 0), StrSp(0, 0), kRet}), nullptr);
    g_reenter_sp = f.jit_sp() - 4096;
    uint64_t host = f.exec->HostFunctionEntry(9);
    auto* slot = reinterpret_cast<uint64_t*>(f.jit_sp());
    *slot = 77;
    REQUIRE(f.exec->Call(host, f.jit_sp()) == 0);
    CHECK(*slot == 2 * (77 + 5));
    // After the nested call returned, the exit path still unwinds to the outer host frame.
    std::vector<uint32_t> code;
    MovImm64(code, 16, f.exec->exit_address());
    code.push_back(Br(16));
    CHECK(f.exec->Call(f.exec->AddCode(Bytes(code), nullptr), f.jit_sp()) == 1);
  }
}

}  // namespace
}  // namespace tandem::jit
