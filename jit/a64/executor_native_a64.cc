// executor_native_a64.cc: running AArch64 code natively on aarch64 hosts (docs/jit.md "AArch64",
// docs/aarch64.md): the entry trampoline, the exit path, host-function entries, W^X code memory.
#include <sys/mman.h>

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <stdexcept>

#include "jit/a64/assembler_a64.h"
#include "jit/arena.h"
#include "jit/native_executor.h"

namespace tandem::jit {

namespace {

using namespace a64;

// The trampoline's host frame: x19-x30 (96 bytes), d8-d15 (64), the enclosing call's saved sp
// (8), padding to 16.
constexpr int32_t kFrameBytes = 176;
constexpr int32_t kOuterSavedSp = 160;

class A64NativeExecutor final : public NativeExecutor {
 public:
  explicit A64NativeExecutor(const ExecutorEnv& env) : NativeExecutor(env) {}

  Arch arch() const override { return Arch::kA64; }

 protected:
  // A per-function thunk records the store index in header.scratch[0] (the same 32-bit store
  // the x86-64 thunk makes, so both arenas hold the same bytes) and jumps to the shared stub.
  std::vector<uint8_t> HostThunk(uint32_t store_index, uint64_t host_stub) override {
    Assembler a;
    a.MovImm32(Reg::x16, store_index);
    a.str(W::k32, Reg::x16, Mem(Reg::x28, offsetof(ArenaHeader, scratch)));
    a.MovImm64(Reg::x16, host_stub);
    a.br(Reg::x16);
    return a.code();
  }

  // entry(x0 = arena base, x1 = target, x2 = JIT sp): saves x19-x30 and d8-d15 and the host sp
  // (in saved_sp_; the enclosing call's value is kept in the frame, so a host function may call
  // back into JIT code), pins x28, switches sp and calls target; returns 0. `exit` (reached by
  // `br` from anywhere in JIT code) restores the host sp and registers and returns 1.
  // The host stub is entered like any wasm function ([sp + 8*i] holds the arguments, x30 the
  // return address) with the store index in header.scratch[0], and forwards to CallHost.
  std::vector<uint8_t> BuildStubs(size_t* exit_offset, size_t* host_stub_offset) override {
    Assembler a;
    Label exit, restore;
    const uint64_t saved_sp = reinterpret_cast<uint64_t>(&saved_sp_);
    const Reg pairs[6][2] = {{Reg::x19, Reg::x20}, {Reg::x21, Reg::x22}, {Reg::x23, Reg::x24},
                             {Reg::x25, Reg::x26}, {Reg::x27, Reg::x28}, {Reg::x29, Reg::x30}};
    const VReg fpairs[4][2] = {{VReg::v8, VReg::v9},
                               {VReg::v10, VReg::v11},
                               {VReg::v12, VReg::v13},
                               {VReg::v14, VReg::v15}};

    a.stp(W::k64, pairs[0][0], pairs[0][1], Mem::PreIndex(Reg::sp, -kFrameBytes));
    for (int i = 1; i < 6; ++i) a.stp(W::k64, pairs[i][0], pairs[i][1], Mem(Reg::sp, 16 * i));
    for (int i = 0; i < 4; ++i)
      a.stp(FpW::kD, fpairs[i][0], fpairs[i][1], Mem(Reg::sp, 96 + 16 * i));
    a.MovImm64(Reg::x9, saved_sp);
    a.ldr(W::k64, Reg::x10, Mem(Reg::x9, 0));
    a.str(W::k64, Reg::x10, Mem(Reg::sp, kOuterSavedSp));
    a.mov(W::k64, Reg::x10, Reg::sp);
    a.str(W::k64, Reg::x10, Mem(Reg::x9, 0));
    a.mov(W::k64, Reg::x28, Reg::x0);
    a.mov(W::k64, Reg::sp, Reg::x2);
    a.blr(Reg::x1);
    a.movz(W::k64, Reg::x0, 0);
    a.b(restore);
    a.bind(exit);
    *exit_offset = exit.pos();
    a.movz(W::k64, Reg::x0, 1);
    a.bind(restore);
    a.MovImm64(Reg::x9, saved_sp);
    a.ldr(W::k64, Reg::x10, Mem(Reg::x9, 0));
    a.mov(W::k64, Reg::sp, Reg::x10);
    a.ldr(W::k64, Reg::x10, Mem(Reg::sp, kOuterSavedSp));
    a.str(W::k64, Reg::x10, Mem(Reg::x9, 0));
    for (int i = 3; i >= 0; --i)
      a.ldp(FpW::kD, fpairs[i][0], fpairs[i][1], Mem(Reg::sp, 96 + 16 * i));
    for (int i = 5; i >= 1; --i) a.ldp(W::k64, pairs[i][0], pairs[i][1], Mem(Reg::sp, 16 * i));
    a.ldp(W::k64, pairs[0][0], pairs[0][1], Mem::PostIndex(Reg::sp, kFrameBytes));
    a.ret();

    while (a.offset() % 16) a.brk(0);
    *host_stub_offset = a.offset();
    a.stp(W::k64, Reg::x29, Reg::x30, Mem::PreIndex(Reg::sp, -16));
    a.mov(W::k64, Reg::x29, Reg::sp);  // sp stays 16-byte aligned for the C call
    a.mov(W::k64, Reg::x0, Reg::x28);
    a.ldr(W::k32, Reg::x1, Mem(Reg::x28, offsetof(ArenaHeader, scratch)));
    a.add(W::k64, Reg::x2, Reg::x29, 16);
    a.MovImm64(Reg::x16,
               runtime_table_address() + 8 * static_cast<uint64_t>(RuntimeCall::kCallHost));
    a.ldr(W::k64, Reg::x16, Mem(Reg::x16, 0));
    a.blr(Reg::x16);
    a.cmn(W::k64, Reg::x0, 1);  // kRuntimeTrapped: leave through exit (it resets sp)
    a.b(Cond::eq, exit);
    a.ldp(W::k64, Reg::x29, Reg::x30, Mem::PostIndex(Reg::sp, 16));
    a.ret();
    return a.code();
  }

 private:
  uint64_t saved_sp_ = 0;  // the host sp while JIT code runs
};

}  // namespace

bool A64RunsNatively() {
#if defined(__aarch64__)
  return true;
#else
  return false;
#endif
}

std::unique_ptr<Executor> MakeA64NativeExecutor(const ExecutorEnv& env, std::string* error) {
  if (!A64RunsNatively()) {
    *error = "AArch64 code cannot run natively on this host";
    return nullptr;
  }
  auto e = std::make_unique<A64NativeExecutor>(env);
  if (!e->Init(error)) return nullptr;
  return e;
}

}  // namespace tandem::jit
