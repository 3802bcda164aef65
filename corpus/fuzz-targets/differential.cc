// differential.cc: libFuzzer target: the differential harness of `tandem fuzz`, in process.
// An input that is a valid module runs as it is; any other input drives the `smith` generator
// (each choice it makes takes the next input bytes: gen::GenerateSmithFromBytes), so that
// libFuzzer's mutations become changes of a valid module. The case runs on the reference and
// x64 (and a64 when asked), compared after every step as `tandem diff` compares them; when the
// engines disagree, the case is written as case.wasm and script.json and the target aborts,
// so that libFuzzer keeps the input as a crash. `tandem diff case.wasm --script script.json
// --engines ENGINES [--seed-fault F]` replays it.
//
// Environment (this is a test binary):
//   TANDEM_FUZZ_ENGINES  engines to compare (default ref,x64; add a64 to run it under Unicorn)
//   TANDEM_SEED_FAULT    seeded faults, as `tandem diff --seed-fault` takes them (to show that
//                        the target finds a fault: corpus/fuzz-targets/README.md)
//   TANDEM_FUZZ_CASE_DIR where case.wasm and script.json go (default: the current folder)
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "diff/case.h"
#include "diff/engine.h"
#include "diff/faults.h"
#include "diff/gen/generator.h"
#include "diff/harness.h"

namespace {

using namespace tandem::diff;

std::string Env(const char* name, const char* otherwise) {
  const char* v = std::getenv(name);
  return v && *v ? v : otherwise;
}

struct Setup {
  HarnessOptions h;
  EnginePool pool;
  std::string engines, faults, dir;
  Setup() {
    engines = Env("TANDEM_FUZZ_ENGINES", "ref,x64");
    faults = Env("TANDEM_SEED_FAULT", "");
    dir = Env("TANDEM_FUZZ_CASE_DIR", ".");
    h.engines.clear();
    for (size_t at = 0; at <= engines.size();) {
      size_t comma = engines.find(',', at);
      if (comma == std::string::npos) comma = engines.size();
      if (comma > at) h.engines.push_back(engines.substr(at, comma - at));
      at = comma + 1;
    }
    for (const std::string& e : h.engines) {
      bool known = false;
      for (const std::string& n : EngineNames()) known |= n == e;
      if (!known) {
        std::fprintf(stderr, "differential: TANDEM_FUZZ_ENGINES names an unknown engine \"%s\"\n",
                     e.c_str());
        std::exit(2);
      }
    }
    try {
      h.faults = ParseFaultList(faults);
    } catch (const std::invalid_argument& e) {
      std::fprintf(stderr, "differential: TANDEM_SEED_FAULT: %s\n", e.what());
      std::exit(2);
    }
    // As `tandem fuzz` runs its cases: fuel, a call-depth and a memory limit.
    h.config.fuel = 100'000;
    h.config.max_call_depth = 500;
    h.config.max_memory_pages = 64;
    h.pool = &pool;
    std::fprintf(stderr, "differential: engines %s%s%s; disagreements go to %s/case.wasm\n",
                 engines.c_str(), faults.empty() ? "" : ", seeded faults ", faults.c_str(),
                 dir.c_str());
  }
};

Setup& Get() {
  static Setup* s = new Setup;
  return *s;
}

bool IsModule(const uint8_t* data, size_t size) {
  static const uint8_t kMagic[8] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  if (size < 8) return false;
  for (int i = 0; i < 8; ++i)
    if (data[i] != kMagic[i]) return false;
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Get();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  Setup& s = Get();
  Case c;
  if (IsModule(data, size)) {
    c = MakeCase(std::vector<uint8_t>(data, data + size), std::nullopt);
  }
  if (!c.module) {
    gen::GeneratorOptions go;
    gen::Generated made = gen::GenerateSmithFromBytes(data, size, go);
    c = MakeCase(std::move(made.bytes), std::move(made.script));
    if (!c.module) {
      std::fprintf(stderr, "differential: smith made a module tandem refuses: %s\n", c.refusal.c_str());
      std::abort();
    }
  }
  CaseResult r = RunCase(c, s.h);
  if (!IsFinding(r.verdict)) return 0;
  const std::string wasm = s.dir + "/case.wasm", script = s.dir + "/script.json";
  std::ofstream(wasm, std::ios::binary).write(reinterpret_cast<const char*>(c.bytes.data()),
                                              static_cast<std::streamsize>(c.bytes.size()));
  std::ofstream(script) << ScriptToJson(c.script);
  std::fprintf(stderr, "differential: the engines disagree:\n%s\nwritten: %s, %s\nreplay: tandem diff %s "
               "--script %s --engines %s --fuel 100000 --max-depth 500 --max-memory-pages 64%s%s\n",
               FormatCaseResult(r, c).c_str(), wasm.c_str(), script.c_str(), wasm.c_str(),
               script.c_str(), s.engines.c_str(), s.faults.empty() ? "" : " --seed-fault ",
               s.faults.c_str());
  std::abort();
}
