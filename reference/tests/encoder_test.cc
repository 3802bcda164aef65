// encoder_test.cc: unit tests for the binary encoder and SameModule (reference/encoder.cc).
// Spec 5 (Binary Format): decode -> encode -> decode over every module of the spec test suite,
// every segment form by hand, custom sections, and SameModule's reports.
#include "reference/encoder.h"

#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "reference/decoder.h"
#include "reference/tests/spec_files.h"
#include "reference/tests/wasm_bytes.h"

namespace tandem::wasm {
namespace {

namespace fs = std::filesystem;

using testing::Body;
using testing::Bytes;
using testing::Cat;
using testing::ModuleBytes;
using testing::Name;
using testing::OneTypeFuncs;
using testing::Section;
using testing::Vec;

Bytes ReadFile(const fs::path& p) { return spec_files::ReadFileBytes(p); }

// decode -> Encode -> decode: the same module, and the second encoding equals the first.
void RequireRoundTrip(const Module& m) {
  Bytes first = Encode(m);
  Module again;
  try {
    again = Decode(first);
  } catch (const std::exception& e) {
    FAIL("the encoding does not decode: " << e.what());
  }
  std::string why;
  bool same = SameModule(m, again, &why);
  INFO("first difference: " << why);
  REQUIRE(same);
  REQUIRE(Encode(again) == first);
}

TEST_CASE("encoder: every module of the spec suite round-trips", "[encoder]") {
  const fs::path suite = spec_files::SpecSuiteDir();
  if (!fs::exists(suite)) {
    WARN("spec test suite not found at " << suite.string() << "; set TANDEM_TESTSUITE");
    return;
  }
  int checked = 0, skipped = 0;
  int converted = spec_files::ForEachSpecFile(true, [&](const spec_files::ConvertedSpecFile& f) {
    INFO("file " << f.wast.filename().string());
    std::vector<fs::path> modules;
    for (const auto& entry : fs::directory_iterator(f.dir)) {
      if (entry.path().extension() == ".wasm") modules.push_back(entry.path());
    }
    std::sort(modules.begin(), modules.end());
    for (const fs::path& p : modules) {
      INFO("module " << p.filename().string());
      Bytes bytes = ReadFile(p);
      Module m;
      try {
        m = Decode(bytes);
      } catch (const std::exception&) {
        ++skipped;  // malformed (assert_malformed), unsupported or beyond a limit
        continue;
      }
      RequireRoundTrip(m);
      ++checked;
    }
  });
  WARN(checked << " modules of " << converted << " files round-tripped; " << skipped
               << " refused by the decoder were skipped");
  REQUIRE(converted >= 146);  // every core file, SIMD included
  REQUIRE(checked > 1000);
}

// A module with two funcref tables, one function and the element segments `elems`.
Bytes ElemModule(const Bytes& elems) {
  return ModuleBytes({OneTypeFuncs(1),
                      Section(4, Vec({{0x70, 0x00, 0x01}, {0x70, 0x00, 0x01}})),
                      Section(9, elems), Section(10, Vec({Body({0x00}, {0x0b})}))});
}

TEST_CASE("encoder: all eight element segment forms", "[encoder]") {
  // Spec 5.5.12. Each segment is written in the form the encoder picks for it, so the encoding
  // reproduces the input byte for byte.
  Bytes canonical = ElemModule(Vec({
      {0x00, 0x41, 0x00, 0x0b, 0x02, 0x00, 0x00},                    // active t0, func indices
      {0x01, 0x00, 0x01, 0x00},                                      // passive, elemkind
      {0x02, 0x01, 0x41, 0x01, 0x0b, 0x00, 0x01, 0x00},              // active t1, elemkind
      {0x03, 0x00, 0x00},                                            // declarative, empty
      {0x04, 0x41, 0x02, 0x0b, 0x02, 0xd2, 0x00, 0x0b, 0xd0, 0x70, 0x0b},  // active t0, exprs
      {0x05, 0x6f, 0x01, 0xd0, 0x6f, 0x0b},                          // passive, externref
      {0x06, 0x01, 0x41, 0x03, 0x0b, 0x70, 0x01, 0xd0, 0x70, 0x0b},  // active t1, reftype
      {0x07, 0x70, 0x01, 0x23, 0x00, 0x0b},                          // declarative, global.get
  }));
  Module m = Decode(canonical);
  REQUIRE(m.elems.size() == 8);
  RequireRoundTrip(m);
  CHECK(Encode(m) == canonical);

  // Expression forms whose expressions are all ref.func become function-index forms; a
  // funcref segment of table 0 drops its explicit table and type.
  Bytes exprs = ElemModule(Vec({
      {0x04, 0x41, 0x00, 0x0b, 0x01, 0xd2, 0x00, 0x0b},              // -> 0
      {0x05, 0x70, 0x01, 0xd2, 0x00, 0x0b},                          // -> 1
      {0x06, 0x01, 0x41, 0x01, 0x0b, 0x70, 0x01, 0xd2, 0x00, 0x0b},  // -> 2
      {0x07, 0x70, 0x01, 0xd2, 0x00, 0x0b},                          // -> 3
      {0x06, 0x00, 0x41, 0x01, 0x0b, 0x70, 0x01, 0xd0, 0x70, 0x0b},  // -> 4
      {0x02, 0x00, 0x41, 0x00, 0x0b, 0x00, 0x01, 0x00},              // -> 0
  }));
  m = Decode(exprs);
  RequireRoundTrip(m);
  Bytes expected = ElemModule(Vec({
      {0x00, 0x41, 0x00, 0x0b, 0x01, 0x00},
      {0x01, 0x00, 0x01, 0x00},
      {0x02, 0x01, 0x41, 0x01, 0x0b, 0x00, 0x01, 0x00},
      {0x03, 0x00, 0x01, 0x00},
      {0x04, 0x41, 0x01, 0x0b, 0x01, 0xd0, 0x70, 0x0b},
      {0x00, 0x41, 0x00, 0x0b, 0x01, 0x00},
  }));
  CHECK(Encode(m) == expected);
}

TEST_CASE("encoder: all three data segment forms and the data count", "[encoder]") {
  // Spec 5.5.14, 5.5.15.
  Bytes datas = Vec({Cat({{0x00, 0x41, 0x07, 0x0b}, Name("ab")}),
                     Cat({{0x01}, Name("c")}),
                     Cat({{0x02, 0x01, 0x41, 0x04, 0x0b}, Name("")})});
  Bytes canonical = ModuleBytes({Section(5, Vec({{0x00, 0x01}, {0x01, 0x00, 0x02}})),
                                 Section(12, {0x03}), Section(11, datas)});
  Module m = Decode(canonical);
  REQUIRE(m.datas.size() == 3);
  RequireRoundTrip(m);
  CHECK(Encode(m) == canonical);

  // Without a data count section none is written.
  m = Decode(ModuleBytes({Section(11, datas)}));
  CHECK_FALSE(m.data_count);
  RequireRoundTrip(m);
  CHECK_FALSE(Decode(Encode(m)).data_count);
}

TEST_CASE("encoder: every immediate kind and non-minimal LEB128", "[encoder]") {
  // Spec 5.4: one instruction of each immediate kind, numbers written with padding; the
  // encoding is minimal and decodes to the same module.
  Bytes code = {
      0x02, 0x40,                                      // block (empty)
      0x02, 0x7f, 0x41, 0x85, 0x80, 0x80, 0x80, 0x00,  // block i32, i32.const 5 (padded)
      0x0c, 0x00, 0x0b,                                // br 0, end
      0x0e, 0x02, 0x00, 0x00, 0x00,                    // br_table 0 0 0
      0x0b,                                            // end
      0x02, 0x00, 0x0b,                                // block (type 0)
      0x41, 0x80, 0x80, 0x80, 0x80, 0x78,              // i32.const INT32_MIN
      0x42, 0x7f, 0x1a, 0x1a,                          // i64.const -1, drop, drop
      0x43, 0x00, 0x00, 0xc0, 0x7f, 0x1a,              // f32.const nan, drop
      0x44, 1, 2, 3, 4, 5, 6, 7, 8, 0x1a,              // f64.const, drop
      0x41, 0x00, 0x28, 0x02, 0x90, 0x03, 0x1a,        // i32.load align=2 offset=400, drop
      0x3f, 0x00, 0x1a,                                // memory.size, drop
      0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x0a, 0x00, 0x00,  // memory.copy
      0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00, 0x00,  // memory.init 0
      0xfc, 0x09, 0x80, 0x00,                          // data.drop 0 (padded)
      0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0x1c, 0x01, 0x7f, 0x1a,  // select (result i32)
      0xd0, 0x70, 0x1a, 0xd2, 0x00, 0x1a,              // ref.null func, ref.func 0
      0x20, 0x00, 0x21, 0x00,                          // local.get 0, local.set 0
      0xfd, 0x0c, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15,  // v128.const
      0xfd, 0x0c, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0,  // v128.const
      0xfd, 0x0d, 0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31,  // i8x16.shuffle
      0xfd, 0x15, 0x03, 0x1a,                          // i8x16.extract_lane_s 3, drop
      0x41, 0x00, 0xfd, 0x0c, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
      0xfd, 0x56, 0x00, 0x08, 0x05, 0x1a,              // v128.load16_lane offset=8 lane 5
      0x0b};
  Bytes bytes = ModuleBytes(
      {OneTypeFuncs(1), Section(5, Vec({{0x00, 0x01}})), Section(12, {0x01}),
       Section(10, Vec({Body(Vec({{0x01, 0x7f}}), code)})), Section(11, Vec({Cat({{0x01},
       Name("x")})}))});
  Module m = Decode(bytes);
  RequireRoundTrip(m);
  Bytes out = Encode(m);
  CHECK(out.size() < bytes.size());
}

TEST_CASE("encoder: custom sections keep their names and payloads", "[encoder]") {
  // Spec 5.5.3: custom sections may sit anywhere; the encoder writes them last, in order.
  Bytes bytes = ModuleBytes({Section(0, Cat({Name("first"), {1, 2, 3}})),
                             OneTypeFuncs(1),
                             Section(0, Name("")),
                             Section(10, Vec({Body({0x00}, {0x0b})})),
                             Section(0, Cat({Name("name"), {0x00, 0x02, 0x01, 0x00}})),
                             Section(0, Cat({Name("\xc3\xa9t\xc3\xa9"), Bytes(300, 0xab)}))});
  Module m = Decode(bytes);
  REQUIRE(m.customs.size() == 4);
  RequireRoundTrip(m);
  Module again = Decode(Encode(m));
  REQUIRE(again.customs.size() == 4);
  const char* names[] = {"first", "", "name", "\xc3\xa9t\xc3\xa9"};
  const uint32_t sizes[] = {3, 0, 4, 300};
  for (int i = 0; i < 4; ++i) {
    CHECK(again.customs[i].name == names[i]);
    CHECK(again.customs[i].size == sizes[i]);
  }
  CHECK(again.bytes[again.customs[0].offset + 2] == 3);
  CHECK(again.bytes[again.customs[3].offset + 299] == 0xab);
  // Written after the code section.
  CHECK(again.customs[0].offset > again.code[0].body_offset);
}

// One function with two local groups, two br_tables, and a data segment "abc".
Module SmallModule() {
  Bytes code = {0x02, 0x40, 0x41, 0x05, 0x0e, 0x01, 0x00, 0x00,   // block, i32.const 5, br_table
                0x41, 0x06, 0x0e, 0x02, 0x00, 0x00, 0x00, 0x0b,   // i32.const 6, br_table, end
                0x0b};
  return Decode(ModuleBytes(
      {OneTypeFuncs(1), Section(5, Vec({{0x00, 0x01}})),
       Section(10, Vec({Body(Vec({{0x02, 0x7f}, {0x01, 0x7e}}), code)})),
       Section(11, Vec({Cat({{0x00, 0x41, 0x00, 0x0b}, Name("abc")})}))}));
}

TEST_CASE("encoder: SameModule names the first difference", "[encoder]") {
  const Module m = SmallModule();
  std::string why;
  REQUIRE(SameModule(m, m, &why));

  SECTION("an instruction immediate") {
    Module n = m;
    REQUIRE(n.code[0].code[1].op == Op::I32Const);
    n.code[0].code[1].c = 6;
    CHECK_FALSE(SameModule(m, n, &why));
    CHECK(why == "function 0 instruction 1: i32.const c 5 vs 6");
  }
  SECTION("an opcode") {
    Module n = m;
    n.code[0].code[1].op = Op::I64Const;
    CHECK_FALSE(SameModule(m, n, &why));
    CHECK(why == "function 0 instruction 1: i32.const vs i64.const");
  }
  SECTION("a data byte") {
    Module n = m;
    n.bytes[n.datas[0].data_offset + 1] = 'x';
    CHECK_FALSE(SameModule(m, n, &why));
    CHECK(why == "data segment 0 byte 1: 0x62 vs 0x78");
  }
  SECTION("a local count") {
    Module n = m;
    n.code[0].locals[1].count = 3;
    CHECK_FALSE(SameModule(m, n, &why));
    CHECK(why == "function 0 local group 1 count 1 vs 3");
  }
  SECTION("a br_table target, compared by value") {
    // The same targets at other pool positions are the same module ...
    Module n = m;
    std::vector<uint32_t>& pool = n.code[0].br_table_pool;
    REQUIRE(pool.size() == 5);
    pool.insert(pool.begin(), {7, 7});
    n.code[0].code[2].a += 2;
    n.code[0].code[4].a += 2;
    CHECK(SameModule(m, n, &why));
    // ... a different target is not.
    pool[n.code[0].code[4].a + 1] = 1;
    CHECK_FALSE(SameModule(m, n, &why));
    CHECK(why == "function 0 instruction 4: br_table targets [0 0 0] vs [0 1 0]");
  }
  SECTION("byte offsets and Module::bytes are ignored") {
    Module n = Decode(Encode(m));
    n.code[0].code[0].offset += 100;
    n.code[0].body_offset = 0;
    n.bytes.push_back(0);
    CHECK(SameModule(m, n, &why));
  }
}

TEST_CASE("encoder: modules it cannot write are refused", "[encoder]") {
  Module m = SmallModule();
  SECTION("data outside Module::bytes") {
    m.datas[0].data_size = 1000;
    CHECK_THROWS_AS(Encode(m), std::invalid_argument);
  }
  SECTION("br_table outside its pool") {
    m.code[0].br_table_pool.clear();
    CHECK_THROWS_AS(Encode(m), std::invalid_argument);
  }
}

}  // namespace
}  // namespace tandem::wasm
