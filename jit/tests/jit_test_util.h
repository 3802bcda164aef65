// jit_test_util.h: helpers the JIT tests share: the spec suite's non-SIMD modules as binaries,
// instantiation into a JitStore with stand-in imports, the instructions before the constant pool.
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "jit/disasm.h"
#include "jit/jit_store.h"
#include "reference/tests/spec_files.h"
#include "reference/decoder.h"
#include "reference/module.h"

namespace tandem::jit::testutil {

// Contract: for every non-SIMD spec file (spec_files::ForEachSpecFile: the suite from
// $TANDEM_TESTSUITE, else ../shared/testsuite beside the repository; the SIMD files too when
// `with_simd`) calls fn(bytes, name) for each `module` command whose binary the decoder accepts;
// name is "FILE.wast:LINE". Files in name order. Returns the number of modules passed to fn.
inline int ForEachSpecModule(
    const std::function<void(const std::vector<uint8_t>&, const std::string&)>& fn, bool with_simd = false) {
  int modules = 0;
  spec_files::ForEachSpecFile(with_simd, [&](const spec_files::ConvertedSpecFile& f) {
    std::ifstream in(f.json);
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) return;
    for (const auto& c : j["commands"]) {
      if (c.value("type", "") != "module") continue;
      std::vector<uint8_t> bytes = spec_files::ReadFileBytes(f.dir / c.value("filename", ""));
      try {
        wasm::Decode(bytes);
      } catch (const std::exception&) {
        continue;  // text-only or unsupported by the decoder: not the JIT's concern
      }
      ++modules;
      fn(bytes, f.wast.filename().string() + ":" + std::to_string(c.value("line", 0)));
    }
  });
  return modules;
}

// jit::InstantiateWithStandIns (jit/jit_store.h), under the name the tests use.
using ::tandem::jit::InstantiateWithStandIns;

// The instructions of x86-64 `code` before the ud2 that precedes the constant pool (all of
// them when there is no pool). Throws if Capstone stops before that ud2 or the end.
inline std::vector<DisasmLine> InstructionsBeforePool(const uint8_t* code, size_t size,
                                                      uint64_t base_address = 0) {
  size_t undecoded = 0;
  auto lines = Disassemble(Arch::kX64, code, size, base_address, &undecoded);
  std::vector<DisasmLine> out;
  for (auto& l : lines) {
    if (l.mnemonic == "ud2") return out;
    out.push_back(std::move(l));
  }
  if (undecoded != 0) throw std::runtime_error("undecodable bytes before the constant pool");
  return out;
}

}  // namespace tandem::jit::testutil
