// ttf.cc: the `ttf` generator (generator.h): binaryen's translate-to-fuzz (`wasm-opt -ttf`) fed
// random bytes drawn from (seed, index). binaryen makes a whole program from them: functions
// that call each other, loops bounded by its hang-limit global (reset through the exported
// `hangLimitInitializer`), memory traffic, and calls of the `fuzzing-support` log imports; the
// case runs with binaryen's own `--fuzz-exec` protocol (DefaultScript). The features are the
// Wasm 2.0 ones tandem's engines run, with reference types off (binaryen 108 makes invalid
// reference-types modules) and SIMD only with --simd.
#include <unistd.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <sys/wait.h>
#include <vector>

#include <fmt/format.h>

#include "diff/gen/generator.h"
#include "diff/process.h"

namespace tandem::diff::gen {
namespace {

// Random input sizes: binaryen turns about 2/3 of its input into code, so the modules' code
// sections spread over roughly 1 to 10 KB.
constexpr uint64_t kMinInput = 1536, kMaxInput = 16384;

class TtfGenerator final : public Generator {
 public:
  explicit TtfGenerator(const GeneratorOptions& o) : wasm_opt_(o.wasm_opt) {
    if (wasm_opt_.empty())
      throw std::invalid_argument("ttf needs wasm-opt (Debian package binaryen) in PATH");
    features_ = {"--mvp-features",           "--enable-sign-ext",   "--enable-mutable-globals",
                 "--enable-nontrapping-float-to-int", "--enable-bulk-memory",
                 "--enable-multivalue"};
    if (o.simd) features_.push_back("--enable-simd");
    denan_ = o.denan;
  }

  std::string_view name() const override { return "ttf"; }

  Generated Generate(uint64_t seed, uint64_t index) override {
    Rng rng(seed, "ttf", index);
    size_t size = kMinInput + rng.Below(kMaxInput - kMinInput);
    std::string input(size, '\0');
    for (size_t i = 0; i < size; i += 8) {
      uint64_t word = rng.Next();
      for (size_t k = 0; k < 8 && i + k < size; ++k) input[i + k] = static_cast<char>(word >> (8 * k));
    }
    // The temporary folder belongs to the process that made it (the generator is copied into
    // forked workers, each of which makes its own).
    if (!dir_ || dir_pid_ != getpid()) {
      dir_.release();  // a forked copy: the folder is the parent's to remove
      dir_ = std::make_unique<TempDir>("tandem_ttf");
      dir_pid_ = getpid();
    }
    const std::string in = (dir_->path() / "input.dat").string();
    const std::string out = (dir_->path() / "module.wasm").string();
    {
      std::ofstream f(in, std::ios::binary | std::ios::trunc);
      f.write(input.data(), static_cast<std::streamsize>(input.size()));
      if (!f) throw std::runtime_error("ttf: cannot write " + in);
    }
    std::vector<std::string> argv = {wasm_opt_, in, "-ttf", "-o", out};
    argv.insert(argv.end(), features_.begin(), features_.end());
    if (denan_) argv.push_back("--denan");
    int status = RunQuiet(argv);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
      throw std::runtime_error(fmt::format("ttf: wasm-opt -ttf failed on {} random bytes (status "
                                           "{}); rerun: {} {} -ttf -o out.wasm ...",
                                           size, status, wasm_opt_, in));
    std::ifstream f(out, std::ios::binary);
    Generated g;
    g.bytes.assign(std::istreambuf_iterator<char>(f), {});
    if (g.bytes.empty()) throw std::runtime_error("ttf: wasm-opt wrote no module");
    if (denan_) {
      // binaryen's --denan did the work; the custom section tells the V8 peer that results
      // and memory may be compared bit for bit (generator.h).
      const std::string_view name = "tandem.denan";
      g.bytes.push_back(0);                                              // custom section
      g.bytes.push_back(static_cast<uint8_t>(1 + name.size()));          // its size
      g.bytes.push_back(static_cast<uint8_t>(name.size()));              // the name's length
      g.bytes.insert(g.bytes.end(), name.begin(), name.end());
    }
    g.what = fmt::format("wasm-opt -ttf on {} random bytes{}", size, denan_ ? ", --denan" : "");
    return g;
  }

 private:
  std::string wasm_opt_;
  std::vector<std::string> features_;
  bool denan_ = false;
  std::unique_ptr<TempDir> dir_;
  pid_t dir_pid_ = 0;
};

}  // namespace

std::unique_ptr<Generator> MakeTtfGenerator(const GeneratorOptions& options) {
  return std::make_unique<TtfGenerator>(options);
}

}  // namespace tandem::diff::gen
