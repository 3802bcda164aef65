// make_dict.cc: writes the libFuzzer dictionary of the targets (ci/build-fuzzers.sh puts it
// beside each as TARGET.dict): the module header, section and type encodings, and the encoding
// of every opcode of the reference's table (prefixed ones with their LEB128 sub-opcode).
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "reference/opcodes.h"

namespace {

std::string Escape(const std::vector<uint8_t>& bytes) {
  std::string s;
  char buf[8];
  for (uint8_t b : bytes) {
    std::snprintf(buf, sizeof buf, "\\x%02x", b);
    s += buf;
  }
  return s;
}

void Entry(const std::string& name, const std::vector<uint8_t>& bytes) {
  std::string key;
  for (char c : name) key += (c == '.' || c == '-' || c == '/') ? '_' : c;
  std::printf("%s=\"%s\"\n", key.c_str(), Escape(bytes).c_str());
}

}  // namespace

int main() {
  using namespace tandem::wasm;
  std::printf("# WebAssembly tokens for tandem's fuzz targets (made by make_dict from the opcode table)\n");
  Entry("header", {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00});
  const char* sections[] = {"custom", "type", "import", "function", "table", "memory", "global",
                            "export", "start", "element", "code", "data", "datacount"};
  for (uint8_t id = 0; id < 13; ++id) Entry(std::string("section_") + sections[id], {id});
  Entry("functype", {0x60});
  const std::pair<const char*, uint8_t> types[] = {{"i32", 0x7f}, {"i64", 0x7e}, {"f32", 0x7d},
                                                   {"f64", 0x7c}, {"v128", 0x7b}, {"funcref", 0x70},
                                                   {"externref", 0x6f}, {"emptyblock", 0x40}};
  for (const auto& [name, code] : types) Entry(std::string("type_") + name, {code});
  Entry("leb_max_u32", {0xff, 0xff, 0xff, 0xff, 0x0f});
  Entry("leb_minus_one", {0x7f});
  for (int i = 0; i < kNumOps; ++i) {
    const OpInfo& op = GetOpInfo(static_cast<Op>(i));
    std::vector<uint8_t> bytes;
    if (op.prefix) {
      bytes.push_back(op.prefix);
      uint32_t v = op.code;
      do {
        uint8_t b = v & 0x7f;
        v >>= 7;
        bytes.push_back(static_cast<uint8_t>(b | (v ? 0x80 : 0)));
      } while (v);
    } else {
      bytes.push_back(static_cast<uint8_t>(op.code));
    }
    Entry(std::string("op_") + op.name, bytes);
  }
  return 0;
}
