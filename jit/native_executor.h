// native_executor.h: what the native executors (x86-64 on x86-64 hosts, AArch64 on aarch64
// hosts) share (docs/jit.md "Entry, exit, traps"): W^X code memory, the runtime table of real
// C++ services, the entry trampoline and exit path, host-function thunks, one code region
// (code_memory.h) cut back to its template mark when the store is reset. Each architecture
// supplies only its machine code for those stubs.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "jit/code_memory.h"
#include "jit/executor.h"

namespace tandem::jit {

class NativeExecutor : public Executor {
 public:
  explicit NativeExecutor(const ExecutorEnv& env) : env_(env) {
    for (size_t i = 0; i < static_cast<size_t>(RuntimeCall::kCount); ++i)
      runtime_table_[i] = env.runtime_services[i];
  }

  // Builds the stubs (BuildStubs) into code memory; false with *error when it cannot.
  bool Init(std::string* error) {
    size_t exit_off = 0, host_off = 0;
    std::vector<uint8_t> stubs = BuildStubs(&exit_off, &host_off);
    uint64_t base = AddCode(stubs, error);
    if (!base) return false;
    trampoline_ = reinterpret_cast<uint64_t (*)(uint8_t*, uint64_t, uint64_t)>(base);
    exit_address_ = base + exit_off;
    host_stub_address_ = base + host_off;
    return true;
  }

  uint64_t exit_address() const override { return exit_address_; }
  uint64_t runtime_table_address() const override {
    return reinterpret_cast<uint64_t>(runtime_table_);
  }
  uint64_t HostFunctionEntry(uint32_t store_index) override {
    std::string error;
    uint64_t at = AddCode(HostThunk(store_index, host_stub_address_), &error);
    if (!at) throw std::runtime_error(error);
    return at;
  }
  uint64_t AddCode(const std::vector<uint8_t>& bytes, std::string* error) override {
    return code_.Add(bytes, error);
  }
  uint64_t Call(uint64_t target, uint64_t jit_sp) override {
    return trampoline_(env_.arena->base(), target, jit_sp);
  }
  void SaveTemplate() override { code_mark_ = code_.used(); }
  void ResetToTemplate() override { code_.Truncate(code_mark_); }

 protected:
  // The entry trampoline entry(arena base, target, JIT sp) at offset 0, returning 0; the exit
  // path (returns 1 from the trampoline) at *exit_offset; the host stub, entered like any wasm
  // function with the store index in header.scratch[0], at *host_stub_offset.
  virtual std::vector<uint8_t> BuildStubs(size_t* exit_offset, size_t* host_stub_offset) = 0;
  // A thunk that stores `store_index` in header.scratch[0] (32 bits, as every executor does, so
  // the arenas stay byte-identical) and jumps to `host_stub`.
  virtual std::vector<uint8_t> HostThunk(uint32_t store_index, uint64_t host_stub) = 0;

  ExecutorEnv env_;

 private:
  RuntimeFn runtime_table_[static_cast<size_t>(RuntimeCall::kCount)] = {};
  CodeMemory code_;
  uint64_t code_mark_ = 0;
  uint64_t (*trampoline_)(uint8_t*, uint64_t, uint64_t) = nullptr;
  uint64_t exit_address_ = 0;
  uint64_t host_stub_address_ = 0;
};

}  // namespace tandem::jit
