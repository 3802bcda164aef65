// spec_files.h: test helper that converts the spec suite's core files with wast2json into a
// temporary directory, for the tests over "every module of the spec suite" (JIT code and arena
// tests, the encoder's round trip, the fuzz tests' seeds).
#pragma once

#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <string>
#include <vector>

namespace tandem::spec_files {

// $TANDEM_TESTSUITE (what ci/test.sh sets), else ../shared/testsuite beside the repository.
inline std::filesystem::path SpecSuiteDir() {
  if (const char* env = std::getenv("TANDEM_TESTSUITE"); env && *env) return env;
#ifdef TANDEM_SOURCE_DIR
  return std::filesystem::path(TANDEM_SOURCE_DIR) / ".." / "shared" / "testsuite";
#else
  return "/work/shared/testsuite";
#endif
}

struct ConvertedSpecFile {
  std::filesystem::path wast;  // the script
  std::filesystem::path dir;   // wast2json's output directory: out.json and the module files
  std::filesystem::path json;  // dir / "out.json"
};

// Contract: calls `fn` for every top-level `*.wast` of SpecSuiteDir() (without those whose name
// starts with "simd_" unless `with_simd`), in name order, after `wast2json --enable-all`
// converted it into a fresh subdirectory of a private temporary directory. Files wast2json rejects are not passed to `fn`.
// The temporary directory is removed afterwards, also when `fn` throws. Returns the number of
// files passed to `fn` (0 when the suite is missing).
inline int ForEachSpecFile(bool with_simd,
                           const std::function<void(const ConvertedSpecFile&)>& fn) {
  namespace fs = std::filesystem;
  const fs::path suite = SpecSuiteDir();
  if (!fs::exists(suite)) return 0;
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(suite)) {
    const fs::path& p = entry.path();
    if (p.extension() == ".wast" && (with_simd || p.filename().string().rfind("simd_", 0) != 0))
      files.push_back(p);
  }
  std::sort(files.begin(), files.end());
  fs::path tmp = fs::temp_directory_path() / ("tandem_spec_files_" + std::to_string(getpid()));
  fs::create_directories(tmp);
  struct Cleanup {
    fs::path dir;
    ~Cleanup() {
      std::error_code ec;
      fs::remove_all(dir, ec);
    }
  } cleanup{tmp};
  int converted = 0;
  for (const fs::path& p : files) {
    fs::path dir = tmp / p.stem();
    fs::create_directories(dir);
    fs::path json = dir / "out.json";
    std::string cmd =
        "wast2json --enable-all '" + p.string() + "' -o '" + json.string() + "' >/dev/null 2>&1";
    if (std::system(cmd.c_str()) != 0) continue;
    ++converted;
    fn(ConvertedSpecFile{p, dir, json});
    std::error_code ec;
    fs::remove_all(dir, ec);
  }
  return converted;
}

// ForEachSpecFile without the SIMD files (what the JITs compile today).
inline int ForEachNonSimdSpecFile(const std::function<void(const ConvertedSpecFile&)>& fn) {
  return ForEachSpecFile(false, fn);
}

inline std::vector<uint8_t> ReadFileBytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)),
                              std::istreambuf_iterator<char>());
}

}  // namespace tandem::spec_files
