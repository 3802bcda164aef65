// executor_a64_test.cc: the Unicorn executor for AArch64 code, driven with hand-encoded
// instructions (the a64 back end is tested through the spec suite): return path, exit path,
// runtime services through the table, and arena pages committed by a service becoming visible.
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
uint64_t TestGrow(uint8_t* base, uint64_t desc, uint64_t delta, uint64_t, uint64_t, uint64_t) {
  if (base != g_arena->base() || desc != g_arena->memory_desc_offset(0)) return kRuntimeTrapped;
  auto old = g_arena->GrowMemory(0, delta);
  return old ? *old : 0xffffffffu;
}

struct Fixture {
  std::unique_ptr<Arena> arena = Arena::Create();
  uint64_t stack_bytes = 1 << 20;
  uint8_t* stack = static_cast<uint8_t*>(mmap(nullptr, stack_bytes, PROT_READ | PROT_WRITE,
                                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  uint64_t table_bytes = 1 << 16;
  uint64_t* code_table = static_cast<uint64_t*>(mmap(nullptr, table_bytes, PROT_READ | PROT_WRITE,
                                                     MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
  RuntimeFn services[static_cast<size_t>(RuntimeCall::kCount)] = {};
  std::unique_ptr<Executor> exec;
  uint64_t jit_sp() const { return reinterpret_cast<uint64_t>(stack) + stack_bytes - 64; }

  Fixture() {
    FillRuntimeTable(services);
    services[static_cast<size_t>(RuntimeCall::kMemoryGrow)] = &TestGrow;
    g_arena = arena.get();
    ExecutorEnv env{arena.get(), stack, stack_bytes, code_table, table_bytes, services};
    std::string error;
    exec = MakeA64UnicornExecutor(env, &error);
    INFO(error);
    REQUIRE(exec);
  }
  ~Fixture() {
    exec.reset();
    munmap(stack, stack_bytes);
    munmap(code_table, table_bytes);
  }
};

TEST_CASE("a64 under Unicorn: return, exit and arena visibility", "[a64][executor]") {
  Fixture f;
  // return 42 in the result slot
  uint64_t fn = f.exec->AddCode(Bytes({Movz(0, 42, 0), StrSp(0, 0), kRet}), nullptr);
  REQUIRE(fn != 0);
  REQUIRE(f.exec->Call(fn, f.jit_sp()) == 0);
  CHECK(*reinterpret_cast<uint64_t*>(f.jit_sp()) == 42);

  // x28 holds the arena base: store it to the result slot.
  fn = f.exec->AddCode(Bytes({StrSp(28, 0), kRet}), nullptr);
  REQUIRE(f.exec->Call(fn, f.jit_sp()) == 0);
  CHECK(*reinterpret_cast<uint64_t*>(f.jit_sp()) ==
        reinterpret_cast<uint64_t>(f.arena->base()));

  // Jumping to the exit address leaves with 1.
  std::vector<uint32_t> code;
  MovImm64(code, 16, f.exec->exit_address());
  code.push_back(Br(16));
  fn = f.exec->AddCode(Bytes(code), nullptr);
  CHECK(f.exec->Call(fn, f.jit_sp()) == 1);
}

TEST_CASE("a64 under Unicorn: runtime services, and pages they commit", "[a64][executor]") {
  Fixture f;
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

}  // namespace
}  // namespace tandem::jit
