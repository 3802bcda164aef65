// seeds.cc: the seed modules of the `mutate` generator, the valid modules of the spec test suite
// converted with wast2json (generator.h, LoadSeedModules).
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <system_error>
#include <vector>

#include "diff/gen/generator.h"
#include "diff/process.h"
#include "reference/decoder.h"
#include "reference/validator.h"

namespace tandem::diff::gen {

namespace {

namespace fs = std::filesystem;

constexpr size_t kMaxSeedBytes = 64 * 1024;

// The number N of a module file NAME.N.wasm written by wast2json (SIZE_MAX if there is none).
size_t ModuleNumber(const fs::path& file) {
  std::string stem = file.stem().string();  // NAME.N
  size_t dot = stem.rfind('.');
  if (dot == std::string::npos || dot + 1 == stem.size()) return SIZE_MAX;
  size_t n = 0;
  for (size_t i = dot + 1; i < stem.size(); ++i) {
    if (stem[i] < '0' || stem[i] > '9') return SIZE_MAX;
    n = n * 10 + static_cast<size_t>(stem[i] - '0');
  }
  return n;
}

std::vector<uint8_t> ReadBytes(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

// A seed decodes, validates and imports from the spectest module only (which every engine of
// the harness provides).
bool IsSeed(const std::vector<uint8_t>& bytes) {
  if (bytes.size() > kMaxSeedBytes) return false;
  try {
    wasm::Module m = wasm::Decode(bytes);
    wasm::Validate(m);
    for (const wasm::Import& im : m.imports)
      if (im.module != "spectest") return false;
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace

std::vector<std::vector<uint8_t>> LoadSeedModules(const fs::path& testsuite,
                                                  const std::string& wast2json, bool simd) {
  std::error_code ec;
  if (!fs::is_directory(testsuite, ec)) {
    std::string message = "no seed modules: the test suite ";
    message += testsuite.string();
    message += " is not a directory";
    throw std::runtime_error(message);
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(testsuite)) {
    const fs::path& p = entry.path();
    if (p.extension() != ".wast" || !entry.is_regular_file()) continue;
    if (!simd && p.filename().string().rfind("simd_", 0) == 0) continue;
    files.push_back(p);
  }
  std::sort(files.begin(), files.end(), [](const fs::path& a, const fs::path& b) {
    return a.filename().string() < b.filename().string();
  });

  TempDir tmp("tandem_seeds");
  std::vector<std::vector<uint8_t>> seeds;
  size_t converted = 0;
  for (const fs::path& wast : files) {
    const fs::path dir = tmp.path() / wast.stem();
    fs::create_directories(dir);
    const int status =
        RunQuiet({wast2json, "--enable-all", wast.string(), "-o", (dir / "out.json").string()});
    if (WIFSIGNALED(status)) {
      std::string message = wast2json;
      message += " died on signal ";
      message += std::to_string(WTERMSIG(status));
      message += " converting ";
      message += wast.string();
      throw std::runtime_error(message);
    }
    // A script wast2json rejects (a proposal it does not know) gives no seeds; the others do.
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
      ++converted;
      std::vector<fs::path> modules;
      for (const auto& entry : fs::directory_iterator(dir))
        if (entry.path().extension() == ".wasm") modules.push_back(entry.path());
      std::sort(modules.begin(), modules.end(), [](const fs::path& a, const fs::path& b) {
        const size_t na = ModuleNumber(a), nb = ModuleNumber(b);
        if (na != nb) return na < nb;
        return a.filename().string() < b.filename().string();
      });
      for (const fs::path& p : modules) {
        std::vector<uint8_t> bytes = ReadBytes(p);
        if (IsSeed(bytes)) seeds.push_back(std::move(bytes));
      }
    }
    fs::remove_all(dir, ec);
  }
  if (seeds.empty()) {
    std::string message = "no seed modules in ";
    message += testsuite.string();
    message += ": ";
    message += std::to_string(files.size());
    message += " .wast files, ";
    message += std::to_string(converted);
    message += " converted by ";
    message += wast2json;
    message += ", none with a valid module importing only from spectest";
    throw std::runtime_error(message);
  }
  return seeds;
}

}  // namespace tandem::diff::gen
