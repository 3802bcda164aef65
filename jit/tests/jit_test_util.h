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
#include "reference/decoder.h"
#include "reference/module.h"

namespace tandem::jit::testutil {

// Contract: converts every /work/shared/testsuite/*.wast not named simd_* with
// `wast2json --enable-all` (files it rejects are left out) and calls fn(bytes, name) for each
// `module` command whose binary the decoder accepts; name is "FILE.wast:LINE". Files in name
// order; temporary files are removed afterwards. Returns the number of modules passed to fn.
inline int ForEachSpecModule(
    const std::function<void(const std::vector<uint8_t>&, const std::string&)>& fn) {
  namespace fs = std::filesystem;
  const fs::path suite = "/work/shared/testsuite";
  if (!fs::exists(suite)) return 0;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(suite)) {
    const fs::path& p = entry.path();
    if (p.extension() == ".wast" && p.filename().string().rfind("simd_", 0) != 0)
      files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  fs::path tmp = fs::temp_directory_path() / ("tandem_jit_modules_" + std::to_string(getpid()));
  fs::create_directories(tmp);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{tmp};
  int modules = 0;
  for (const fs::path& p : files) {
    fs::path dir = tmp / p.stem();
    fs::create_directories(dir);
    fs::path json = dir / "out.json";
    std::string cmd =
        "wast2json --enable-all '" + p.string() + "' -o '" + json.string() + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) continue;
    std::ifstream in(json);
    nlohmann::json j = nlohmann::json::parse(in, nullptr, false);
    if (j.is_discarded()) continue;
    for (const auto& c : j["commands"]) {
      if (c.value("type", "") != "module") continue;
      std::ifstream w(dir / c.value("filename", ""), std::ios::binary);
      std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(w)), {});
      try {
        wasm::Decode(bytes);
      } catch (const std::exception&) {
        continue;  // text-only or unsupported by the decoder: not the JIT's concern
      }
      ++modules;
      fn(bytes, p.filename().string() + ":" + std::to_string(c.value("line", 0)));
    }
  }
  return modules;
}

// Instantiates a validated module into `store`, each import satisfied by a fresh object of
// exactly the imported type, added in import order (host functions return zeros). So in a fresh
// store, module memory i is store memory i. Throws what JitStore::Instantiate throws.
inline JitInstantiateResult InstantiateWithStandIns(JitStore& store,
                                                    std::shared_ptr<const wasm::Module> module) {
  std::vector<wasm::ExternVal> imports;
  for (const wasm::Import& imp : module->imports) {
    wasm::ExternVal ev{imp.kind, 0};
    switch (imp.kind) {
      case wasm::ExternKind::Func: {
        const wasm::FuncType& t = module->types.at(imp.func_type_index);
        ev.addr = store.AddHostFunc(t, [t](std::span<const wasm::Value>) {
          std::vector<wasm::Value> r;
          for (wasm::ValType v : t.results) r.push_back(wasm::Value{v, 0, 0});
          return wasm::Outcome::Values(std::move(r));
        });
        break;
      }
      case wasm::ExternKind::Table: ev.addr = store.AddTable(imp.table); break;
      case wasm::ExternKind::Memory: ev.addr = store.AddMemory(imp.memory); break;
      case wasm::ExternKind::Global:
        ev.addr = store.AddGlobal(imp.global, wasm::Value{imp.global.type, 0, 0});
        break;
    }
    imports.push_back(ev);
  }
  return store.Instantiate(std::move(module), imports);
}

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
