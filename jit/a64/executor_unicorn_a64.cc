// executor_unicorn_a64.cc: running AArch64 code in-process under Unicorn on x86-64 hosts
// (DESIGN.md "Engines": a64). Guest addresses equal host addresses: the arena's committed spans,
// the JIT stack, the code table and the code region are mapped with uc_mem_map_ptr at their own
// addresses, so the code embeds the same values it would natively. Runtime services, host
// functions and the exit path leave the emulator through hooked stub addresses.
#include <sys/mman.h>
#include <unicorn/unicorn.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <stdexcept>

#include <fmt/format.h>

#include "jit/arena.h"
#include "jit/code_memory.h"
#include "jit/executor.h"

namespace tandem::jit {

namespace {

constexpr uint32_t kA64Ret = 0xd65f03c0;  // ret
constexpr uint64_t kPage = 4096;
constexpr uint32_t kMaxHostFunctions = 4096;

uint64_t PageDown(uint64_t a) { return a & ~(kPage - 1); }
uint64_t PageUp(uint64_t a) { return (a + kPage - 1) & ~(kPage - 1); }

struct Mapping {
  uint8_t* mem = nullptr;
  size_t size = 0;
  ~Mapping() {
    if (mem) munmap(mem, size);
  }
};

// Layout of the stub page (one host mapping, mapped read+exec into the emulator):
//   [0, 8*kCount)            the runtime table: guest addresses of the service stubs
//   service stubs            one `ret` per service
//   exit stub, return stub   `ret` each (hooked: they stop the emulation)
//   host stubs               one `ret` per host function slot
class A64UnicornExecutor final : public Executor {
 public:
  explicit A64UnicornExecutor(const ExecutorEnv& env) : env_(env) {}
  ~A64UnicornExecutor() override {
    if (uc_) uc_close(uc_);
  }

  bool Init(std::string* error) {
    uc_err err = uc_open(UC_ARCH_ARM64, UC_MODE_ARM, &uc_);
    if (err != UC_ERR_OK) {
      *error = std::string("Unicorn: ") + uc_strerror(err);
      uc_ = nullptr;
      return false;
    }
    // The same CPU model as qemu-aarch64 is told to use in CI (ci/aarch64.sh): Cortex-A72.
    uc_ctl_set_cpu_model(uc_, UC_CPU_ARM64_A72);

    const size_t n_services = static_cast<size_t>(RuntimeCall::kCount);
    stubs_.size = PageUp(8 * n_services + 4 * (n_services + 2 + kMaxHostFunctions));
    void* p = mmap(nullptr, stubs_.size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) {
      *error = "cannot map the stub page";
      return false;
    }
    stubs_.mem = static_cast<uint8_t*>(p);
    base_ = reinterpret_cast<uint64_t>(stubs_.mem);
    service_stubs_ = base_ + 8 * n_services;
    exit_stub_ = service_stubs_ + 4 * n_services;
    return_stub_ = exit_stub_ + 4;
    host_stubs_ = return_stub_ + 4;
    for (uint64_t a = service_stubs_; a < base_ + stubs_.size; a += 4)
      std::memcpy(reinterpret_cast<void*>(a), &kA64Ret, 4);
    for (size_t i = 0; i < n_services; ++i) {
      uint64_t stub = service_stubs_ + 4 * i;
      std::memcpy(stubs_.mem + 8 * i, &stub, 8);
    }
    if (!Map(base_, stubs_.size, UC_PROT_READ | UC_PROT_EXEC, error)) return false;
    // The JIT stack (above its guard page) and the code table.
    uint64_t stack = reinterpret_cast<uint64_t>(env_.stack);
    if (!Map(stack + kPage, env_.stack_bytes - kPage, UC_PROT_READ | UC_PROT_WRITE, error))
      return false;
    if (!Map(reinterpret_cast<uint64_t>(env_.code_table), env_.code_table_bytes, UC_PROT_READ,
             error))
      return false;
    uc_hook h;
    err = uc_hook_add(uc_, &h, UC_HOOK_CODE, reinterpret_cast<void*>(&OnStub), this,
                      service_stubs_, base_ + stubs_.size - 1);
    if (err != UC_ERR_OK) {
      *error = std::string("Unicorn hook: ") + uc_strerror(err);
      return false;
    }
    // An access to an unmapped page (outside every mapping, or an uncommitted arena page) stops
    // the emulation; the hook only notes where, for the internal error that follows.
    err = uc_hook_add(uc_, &h, UC_HOOK_MEM_UNMAPPED, reinterpret_cast<void*>(&OnUnmapped), this,
                      1, 0);
    if (err != UC_ERR_OK) {
      *error = std::string("Unicorn hook: ") + uc_strerror(err);
      return false;
    }
    return SyncArena(error);
  }

  Arch arch() const override { return Arch::kA64; }
  uint64_t exit_address() const override { return exit_stub_; }
  uint64_t runtime_table_address() const override { return base_; }

  uint64_t HostFunctionEntry(uint32_t store_index) override {
    if (host_slots_.size() >= kMaxHostFunctions)
      throw std::runtime_error("a64 under Unicorn: too many host functions");
    uint64_t at = host_stubs_ + 4 * host_slots_.size();
    host_slots_.push_back(store_index);
    return at;
  }

  uint64_t AddCode(const std::vector<uint8_t>& bytes, std::string* error) override {
    uint64_t at = code_.Add(bytes, error);
    if (!at) return 0;
    code_added_ += bytes.size();
    // The code region's pages are mapped into the emulator as they are first committed.
    if (code_.committed() > code_mapped_) {
      if (!Map(code_.base() + code_mapped_, code_.committed() - code_mapped_,
               UC_PROT_READ | UC_PROT_EXEC, error))
        return 0;
      code_mapped_ = code_.committed();
    }
    // Unicorn caches translations: bytes written where earlier code may have been translated
    // (after a reset) must not run as the old code. (Flushing every translation at the reset
    // instead costs three quarters of the fuzz loop's throughput.) Unicorn invalidates a range in its RAM-block address space, where two
    // guest pages mapped by different uc_mem_map_ptr calls need not be adjacent, so the range
    // goes page by page.
    const uint64_t end = at + std::max<size_t>(bytes.size(), 1);
    if (at < translated_end_)
      for (uint64_t p = PageDown(at); p < end; p += kPage)
        uc_ctl_remove_cache(uc_, std::max(p, at), std::min(p + kPage, end));
    translated_end_ = std::max(translated_end_, end);
    return at;
  }

  void SaveTemplate() override {
    template_host_slots_ = host_slots_.size();
    template_code_ = code_.used();
  }

  // Unicorn 2.0 crashes (in tb_set_jmp_target) once its translation buffer has filled and been
  // flushed during a run: a long-lived emulator met it after 25,000 to 45,000 fuzz cases. A
  // store under Unicorn is therefore made anew after this many resets or this much code added,
  // far below that.
  static constexpr uint64_t kMaxResets = 1000;
  static constexpr uint64_t kMaxCodeBytes = uint64_t{4} << 20;
  bool WantsRenewal() const override {
    return resets_ >= kMaxResets || code_added_ >= kMaxCodeBytes;
  }

  void ResetToTemplate() override {
    ++resets_;
    host_slots_.resize(template_host_slots_);
    code_.Truncate(template_code_);
    // The arena's pages that are no longer committed (the slots added since the template, the
    // growth of the template's own) must leave the emulator too: touching them through a stale
    // mapping would kill the process.
    const uint64_t base = reinterpret_cast<uint64_t>(env_.arena->base());
    std::map<uint64_t, uint64_t> committed;  // page-rounded spans, start -> end
    for (auto [off, size] : env_.arena->CommittedSpans())
      committed[PageDown(base + off)] = PageUp(base + off + size);
    for (auto it = mapped_.begin(); it != mapped_.end();) {
      auto [start, end] = *it;
      uint64_t keep_end = start;  // the mapping's part inside a committed span
      auto span = committed.upper_bound(start);
      if (span != committed.begin() && std::prev(span)->second > start)
        keep_end = std::min(end, std::prev(span)->second);
      if (keep_end < end) uc_mem_unmap(uc_, keep_end, end - keep_end);
      if (keep_end == start) {
        it = mapped_.erase(it);
      } else {
        it->second = keep_end;
        ++it;
      }
    }
  }

  uint64_t Call(uint64_t target, uint64_t jit_sp) override {
    std::string error;
    if (!SyncArena(&error)) return Fail();
    uint64_t arena = reinterpret_cast<uint64_t>(env_.arena->base());
    uint64_t lr = return_stub_;
    uc_reg_write(uc_, UC_ARM64_REG_X28, &arena);
    uc_reg_write(uc_, UC_ARM64_REG_SP, &jit_sp);
    uc_reg_write(uc_, UC_ARM64_REG_LR, &lr);
    exited_ = false;
    last_error_.clear();
    fault_.clear();
    uc_err err = uc_emu_start(uc_, target, return_stub_, 0, 0);
    if (err != UC_ERR_OK) {
      uint64_t pc = 0;
      uc_reg_read(uc_, UC_ARM64_REG_PC, &pc);
      last_error_ = fmt::format("Unicorn stopped at 0x{:x}: {}", pc, uc_strerror(err));
      if (!fault_.empty()) last_error_ += ": " + fault_;
      return Fail();
    }
    return exited_ ? 1 : 0;
  }

  std::string LastError() const override { return last_error_; }

 private:
  uint64_t Fail() {
    env_.arena->header().exit_reason = static_cast<uint32_t>(ExitReason::kNone);
    return 1;
  }

  bool Map(uint64_t addr, uint64_t size, uint32_t perms, std::string* error) {
    uc_err err = uc_mem_map_ptr(uc_, addr, size, perms, reinterpret_cast<void*>(addr));
    if (err != UC_ERR_OK) {
      *error = fmt::format("Unicorn cannot map [0x{:x}, +0x{:x}): {}", addr, size,
                           uc_strerror(err));
      return false;
    }
    return true;
  }

  // Maps every committed arena page not mapped yet (memories and tables commit as they grow;
  // an uncommitted page must never be mapped: touching it would kill the process).
  bool SyncArena(std::string* error) {
    uint64_t base = reinterpret_cast<uint64_t>(env_.arena->base());
    for (auto [off, size] : env_.arena->CommittedSpans()) {
      uint64_t start = PageDown(base + off), end = PageUp(base + off + size);
      // Subtract what is mapped already (mapped_ holds disjoint [start, end) ranges).
      uint64_t cur = start;
      auto it = mapped_.upper_bound(cur);
      if (it != mapped_.begin()) {
        auto prev = std::prev(it);
        if (prev->second > cur) cur = prev->second;
      }
      while (cur < end) {
        auto next = mapped_.lower_bound(cur);
        uint64_t stop = next == mapped_.end() ? end : std::min(end, next->first);
        if (stop > cur) {
          if (!Map(cur, stop - cur, UC_PROT_READ | UC_PROT_WRITE, error)) return false;
          mapped_[cur] = stop;
        }
        if (next == mapped_.end() || next->first >= end) break;
        cur = next->second;
      }
    }
    return true;
  }

  static bool OnUnmapped(uc_engine*, uc_mem_type type, uint64_t address, int size, int64_t,
                         void* user) {
    auto* self = static_cast<A64UnicornExecutor*>(user);
    const uint64_t arena = reinterpret_cast<uint64_t>(self->env_.arena->base());
    const char* what = type == UC_MEM_WRITE_UNMAPPED  ? "write"
                       : type == UC_MEM_FETCH_UNMAPPED ? "fetch"
                                                       : "read";
    self->fault_ = fmt::format("{} of {} bytes at 0x{:x}", what, size, address);
    if (address >= arena) self->fault_ += fmt::format(" (arena + 0x{:x})", address - arena);
    return false;  // not handled: the emulation stops
  }

  static void OnStub(uc_engine* uc, uint64_t address, uint32_t, void* user) {
    auto* self = static_cast<A64UnicornExecutor*>(user);
    self->Stub(uc, address);
  }

  void Stub(uc_engine* uc, uint64_t address) {
    uint8_t* arena = env_.arena->base();
    if (address == exit_stub_) {
      exited_ = true;
      uc_emu_stop(uc);
      return;
    }
    if (address == return_stub_) return;  // uc_emu_start's `until` stops here
    uint64_t result;
    if (address >= host_stubs_) {
      uint32_t slot = static_cast<uint32_t>((address - host_stubs_) / 4);
      // The native host thunks (x86-64 and AArch64) leave the store index in the low 32 bits
      // of header.scratch[0]; do the same so that the arenas stay byte-identical.
      const uint32_t store_index = host_slots_.at(slot);
      std::memcpy(&env_.arena->header().scratch[0], &store_index, 4);
      uint64_t sp = 0;
      uc_reg_read(uc, UC_ARM64_REG_SP, &sp);
      result = env_.runtime_services[static_cast<size_t>(RuntimeCall::kCallHost)](
          arena, host_slots_.at(slot), sp, 0, 0, 0);
    } else {
      size_t id = (address - service_stubs_) / 4;
      uint64_t x[6];
      const int regs[6] = {UC_ARM64_REG_X0, UC_ARM64_REG_X1, UC_ARM64_REG_X2,
                           UC_ARM64_REG_X3, UC_ARM64_REG_X4, UC_ARM64_REG_X5};
      for (int i = 0; i < 6; ++i) uc_reg_read(uc, regs[i], &x[i]);
      result = env_.runtime_services[id](arena, x[1], x[2], x[3], x[4], x[5]);
      uc_reg_write(uc, UC_ARM64_REG_X0, &result);
    }
    std::string error;
    if (!SyncArena(&error)) {
      last_error_ = error;
      env_.arena->header().exit_reason = static_cast<uint32_t>(ExitReason::kNone);
      exited_ = true;
      uc_emu_stop(uc);
      return;
    }
    if (result == kRuntimeTrapped) {
      exited_ = true;
      uc_emu_stop(uc);
    }
  }

  ExecutorEnv env_;
  uc_engine* uc_ = nullptr;
  Mapping stubs_;
  uint64_t base_ = 0, service_stubs_ = 0, exit_stub_ = 0, return_stub_ = 0, host_stubs_ = 0;
  std::vector<uint32_t> host_slots_;  // host stub slot -> store function index
  CodeMemory code_{CodeMemory::Use::kEmulated};
  uint64_t code_mapped_ = 0;  // bytes of the code region mapped into the emulator
  uint64_t translated_end_ = 0;  // code at or above this address was never written before
  uint64_t resets_ = 0, code_added_ = 0;  // over the emulator's life (WantsRenewal)
  size_t template_host_slots_ = 0;
  uint64_t template_code_ = 0;
  std::map<uint64_t, uint64_t> mapped_;  // arena ranges mapped into the emulator
  bool exited_ = false;
  std::string last_error_;
  std::string fault_;  // the unmapped access that stopped the emulation, if one did
};

}  // namespace

std::unique_ptr<Executor> MakeA64UnicornExecutor(const ExecutorEnv& env, std::string* error) {
  auto e = std::make_unique<A64UnicornExecutor>(env);
  if (!e->Init(error)) return nullptr;
  return e;
}

}  // namespace tandem::jit
