// executor_x64.cc: running x86-64 code natively (docs/jit.md "Entry, exit, traps"): the entry
// trampoline, the exit path, host-function entries, W^X code memory.
#include <sys/mman.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "jit/arena.h"
#include "jit/native_executor.h"
#include "jit/x64/assembler_x64.h"
#include "jit/x64/cpu_features.h"

namespace tandem::jit {

namespace {

using namespace x64;

class X64NativeExecutor final : public NativeExecutor {
 public:
  explicit X64NativeExecutor(const ExecutorEnv& env) : NativeExecutor(env) {}

  Arch arch() const override { return Arch::kX64; }

 protected:
  // A per-function thunk records the store index and jumps to the shared host stub:
  // `mov dword [r15 + scratch], idx; mov r11, stub; jmp r11`.
  std::vector<uint8_t> HostThunk(uint32_t store_index, uint64_t host_stub) override {
    Assembler a;
    a.mov(W::k32, Mem(Gp::r15, offsetof(ArenaHeader, scratch)), static_cast<int32_t>(store_index));
    a.movabs(Gp::r11, host_stub);
    a.jmp(Gp::r11);
    return a.code();
  }

  // entry(rdi = arena base, rsi = target, rdx = JIT stack pointer): saves the host's
  // callee-saved registers and rsp, pins r15, switches stacks and calls target; returns 0.
  // `exit` (reached by jmp from anywhere in JIT code) restores the host rsp and returns 1.
  // The host stub is entered like any wasm function ([rsp+8..] holds the arguments) with the
  // store index in header.scratch[0], and forwards to the service CallHost.
  std::vector<uint8_t> BuildStubs(size_t* exit_offset, size_t* host_stub_offset) override {
    Assembler a;
    Label exit, restore;
    const uint64_t saved_rsp = reinterpret_cast<uint64_t>(&saved_rsp_);
    for (Gp r : {Gp::rbx, Gp::rbp, Gp::r12, Gp::r13, Gp::r14, Gp::r15}) a.push(r);
    a.sub(W::k64, Gp::rsp, 8);  // 16-byte alignment of the host frame
    a.movabs(Gp::rax, saved_rsp);
    a.mov(W::k64, Mem(Gp::rax, 0), Gp::rsp);
    a.mov(W::k64, Gp::r15, Gp::rdi);
    a.mov(W::k64, Gp::rsp, Gp::rdx);
    a.call(Gp::rsi);
    a.xor_(W::k32, Gp::rax, Gp::rax);
    a.jmp(restore);
    a.bind(exit);
    *exit_offset = exit.pos();
    a.mov(W::k32, Gp::rax, 1);
    a.bind(restore);
    a.movabs(Gp::rcx, saved_rsp);
    a.mov(W::k64, Gp::rsp, Mem(Gp::rcx, 0));
    a.add(W::k64, Gp::rsp, 8);
    for (Gp r : {Gp::r15, Gp::r14, Gp::r13, Gp::r12, Gp::rbp, Gp::rbx}) a.pop(r);
    a.ret();

    while (a.offset() % 16) a.int3();
    *host_stub_offset = a.offset();
    a.push(Gp::rbp);
    a.mov(W::k64, Gp::rbp, Gp::rsp);  // rsp is 16-byte aligned here
    a.mov(W::k64, Gp::rdi, Gp::r15);
    a.mov(W::k32, Gp::rsi, Mem(Gp::r15, offsetof(ArenaHeader, scratch)));
    a.lea(W::k64, Gp::rdx, Mem(Gp::rbp, 16));
    a.movabs(Gp::rax, runtime_table_address() +
                          8 * static_cast<uint64_t>(RuntimeCall::kCallHost));
    a.call(Mem(Gp::rax, 0));
    a.cmp(W::k64, Gp::rax, -1);
    a.jcc(Cond::e, exit);
    a.pop(Gp::rbp);
    a.ret();
    return a.code();
  }

 private:
  uint64_t saved_rsp_ = 0;  // the host rsp while JIT code runs
};

}  // namespace

std::unique_ptr<Executor> MakeX64NativeExecutor(const ExecutorEnv& env, std::string* error) {
#if defined(__x86_64__)
  // The code uses lzcnt, tzcnt, popcnt and SSE4.1; without lzcnt or tzcnt its bytes would run
  // as bsr and bsf and give other results in silence.
  if (std::vector<std::string> missing = x64::MissingJitFeatures(x64::HostCpuFeatures()); !missing.empty()) {
    *error = "this CPU lacks what the x64 JIT's code uses:";
    for (const std::string& m : missing) *error += " " + m;
    *error += " (/proc/cpuinfo's names)";
    return nullptr;
  }
  auto e = std::make_unique<X64NativeExecutor>(env);
  if (!e->Init(error)) return nullptr;
  return e;
#else
  *error = "x86-64 code cannot run natively on this host";
  return nullptr;
#endif
}

}  // namespace tandem::jit
