// fuzz_inputs.h: the inputs of the deterministic fuzz tests: hand-built seed modules that reach
// every section and every opcode, optional seed directories, and a byte-level mutator.
// Used by reference/tests/decoder_fuzz_test.cc (decoder) and diff/tests/pipeline_fuzz_test.cc
// (decode, validate, instantiate and run on every engine).
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "reference/opcodes.h"
#include "reference/tests/wasm_bytes.h"

namespace tandem::wasm::testing {

// One instruction of every opcode in opcodes.def, with small valid immediates.
inline Bytes EveryOpcode() {
  Bytes code;
  for (int i = 0; i < kNumOps; ++i) {
    Op op = static_cast<Op>(i);
    const OpInfo& info = GetOpInfo(op);
    if (op == Op::Block || op == Op::Loop || op == Op::If || op == Op::Else || op == Op::End) {
      continue;
    }
    if (info.prefix) {
      code.push_back(info.prefix);
      Bytes sub = Uleb(info.code);
      code.insert(code.end(), sub.begin(), sub.end());
    } else {
      code.push_back(static_cast<uint8_t>(info.code));
    }
    Bytes imm;
    switch (info.imm) {
      case ImmKind::None: break;
      case ImmKind::BlockType: imm = {0x40}; break;
      case ImmKind::BrTable: imm = {0x01, 0x00, 0x00}; break;
      case ImmKind::RefType: imm = {0x70}; break;
      case ImmKind::SelectT: imm = {0x01, 0x7f}; break;
      case ImmKind::CallIndirect:
      case ImmKind::MemoryInit:
      case ImmKind::MemoryCopy:
      case ImmKind::TableInit:
      case ImmKind::TableCopy:
      case ImmKind::Mem1:
      case ImmKind::Mem2:
      case ImmKind::Mem4:
      case ImmKind::Mem8:
      case ImmKind::Mem16: imm = {0x00, 0x00}; break;
      case ImmKind::MemLane1:
      case ImmKind::MemLane2:
      case ImmKind::MemLane4:
      case ImmKind::MemLane8: imm = {0x00, 0x00, 0x01}; break;
      case ImmKind::V128Const:
      case ImmKind::Shuffle: imm = Bytes(16, 0x03); break;
      case ImmKind::F32Const: imm = Bytes(4, 0x3f); break;
      case ImmKind::F64Const: imm = Bytes(8, 0x3f); break;
      default: imm = {0x00}; break;
    }
    code.insert(code.end(), imm.begin(), imm.end());
  }
  Bytes blocks = {0x02, 0x40, 0x03, 0x7f, 0x41, 0x01, 0x0b, 0x1a, 0x0b,   // block loop end end
                  0x41, 0x00, 0x04, 0x00, 0x01, 0x05, 0x01, 0x0b};  // if (type 0) else end
  return Cat({code, blocks});
}

inline std::vector<Bytes> HandSeeds() {
  std::vector<Bytes> seeds;
  Bytes types = Vec({{0x60, 0x00, 0x00}, {0x60, 0x02, 0x7f, 0x7e, 0x01, 0x7d}});
  Bytes imports = Vec({Cat({Name("env"), Name("f"), {0x00, 0x01}}),
                       Cat({Name("env"), Name("g"), {0x03, 0x7f, 0x01}}),
                       Cat({Name("env"), Name("m"), {0x02, 0x01, 0x01, 0x02}}),
                       Cat({Name("env"), Name("t"), {0x01, 0x6f, 0x00, 0x00}})});
  Bytes elems = Vec({{0x00, 0x41, 0x00, 0x0b, 0x01, 0x01},
                     {0x01, 0x00, 0x01, 0x01},
                     {0x02, 0x01, 0x41, 0x01, 0x0b, 0x00, 0x01, 0x01},
                     {0x03, 0x00, 0x01, 0x01},
                     {0x04, 0x41, 0x02, 0x0b, 0x02, 0xd2, 0x01, 0x0b, 0xd0, 0x70, 0x0b},
                     {0x05, 0x70, 0x01, 0xd2, 0x01, 0x0b},
                     {0x06, 0x01, 0x41, 0x03, 0x0b, 0x70, 0x01, 0xd0, 0x70, 0x0b},
                     {0x07, 0x70, 0x01, 0xd2, 0x01, 0x0b}});
  Bytes datas = Vec({Cat({{0x00, 0x41, 0x07, 0x0b}, Name("ab")}), Cat({{0x01}, Name("c")}),
                     Cat({{0x02, 0x00, 0x41, 0x04, 0x0b}, Name("xyz")})});
  Bytes code = Vec({Body({0x02, 0x01, 0x7e, 0x03, 0x7d}, Cat({EveryOpcode(), {0x0b}})),
                    Body({0x00}, {0x20, 0x00, 0x1a, 0x41, 0x00, 0x0e, 0x02, 0x00, 0x00, 0x00,
                                  0x0b})});
  seeds.push_back(ModuleBytes(
      {Section(0, Cat({Name("first"), {0x01, 0x02}})), Section(1, types), Section(2, imports),
       Section(3, Vec({{0x00}, {0x01}})), Section(4, Vec({{0x70, 0x01, 0x01, 0x10}})),
       Section(6, Vec({{0x7e, 0x00, 0x42, 0x7f, 0x0b}, {0x70, 0x01, 0xd2, 0x00, 0x0b}})),
       Section(7, Vec({Cat({Name("run"), {0x00, 0x01}}), Cat({Name("g"), {0x03, 0x00}})})),
       Section(8, {0x01}), Section(9, elems), Section(12, {0x03}), Section(10, code),
       Section(11, datas), Section(0, Name("last"))}));
  seeds.push_back(ModuleBytes({OneTypeFuncs(1), Section(10, Vec({Body({0x00}, {0x0b})}))}));
  seeds.push_back(ModuleBytes({Section(5, Vec({{0x00, 0x82, 0x80, 0x80, 0x80, 0x00}})),
                               Section(11, Vec({Cat({{0x00, 0x41, 0x80, 0x00, 0x0b}, Name("")})}))}));
  return seeds;
}

// Extra seeds: every .wasm file of at most 4 KiB under `dir` (e.g. wast2json output), in name order.
inline void AddDirectorySeeds(std::vector<Bytes>* seeds, const std::filesystem::path& dir) {
  if (dir.empty() || !std::filesystem::is_directory(dir)) return;
  std::vector<std::filesystem::path> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    if (e.is_regular_file() && e.path().extension() == ".wasm") files.push_back(e.path());
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    Bytes b((std::istreambuf_iterator<char>(in)), {});
    if (b.size() <= 4096) seeds->push_back(std::move(b));
  }
}

inline Bytes Mutate(const Bytes& seed, std::mt19937& rng) {
  Bytes b = seed;
  int edits = rng() % 2 ? 1 : 1 + static_cast<int>(rng() % 4);
  for (int e = 0; e < edits; ++e) {
    size_t n = b.size();
    switch (rng() % 5) {
      case 0:  // bit flip
        if (n) b[rng() % n] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 1:  // insert a byte
        b.insert(b.begin() + (n ? rng() % (n + 1) : 0), static_cast<uint8_t>(rng()));
        break;
      case 2:  // delete a byte
        if (n) b.erase(b.begin() + rng() % n);
        break;
      case 3:  // truncate
        if (n) b.resize(rng() % n);
        break;
      case 4:  // overwrite with an interesting byte
        if (n) {
          static constexpr uint8_t kInteresting[] = {0x00, 0x01, 0x0b, 0x40, 0x7f, 0x80, 0xff,
                                                     0xfc, 0xfd, 0x70, 0x6f, 0x05};
          b[rng() % n] = kInteresting[rng() % sizeof kInteresting];
        }
        break;
    }
  }
  return b;
}

}  // namespace tandem::wasm::testing
