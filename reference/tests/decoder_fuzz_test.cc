// decoder_fuzz_test.cc: deterministic fuzzing of the binary decoder (Spec 5).
// Every input must decode or be refused with MalformedError / UnsupportedError (DESIGN.md
// "Module": never a crash); decoded modules must satisfy the layout contracts of module.h.
#include <catch2/catch.hpp>
#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "reference/decoder.h"
#include "reference/tests/wasm_bytes.h"
#include "reference/validator.h"

namespace tandem::wasm {
namespace {

using testing::Body;
using testing::Bytes;
using testing::Cat;
using testing::ModuleBytes;
using testing::Name;
using testing::OneTypeFuncs;
using testing::Section;
using testing::Uleb;
using testing::Vec;

// One instruction of every opcode in opcodes.def, with small valid immediates.
Bytes EveryOpcode() {
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

std::vector<Bytes> HandSeeds() {
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

// Optional extra seeds: every .wasm file in $TANDEM_FUZZ_SEEDS (e.g. wast2json output).
void AddDirectorySeeds(std::vector<Bytes>* seeds) {
  const char* dir = std::getenv("TANDEM_FUZZ_SEEDS");
  if (!dir || !std::filesystem::is_directory(dir)) return;
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

Bytes Mutate(const Bytes& seed, std::mt19937& rng) {
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

// The layout contracts of module.h that every decoded module must satisfy.
void CheckDecoded(const Module& m, const Bytes& input) {
  REQUIRE(m.bytes == input);
  REQUIRE(m.func_types.size() == m.num_imported_funcs + m.code.size());
  for (const auto& body : m.code) {
    REQUIRE(!body.code.empty());
    REQUIRE(body.code.back().op == Op::End);
    REQUIRE(static_cast<size_t>(body.body_offset) + body.body_size <= input.size());
    for (const auto& i : body.code) {
      REQUIRE(i.offset >= body.body_offset);
      REQUIRE(i.offset < body.body_offset + body.body_size);
      if (i.op == Op::BrTable) REQUIRE(size_t{i.a} + i.b + 1 <= body.br_table_pool.size());
    }
  }
  for (const auto& d : m.datas) {
    REQUIRE(static_cast<size_t>(d.data_offset) + d.data_size <= input.size());
  }
  for (const auto& c : m.customs) {
    REQUIRE(static_cast<size_t>(c.offset) + c.size <= input.size());
  }
}

TEST_CASE("decoder fuzz: random and mutated inputs decode or are refused cleanly",
          "[ref][fuzz]") {
  std::vector<Bytes> seeds = HandSeeds();
  for (const auto& s : seeds) REQUIRE_NOTHROW(Decode(s));  // the seeds themselves are valid
  AddDirectorySeeds(&seeds);
  const bool validate = std::getenv("TANDEM_FUZZ_VALIDATE") != nullptr;

  std::mt19937 rng(0x7a4d3);
  constexpr int kInputs = 10000;
  int decoded = 0, malformed = 0, unsupported = 0, validated = 0, invalid = 0;
  for (int n = 0; n < kInputs; ++n) {
    Bytes input;
    if (n % 2 == 0) {
      input = testing::Header();
      size_t len = rng() % 200;
      for (size_t i = 0; i < len; ++i) input.push_back(static_cast<uint8_t>(rng()));
    } else {
      input = Mutate(seeds[rng() % seeds.size()], rng);
    }
    try {
      Module m = Decode(input);
      ++decoded;
      CheckDecoded(m, input);
      if (validate) {
        try {
          Validate(m);
          ++validated;
        } catch (const InvalidError&) {
          ++invalid;
        }
      }
    } catch (const MalformedError&) {
      ++malformed;
    } catch (const UnsupportedError&) {
      ++unsupported;
    } catch (const std::exception& e) {
      FAIL("input " << n << ": unexpected exception: " << e.what());
    }
  }
  WARN("decoded " << decoded << ", malformed " << malformed << ", unsupported " << unsupported
                  << (validate ? ", valid " + std::to_string(validated) + ", invalid " +
                                     std::to_string(invalid)
                               : std::string()));
  CHECK(decoded + malformed + unsupported == kInputs);
  // Both outcomes must occur, or the generator has stopped exercising the decoder.
  CHECK(decoded > 100);
  CHECK(malformed > 1000);
}

}  // namespace
}  // namespace tandem::wasm
