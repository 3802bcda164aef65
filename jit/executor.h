// executor.h: how a store's compiled code is run (DESIGN.md "Engines"): x86-64 code natively on
// x86-64 hosts; AArch64 code under Unicorn on x86-64 hosts (natively on aarch64 hosts). The
// executor owns the code memory and the entry/exit path; docs/jit.md gives the contract.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "jit/arch.h"
#include "jit/runtime.h"

namespace tandem::jit {

class Arena;

// What an executor needs to know of its store. All of it stays where it is for the store's life.
struct ExecutorEnv {
  Arena* arena = nullptr;
  uint8_t* stack = nullptr;  // the JIT stack mapping [stack, stack + stack_bytes)
  uint64_t stack_bytes = 0;
  uint64_t* code_table = nullptr;  // store function index -> entry address
  uint64_t code_table_bytes = 0;
  const RuntimeFn* runtime_services = nullptr;  // the C++ services, by RuntimeCall
};

class Executor {
 public:
  virtual ~Executor() = default;
  virtual Arch arch() const = 0;
  // Addresses generated code embeds (CompileOptions): the unwind path and the runtime-call table
  // as the code sees them.
  virtual uint64_t exit_address() const = 0;
  virtual uint64_t runtime_table_address() const = 0;
  // A code-table entry that runs host function `store_index` when called with the wasm calling
  // convention (the service CallHost does the work).
  virtual uint64_t HostFunctionEntry(uint32_t store_index) = 0;
  // Copies `bytes` into executable memory (W^X) and returns the address code runs at; nullopt
  // with *error when memory cannot be had.
  virtual uint64_t AddCode(const std::vector<uint8_t>& bytes, std::string* error) = 0;
  // Runs `target` with r15/x28 = arena base and the stack pointer at `jit_sp`, where the
  // arguments already are. Returns 0 when the function returned (results at jit_sp), 1 when
  // the code left through the exit path (the arena header says why).
  virtual uint64_t Call(uint64_t target, uint64_t jit_sp) = 0;
  // Why the last Call left through the exit path without a reason in the arena header, when the
  // executor knows (an emulator that stopped on an unmapped address says which); else "".
  virtual std::string LastError() const { return {}; }

  // Store templates (the fuzz loop reuses one store for many cases): SaveTemplate marks the code
  // and host-function entries made so far; ResetToTemplate (after the arena's reset) forgets
  // what was added since, and every arena page that is no longer committed.
  virtual void SaveTemplate() = 0;
  virtual void ResetToTemplate() = 0;
  // True when the executor should not be reset again but replaced (its store made anew).
  virtual bool WantsRenewal() const { return false; }
};

std::unique_ptr<Executor> MakeX64NativeExecutor(const ExecutorEnv& env, std::string* error);
std::unique_ptr<Executor> MakeA64UnicornExecutor(const ExecutorEnv& env, std::string* error);
// AArch64 code natively (aarch64 hosts only: elsewhere nullptr with *error). Code memory is W^X
// on one mapping (mprotect) with an instruction-cache flush after each write.
std::unique_ptr<Executor> MakeA64NativeExecutor(const ExecutorEnv& env, std::string* error);
// Whether this binary's host runs AArch64 code natively (the store then uses the native
// executor for Arch::kA64, otherwise Unicorn).
bool A64RunsNatively();

}  // namespace tandem::jit
