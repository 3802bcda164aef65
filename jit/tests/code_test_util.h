// code_test_util.h: what the code tests of both back ends share (jit/tests/code_test.cc for
// x86-64, jit/tests/code_a64_test.cc for AArch64): reading host memory without faulting, the
// compiled functions of a store as they sit in memory, the comparison of the linear-memory
// accesses found in the code with the bounds side table, the hex tables' form ids, and the loop
// over every spec module with its totals, WARN line and checks.
#pragma once

#include <sys/uio.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cerrno>
#include <cstdint>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <vector>

#include "jit/disasm.h"
#include "jit/jit_store.h"
#include "jit/listing.h"
#include "jit/runtime.h"
#include "jit/tests/jit_test_util.h"
#include "reference/decoder.h"
#include "reference/validator.h"

namespace tandem::jit::codetest {

constexpr size_t kRuntimeEntries = static_cast<size_t>(RuntimeCall::kCount);

// Reads host memory through a pipe: write() fails with EFAULT where the source is not mapped.
inline bool SafeReadThroughPipe(uint64_t address, void* out, size_t n) {
  static int fds[2] = {-1, -1};  // one pipe for the process's life
  if (fds[0] < 0 && pipe(fds) != 0) return false;
  auto* dst = static_cast<uint8_t*>(out);
  for (size_t done = 0; done < n;) {
    size_t chunk = std::min<size_t>(n - done, 4096);  // within the pipe's capacity
    ssize_t put = write(fds[1], reinterpret_cast<const void*>(address + done), chunk);
    // What went in comes out (a partial write leaves nothing behind for the next read).
    if (put > 0 && read(fds[0], dst + done, static_cast<size_t>(put)) != put) return false;
    if (put != static_cast<ssize_t>(chunk)) return false;
    done += chunk;
  }
  return true;
}

// Reads host memory without faulting on a bad address (a wrong immediate must fail the test,
// not crash it). qemu-user (the aarch64 CI) does not implement process_vm_readv (ENOSYS); there
// the bytes go through a pipe.
inline bool SafeRead(uint64_t address, void* out, size_t n) {
  iovec local{out, n};
  iovec remote{reinterpret_cast<void*>(address), n};
  ssize_t got = process_vm_readv(getpid(), &local, 1, &remote, 1, 0);
  if (got == static_cast<ssize_t>(n)) return true;
  if (got >= 0 || errno != ENOSYS) return false;
  return SafeReadThroughPipe(address, out, n);
}

inline std::optional<uint64_t> ReadWord(uint64_t address) {
  uint64_t w;
  if (!SafeRead(address, &w, 8)) return std::nullopt;
  return w;
}

// One linear-memory access, as found in the code or as recorded.
using Access = std::tuple<uint32_t, int, bool, uint32_t>;  // code offset, size, store, memory

struct Totals {
  int modules = 0, instantiated = 0, functions = 0;
  int direct_calls = 0, code_table_calls = 0, indirect_calls = 0, runtime_calls = 0, exits = 0,
      returns = 0, internal_branches = 0;
  int accesses_matched = 0, vm_accesses = 0;
  int table_accesses = 0, stack_accesses = 0;  // a64 only: the x64 checks do not count these
  std::set<std::string> forms;
  std::vector<std::string> failures;
  std::vector<std::string> skipped;
};

// The store-wide facts the checks compare against, established from the process's memory
// rather than from the compiler's notes.
struct StoreFacts {
  std::map<uint64_t, uint32_t> function_at;  // start address -> store index (compiled functions)
  uint64_t runtime_table = 0, code_table = 0, exit = 0;
  std::vector<uint64_t> services;  // FillRuntimeTable's entries
};

inline StoreFacts InitialFacts(JitStore& store) {
  StoreFacts facts;
  facts.services.resize(kRuntimeEntries);
  FillRuntimeTable(reinterpret_cast<RuntimeFn*>(facts.services.data()));
  for (const CodeInfo& c : store.code()) facts.function_at[c.address] = c.store_index;
  return facts;
}

// A table whose kCount words are exactly the services of FillRuntimeTable, in RuntimeCall order
// (the native executors' runtime table).
inline bool IsServiceTable(const StoreFacts& f, uint64_t base) {
  for (size_t i = 0; i < kRuntimeEntries; ++i) {
    auto w = ReadWord(base + 8 * i);
    if (!w || *w != f.services[i]) return false;
  }
  return true;
}

// The code table: entry s holds the start address of every compiled function s of the store.
inline bool IsCodeTable(const StoreFacts& f, uint64_t base) {
  for (const auto& [address, s] : f.function_at) {
    auto w = ReadWord(base + 8 * uint64_t{s});
    if (!w || *w != address) return false;
  }
  return true;
}

// A compiled function as it sits in memory: its linked bytes, decoded at its real address.
struct Fn {
  const CodeInfo* info;
  std::vector<uint8_t> linked;
  std::vector<DisasmLine> lines;
};

// The instructions of a function's linked bytes: x86-64 up to the ud2 before the constant pool;
// AArch64 all of them (no pool). Throws if Capstone stops early.
inline std::vector<DisasmLine> DecodeFunction(Arch arch, const std::vector<uint8_t>& bytes,
                                              uint64_t address) {
  if (arch == Arch::kX64)
    return testutil::InstructionsBeforePool(bytes.data(), bytes.size(), address);
  size_t undecoded = 0;
  auto lines = Disassemble(arch, bytes.data(), bytes.size(), address, &undecoded);
  if (undecoded != 0) throw std::runtime_error("undecodable bytes");
  return lines;
}

// Reads and decodes every compiled function of the store (failures for unreadable code, bytes
// that differ from the emitted ones outside the local calls' fields, undecodable code). A local
// call's field is 4 bytes on both back ends: x86-64's rel32, AArch64's whole `bl` word.
inline std::vector<Fn> ReadFunctions(JitStore& store, const std::string& name, Totals* t) {
  std::vector<Fn> fns;
  for (const CodeInfo& c : store.code()) {
    ++t->functions;
    t->forms.insert(c.compiled.forms.begin(), c.compiled.forms.end());
    Fn fn{&c, std::vector<uint8_t>(c.compiled.code.size()), {}};
    std::string where = name + " func " + std::to_string(c.func_index);
    if (!SafeRead(c.address, fn.linked.data(), fn.linked.size())) {
      t->failures.push_back(where + ": code not readable at its address");
      continue;
    }
    std::vector<uint8_t> unlinked = fn.linked;
    for (const auto& [field, callee] : c.compiled.local_calls)
      std::copy(c.compiled.code.begin() + field, c.compiled.code.begin() + field + 4,
                unlinked.begin() + field);
    if (unlinked != c.compiled.code) {
      t->failures.push_back(where + ": code at its address differs from the emitted code");
      continue;
    }
    try {
      fn.lines = DecodeFunction(store.config().arch, fn.linked, c.address);
    } catch (const std::exception& e) {
      t->failures.push_back(where + ": " + e.what());
      continue;
    }
    fns.push_back(std::move(fn));
  }
  return fns;
}

// (b)'s comparison: every access found must have a side-table record and every record an
// access (in a fresh store module memory i is store memory i, so the indices compare directly).
inline void CompareAccesses(const std::set<Access>& found, const CodeInfo& c,
                            const std::string& where, Totals* t) {
  std::set<Access> recorded;
  for (const BoundsRecord& b : c.compiled.bounds)
    recorded.emplace(b.code_offset, b.size, b.is_store, b.memory);
  for (const Access& a : found) {
    if (recorded.count(a)) {
      ++t->accesses_matched;
    } else {
      t->failures.push_back(where + ": access at " + std::to_string(std::get<0>(a)) + " (" +
                            std::to_string(std::get<1>(a)) + " bytes, " +
                            (std::get<2>(a) ? "store" : "load") + ", memory " +
                            std::to_string(std::get<3>(a)) + ") has no matching bounds record");
    }
  }
  for (const Access& a : recorded) {
    if (!found.count(a))
      t->failures.push_back(where + ": bounds record at " + std::to_string(std::get<0>(a)) +
                            " matches no linear-memory access in the code");
  }
}

// Appends the function's listing to the last failure when `c` added some (the first 40 only).
inline void AttachListing(JitStore& store, const CodeInfo& c, size_t failures_before, Totals* t) {
  if (t->failures.size() != failures_before && t->failures.size() < 40)
    t->failures.back() += "\n" + FormatFunctionListing(store.ModuleOf(c.instance), c,
                                                       FindHostSymbols(store), store.config().arch);
}

// The form ids of a hex table (first string of every row), e.g. "jit/x64/tests/x64_table.inc".
inline std::set<std::string> HexTableForms(const std::string& table) {
  std::ifstream in(std::string(TANDEM_SOURCE_DIR) + "/" + table);
  std::set<std::string> forms;
  std::string line;
  const std::regex row("^\\{\"([^\"]+)\", ");
  std::smatch match;
  while (std::getline(in, line))
    if (std::regex_search(line, match, row)) forms.insert(match[1]);
  return forms;
}

inline std::vector<std::string> MissingForms(const std::set<std::string>& forms,
                                             const std::set<std::string>& rows) {
  std::vector<std::string> missing;
  for (const std::string& f : forms)
    if (!rows.count(f)) missing.push_back(f);
  return missing;
}

using CheckStoreFn = std::function<void(JitStore&, const std::string&, Totals*)>;

// The test over every module of the 146 core spec files, SIMD included: each valid module
// instantiated into a fresh store of `arch` (stand-in imports, forms recorded), `check` run on
// it, then the forms compared with `table`'s rows, the totals WARNed and the minimums CHECKed.
inline void CheckEverySpecModule(Arch arch, const CheckStoreFn& check, const std::string& table) {
  const bool with_simd = true;
  Totals t;
  size_t defined = 0;
  t.modules =
      testutil::ForEachSpecModule([&](const std::vector<uint8_t>& bytes, const std::string& name) {
        std::shared_ptr<wasm::Module> module;
        try {
          module = std::make_shared<wasm::Module>(wasm::Decode(bytes));
          wasm::Validate(*module);
        } catch (const std::exception&) {
          return;  // invalid modules (assert_invalid) compile nothing
        }
        std::string error;
        JitConfig config;
        config.arch = arch;
        config.record_forms = true;  // the forms check below needs them
        auto store = JitStore::Create(config, &error);
        if (!store) {
          t.failures.push_back(name + ": " + error);
          return;
        }
        try {
          JitInstantiateResult r = testutil::InstantiateWithStandIns(*store, module);
          if (r.failure.kind == wasm::Outcome::Kind::kUnsupported)
            t.failures.push_back(name + ": unsupported: " + r.failure.message);
        } catch (const std::exception& e) {
          t.skipped.push_back(name + ": " + e.what());
          return;
        }
        ++t.instantiated;
        defined += module->code.size();
        check(*store, name, &t);
      }, with_simd);
  std::set<std::string> rows = HexTableForms(table);
  std::vector<std::string> missing = MissingForms(t.forms, rows);

  std::string a64_counts;
  if (arch == Arch::kA64)
    a64_counts = ", " + std::to_string(t.table_accesses) + " table-element accesses, " +
                 std::to_string(t.stack_accesses) + " stack accesses";
  WARN(t.modules << " modules, " << t.instantiated << " instantiated, " << t.functions
                 << " functions; calls/jumps: " << t.direct_calls << " direct calls, "
                 << t.code_table_calls << " through the code table, " << t.indirect_calls
                 << " call_indirect, " << t.runtime_calls << " runtime calls, " << t.exits
                 << " jumps to exit, " << t.returns << " returns, " << t.internal_branches
                 << " internal branches; " << t.accesses_matched << " bounds records matched, "
                 << t.vm_accesses << " VM-structure accesses" << a64_counts << "; "
                 << t.forms.size() << " forms (" << rows.size() << " hex-table forms), "
                 << missing.size() << " missing; " << t.failures.size() << " failures");
  CHECK(t.modules > 1000);
  CHECK(t.functions == static_cast<int>(defined));  // every defined function was checked
  // Unscoped messages go with the next assertion only, so each list right before its check.
  for (const auto& s : t.skipped) UNSCOPED_INFO("not instantiated: " << s);
  CHECK(t.skipped.empty());
  for (size_t i = 0; i < t.failures.size() && i < 10; ++i) UNSCOPED_INFO(t.failures[i]);
  CHECK(t.failures.empty());
  for (const auto& f : missing) UNSCOPED_INFO("form without a hex-table row: " << f);
  CHECK(missing.empty());
  CHECK(rows.size() > 100);
  CHECK(t.accesses_matched > 1000);
  CHECK(t.runtime_calls > 0);
  CHECK(t.indirect_calls > 0);
  CHECK(t.exits > 0);
}

}  // namespace tandem::jit::codetest
