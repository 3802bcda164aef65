// wat_util.h: test helper turning WebAssembly text into a binary with WABT's wat2wasm.
// Spec 6 (text format) is WABT's job here; `--no-check` lets tests build invalid modules.
#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <vector>

namespace tandem::testing {

// Contract: returns the binary encoding of `wat` as produced by
// `/usr/bin/wat2wasm --no-check <extra_flags> in.wat -o out.wasm` (so invalid-but-well-formed
// modules are accepted). Throws std::runtime_error with wat2wasm's diagnostics if it fails.
// Temporary files live in $TMPDIR (default /tmp) and are removed before returning.
inline std::vector<uint8_t> WatToWasm(const std::string& wat, const std::string& extra_flags = "") {
  const char* tmpdir = std::getenv("TMPDIR");
  std::string base = std::string(tmpdir && *tmpdir ? tmpdir : "/tmp") + "/tandem_wat_XXXXXX";
  std::vector<char> name(base.begin(), base.end());
  name.push_back('\0');
  int fd = mkstemp(name.data());
  if (fd < 0) throw std::runtime_error("WatToWasm: mkstemp failed");
  close(fd);
  const std::string stem(name.data());
  const std::string in = stem + ".wat", out = stem + ".wasm", err = stem + ".err";
  {
    std::ofstream f(in, std::ios::binary);
    f << wat;
  }
  std::string cmd = "/usr/bin/wat2wasm --no-check " + extra_flags + " '" + in + "' -o '" + out +
                    "' 2>'" + err + "'";
  int rc = std::system(cmd.c_str());
  std::vector<uint8_t> bytes;
  std::string diag;
  if (rc == 0) {
    std::ifstream f(out, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  } else {
    std::ifstream f(err);
    diag.assign(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
  }
  std::remove(in.c_str());
  std::remove(out.c_str());
  std::remove(err.c_str());
  std::remove(stem.c_str());
  if (rc != 0) throw std::runtime_error("wat2wasm failed:\n" + diag + "\nfor input:\n" + wat);
  return bytes;
}

}  // namespace tandem::testing
