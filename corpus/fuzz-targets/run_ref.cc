// run_ref.cc: libFuzzer target: the bytes as a module, decoded, validated, instantiated and
// run on the reference engine with fuel: every export called with binaryen's fuzz-exec
// arguments, as `tandem fuzz` does with modules that come without a call script. Traps and
// refusals are answers; a crash, a sanitizer report or an internal error is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "diff/case.h"
#include "diff/harness.h"

namespace {

tandem::diff::HarnessOptions& Options() {
  static tandem::diff::HarnessOptions* o = [] {
    auto* h = new tandem::diff::HarnessOptions;
    h->engines = {"ref"};
    h->config.fuel = 100'000;
    h->config.max_call_depth = 300;
    h->config.max_memory_pages = 64;
    h->pool = new tandem::diff::EnginePool;
    return h;
  }();
  return *o;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace tandem::diff;
  Case c = MakeCase(std::vector<uint8_t>(data, data + size), std::nullopt);
  if (!c.module) return 0;  // refused by the decoder or the validator
  CaseResult r = RunCase(c, Options());
  if (r.verdict == CaseResult::Verdict::kInternalError) {
    std::fprintf(stderr, "run_ref: internal error:\n%s\n", FormatCaseResult(r, c).c_str());
    std::abort();
  }
  return 0;
}
