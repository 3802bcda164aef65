// decoder_test.cc: unit tests for the binary decoder (reference/decoder.cc).
// Spec 5 (Binary Format): one hand-built binary per error path, a full module, all segment forms.
#include "reference/decoder.h"

#include <catch2/catch.hpp>
#include <cctype>
#include <string>
#include <string_view>
#include <vector>

#include "reference/tests/wasm_bytes.h"

namespace tandem::wasm {
namespace {

using testing::Body;
using testing::Bytes;
using testing::Cat;
using testing::Header;
using testing::ModuleBytes;
using testing::Name;
using testing::OneTypeFuncs;
using testing::Section;
using testing::Uleb;
using testing::Vec;

// The MalformedError text for `b`, or "<decoded>" / "<unsupported>".
std::string DecodeError(const Bytes& b) {
  try {
    Decode(b);
  } catch (const MalformedError& e) {
    return e.what();
  } catch (const UnsupportedError& e) {
    return "<unsupported>";
  }
  return "<decoded>";
}

// A module with one function of type [] -> [] whose body (after an empty locals vector) is `code`.
Bytes Fn(const Bytes& code) {
  return ModuleBytes({OneTypeFuncs(1), Section(10, Vec({Body({0x00}, code)}))});
}

const Bytes kZero3 = {0x41, 0x00, 0x41, 0x00, 0x41, 0x00};  // three i32.const 0

struct ErrorCase {
  const char* name;
  Bytes bytes;
  const char* prefix;
};

TEST_CASE("decoder: every error path reports the spec's text", "[ref]") {
  Bytes h = Header();
  Bytes truncated_header(h.begin(), h.end() - 1);
  std::vector<ErrorCase> cases = {
      {"empty input", {}, "unexpected end"},
      {"truncated magic", {0x00, 0x61, 0x73}, "unexpected end"},
      {"truncated version", truncated_header, "unexpected end"},
      {"bad magic", {0x61, 0x73, 0x6d, 0x00, 0x01, 0x00, 0x00, 0x00},
       "magic header not detected"},
      {"bad version", {0x00, 0x61, 0x73, 0x6d, 0x02, 0x00, 0x00, 0x00},
       "unknown binary version"},
      {"section id 13", ModuleBytes({{0x0d, 0x00}}), "malformed section id"},
      {"section id 0x80", ModuleBytes({{0x80, 0x00, 0x01, 0x00}}), "malformed section id"},
      {"u32 one byte too many",
       ModuleBytes({Section(5, {0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x80, 0x00})}),
       "integer representation too long"},
      {"u32 unused bits set", ModuleBytes({Section(5, {0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x70})}),
       "integer too large"},
      {"s32 unused bits unset",
       ModuleBytes({Section(6, {0x01, 0x7f, 0x00, 0x41, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x0b})}),
       "integer too large"},
      {"type form as two-byte LEB", ModuleBytes({Section(1, {0x01, 0xe0, 0x7f, 0x00, 0x00})}),
       "integer representation too long"},
      {"limits flag 2", ModuleBytes({Section(5, {0x01, 0x02, 0x00})}), "integer too large"},
      {"section larger than module", ModuleBytes({{0x01, 0x05, 0x00}}), "length out of bounds"},
      {"name longer than module", ModuleBytes({Section(7, {0x01, 0x09, 0x61})}),
       "length out of bounds"},
      {"section has extra bytes", ModuleBytes({Section(1, {0x00, 0x00})}),
       "section size mismatch"},
      {"vector overruns module", ModuleBytes({Section(4, {0x01})}),
       "unexpected end of section or function"},
      {"body without end at end of module",
       ModuleBytes({OneTypeFuncs(1), {0x0a, 0x04, 0x01, 0x02, 0x00, 0x01}}),
       "unexpected end of section or function"},
      {"truncated f64.const", ModuleBytes({OneTypeFuncs(1), {0x0a, 0x06, 0x01, 0x04, 0x00, 0x44,
                                                             0x00, 0x00}}),
       "unexpected end"},
      {"body end followed by next section",
       ModuleBytes({OneTypeFuncs(1), {0x0a, 0x04, 0x01, 0x02, 0x00, 0x01},
                    Section(11, {0x01, 0x01, 0x00})}),
       "section size mismatch"},
      {"missing end between two bodies",
       ModuleBytes({OneTypeFuncs(2), Section(10, {0x02, 0x02, 0x00, 0x01, 0x05, 0x00, 0x01,
                                                  0x01, 0x01, 0x0b})}),
       "END opcode expected"},
      {"bad UTF-8 in import name",
       ModuleBytes({Section(2, Vec({Cat({Name("\xff"), Name("x"), {0x00, 0x00}})}))}),
       "malformed UTF-8 encoding"},
      {"surrogate in export name",
       ModuleBytes({Section(7, Vec({Cat({Name("\xed\xa0\x80"), {0x00, 0x00}})}))}),
       "malformed UTF-8 encoding"},
      {"overlong UTF-8 in custom name", ModuleBytes({Section(0, Name("\xc0\x80"))}),
       "malformed UTF-8 encoding"},
      {"custom name overruns its section", ModuleBytes({{0x00, 0x01, 0x03, 0x61, 0x62, 0x63}}),
       "unexpected end"},
      {"import kind 4", ModuleBytes({Section(2, Vec({Cat({Name("m"), Name("x"), {0x04}})}))}),
       "malformed import kind"},
      {"export kind 4", ModuleBytes({Section(7, Vec({Cat({Name("e"), {0x04, 0x00}})}))}),
       "malformed export kind"},
      {"global mutability 2", ModuleBytes({Section(6, {0x01, 0x7f, 0x02, 0x41, 0x00, 0x0b})}),
       "malformed mutability"},
      {"table of i32", ModuleBytes({Section(4, {0x01, 0x7f, 0x00, 0x00})}),
       "malformed reference type"},
      {"ref.null of i32", Fn({0xd0, 0x7f, 0x1a, 0x0b}), "malformed reference type"},
      {"elem form 5 of i32",
       ModuleBytes({Section(9, {0x01, 0x05, 0x7f, 0x01, 0xd2, 0x00, 0x0b})}),
       "malformed reference type"},
      {"param type 0x40", ModuleBytes({Section(1, {0x01, 0x60, 0x01, 0x40, 0x00})}),
       "malformed value type"},
      {"local type 0x6e",
       ModuleBytes({OneTypeFuncs(1), Section(10, Vec({Body({0x01, 0x01, 0x6e}, {0x0b})}))}),
       "malformed value type"},
      {"function type form 0x61", ModuleBytes({Section(1, {0x01, 0x61, 0x00, 0x00})}),
       "malformed function type"},
      {"elem kind 1", ModuleBytes({Section(9, {0x01, 0x01, 0x01, 0x00})}),
       "malformed element kind"},
      {"elem flags 8", ModuleBytes({Section(9, {0x01, 0x08})}),
       "malformed elements segment kind"},
      {"data flags 3", ModuleBytes({Section(11, {0x01, 0x03})}), "malformed data segment kind"},
      {"negative multi-byte block type", Fn({0x02, 0xc0, 0x7f, 0x0b, 0x0b}),
       "malformed block type"},
      {"opcode 0x06", Fn({0x06, 0x0b}), "illegal opcode"},
      {"opcode 0xfc 0x12", Fn({0xfc, 0x12, 0x0b}), "illegal opcode"},
      {"illegal opcode in constant expression",
       ModuleBytes({Section(9, {0x01, 0x05, 0x70, 0x01, 0xf3, 0x00, 0x0b})}), "illegal opcode"},
      {"memory.size reserved byte", Fn({0x3f, 0x01, 0x1a, 0x0b}), "zero byte expected"},
      {"memory.grow long zero", Fn({0x41, 0x00, 0x40, 0x80, 0x00, 0x1a, 0x0b}),
       "zero byte expected"},
      {"memory.fill reserved byte", Fn(Cat({kZero3, {0xfc, 0x0b, 0x01, 0x0b}})),
       "zero byte expected"},
      {"memory.copy second reserved byte", Fn(Cat({kZero3, {0xfc, 0x0a, 0x00, 0x01, 0x0b}})),
       "zero byte expected"},
      {"memory.init reserved byte", Fn(Cat({kZero3, {0xfc, 0x08, 0x00, 0x01, 0x0b}})),
       "zero byte expected"},
      {"locals sum above 2^32-1",
       ModuleBytes({OneTypeFuncs(1),
                    Section(10, Vec({Body({0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f, 0x02, 0x7e},
                                          {0x0b})}))}),
       "too many locals"},
      {"local count above u32",
       ModuleBytes({OneTypeFuncs(1),
                    Section(10, Vec({Body({0x01, 0x80, 0x80, 0x80, 0x80, 0x10, 0x7f}, {0x0b})}))}),
       "integer too large"},
      {"else inside block", Fn({0x02, 0x40, 0x05, 0x0b, 0x0b}), "END opcode expected"},
      {"second else", Fn({0x41, 0x00, 0x04, 0x40, 0x05, 0x05, 0x0b, 0x0b}),
       "END opcode expected"},
      {"else at function level", Fn({0x05, 0x0b}), "END opcode expected"},
      {"functions without code", ModuleBytes({OneTypeFuncs(2)}),
       "function and code section have inconsistent lengths"},
      {"code without functions", ModuleBytes({Section(10, Vec({Body({0x00}, {0x0b})}))}),
       "function and code section have inconsistent lengths"},
      {"data count 2, one segment",
       ModuleBytes({Section(12, {0x02}), Section(11, Vec({{0x01, 0x00}}))}),
       "data count and data section have inconsistent lengths"},
      {"data count without data section", ModuleBytes({Section(12, {0x01})}),
       "data count and data section have inconsistent lengths"},
      {"data.drop without data count", Fn({0xfc, 0x09, 0x00, 0x0b}),
       "data count section required"},
      {"memory.init without data count", Fn(Cat({kZero3, {0xfc, 0x08, 0x00, 0x00, 0x0b}})),
       "data count section required"},
      {"two type sections", ModuleBytes({Section(1, {0x00}), Section(1, {0x00})}),
       "unexpected content after last section"},
      {"type after function", ModuleBytes({Section(3, {0x00}), Section(1, {0x00})}),
       "unexpected content after last section"},
      {"data count after code", ModuleBytes({Section(10, {0x00}), Section(12, {0x00})}),
       "unexpected content after last section"},
      {"concatenated modules", Cat({Header(), Header()}), "length out of bounds"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      std::string err = DecodeError(c.bytes);
      INFO("error: " << err);
      CHECK(err.rfind(c.prefix, 0) == 0);
      // Our message is the spec text, then ": " and detail.
      CHECK(err.size() > std::string(c.prefix).size() + 2);
    }
  }
}

TEST_CASE("decoder: v128 is a value type everywhere", "[ref]") {
  SECTION("parameter and result") {
    Module m = Decode(ModuleBytes({Section(1, {0x01, 0x60, 0x01, 0x7b, 0x01, 0x7b})}));
    REQUIRE(m.types.size() == 1);
    CHECK(m.types[0].params == std::vector<ValType>{ValType::V128});
    CHECK(m.types[0].results == std::vector<ValType>{ValType::V128});
  }
  SECTION("local") {
    Module m = Decode(
        ModuleBytes({OneTypeFuncs(1), Section(10, Vec({Body({0x01, 0x02, 0x7b}, {0x0b})}))}));
    REQUIRE(m.code[0].locals.size() == 1);
    CHECK(m.code[0].locals[0].type == ValType::V128);
    CHECK(m.code[0].num_locals == 2);
  }
  SECTION("global with a v128.const initializer") {
    Bytes init = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
                  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};
    Bytes global = Cat({{0x01, 0x7b, 0x01, 0xfd, 0x0c}, init, {0x0b}});
    Module m = Decode(ModuleBytes({Section(6, global)}));
    REQUIRE(m.globals.size() == 1);
    CHECK(m.globals[0].type.type == ValType::V128);
    CHECK(m.globals[0].type.mut);
    REQUIRE(m.globals[0].init.code.size() == 1);
    const Instr& c = m.globals[0].init.code[0];
    CHECK(c.op == Op::V128Const);
    uint64_t lo, hi;
    V128FromInstr(c, &lo, &hi);
    CHECK(lo == 0x0807060504030201ull);
    CHECK(hi == 0x100f0e0d0c0b0a09ull);
  }
  SECTION("block type") {
    Module m = Decode(Fn({0x02, 0x7b, 0x00, 0x0b, 0x0b}));
    BlockType bt = BlockType::FromImm(m.code[0].code[0].c);
    CHECK(bt.kind == BlockType::kValue);
    CHECK(bt.value == ValType::V128);
  }
  SECTION("typed select") {
    Module m = Decode(Fn({0x1c, 0x01, 0x7b, 0x0b}));
    CHECK(m.code[0].code[0].op == Op::SelectT);
    CHECK(m.code[0].code[0].b == 0x7b);
  }
}

// Decodes a function whose body is `code` and returns its first instruction.
Instr FirstInstr(const Bytes& code) {
  Module m = Decode(Fn(code));
  REQUIRE(!m.code[0].code.empty());
  return m.code[0].code[0];
}

TEST_CASE("decoder: SIMD immediates", "[ref]") {
  SECTION("v128.const: 16 little-endian bytes in c, a, b") {
    Bytes v = {0xf0, 0xf1, 0xf2, 0xf3, 0xf4, 0xf5, 0xf6, 0xf7,
               0x18, 0x19, 0x1a, 0x1b, 0x2c, 0x2d, 0x2e, 0x2f};
    Instr in = FirstInstr(Cat({{0xfd, 0x0c}, v, {0x1a, 0x0b}}));
    CHECK(in.op == Op::V128Const);
    CHECK(in.c == 0xf7f6f5f4f3f2f1f0ull);
    CHECK(in.a == 0x1b1a1918u);
    CHECK(in.b == 0x2f2e2d2cu);
    uint64_t lo, hi;
    V128FromInstr(in, &lo, &hi);
    CHECK(lo == 0xf7f6f5f4f3f2f1f0ull);
    CHECK(hi == 0x2f2e2d2c1b1a1918ull);
  }
  SECTION("i8x16.shuffle: 16 lane bytes stored like v128.const") {
    Bytes lanes = {0, 17, 2, 19, 4, 21, 6, 23, 8, 25, 10, 27, 12, 29, 14, 31};
    Instr in = FirstInstr(Cat({{0xfd, 0x0d}, lanes, {0x0b}}));
    CHECK(in.op == Op::I8x16Shuffle);
    uint64_t lo, hi;
    V128FromInstr(in, &lo, &hi);
    for (int i = 0; i < 16; ++i) {
      uint64_t word = i < 8 ? lo : hi;
      CHECK(((word >> (8 * (i % 8))) & 0xff) == lanes[i]);
    }
  }
  SECTION("extract_lane: one lane byte, even out of range for the shape") {
    Instr in = FirstInstr({0xfd, 0x15, 0x0f, 0x0b});
    CHECK(in.op == Op::I8x16ExtractLaneS);
    CHECK(in.lane == 15);
    Instr big = FirstInstr({0xfd, 0x1b, 0xff, 0x0b});  // i32x4.extract_lane 255: valid later
    CHECK(big.op == Op::I32x4ExtractLane);
    CHECK(big.lane == 255);
  }
  SECTION("v128.load: memarg") {
    Instr in = FirstInstr({0xfd, 0x00, 0x04, 0x90, 0x03, 0x0b});
    CHECK(in.op == Op::V128Load);
    CHECK(GetOpInfo(in.op).imm == ImmKind::Mem16);
    CHECK(in.a == 4);
    CHECK(in.c == 400);
    CHECK(in.lane == 0);
  }
  SECTION("v128.store16_lane: memarg then lane") {
    Instr in = FirstInstr({0xfd, 0x59, 0x01, 0x20, 0x07, 0x0b});
    CHECK(in.op == Op::V128Store16Lane);
    CHECK(GetOpInfo(in.op).imm == ImmKind::MemLane2);
    CHECK(in.a == 1);
    CHECK(in.c == 32);
    CHECK(in.lane == 7);
  }
  SECTION("splat, zero and extend loads use MemN of their access size") {
    CHECK(GetOpInfo(FirstInstr({0xfd, 0x09, 0x02, 0x00, 0x0b}).op).imm == ImmKind::Mem4);
    CHECK(GetOpInfo(FirstInstr({0xfd, 0x5d, 0x03, 0x00, 0x0b}).op).imm == ImmKind::Mem8);
    CHECK(GetOpInfo(FirstInstr({0xfd, 0x01, 0x03, 0x00, 0x0b}).op).imm == ImmKind::Mem8);
  }
  SECTION("multi-byte and non-minimal opcode LEBs") {
    CHECK(FirstInstr({0xfd, 0xba, 0x01, 0x0b}).op == Op::I32x4DotI16x8S);
    CHECK(FirstInstr({0xfd, 0xff, 0x01, 0x0b}).op == Op::F64x2ConvertLowI32x4U);
    CHECK(FirstInstr({0xfd, 0x8e, 0x80, 0x00, 0x0b}).op == Op::I8x16Swizzle);
  }
}

TEST_CASE("decoder: SIMD error paths", "[ref]") {
  std::vector<ErrorCase> cases = {
      {"unassigned 0xfd code 154", Fn({0xfd, 0x9a, 0x01, 0x0b}), "illegal opcode"},
      {"unassigned 0xfd code 0x114", Fn({0xfd, 0x94, 0x02, 0x0b}), "illegal opcode"},
      {"0xfd code above u32", Fn({0xfd, 0x80, 0x80, 0x80, 0x80, 0x10, 0x0b}),
       "integer too large"},
      {"0xfd code LEB too long", Fn({0xfd, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00, 0x0b}),
       "integer representation too long"},
      {"truncated v128.const",
       ModuleBytes({OneTypeFuncs(1), {0x0a, 0x08, 0x01, 0x06, 0x00, 0xfd, 0x0c, 0x00, 0x00, 0x00}}),
       "unexpected end"},
      {"v128.const cut by the body size",
       ModuleBytes({OneTypeFuncs(1),
                    Section(10, Cat({{0x01, 0x05, 0x00, 0xfd, 0x0c, 0x00, 0x00},
                                     Bytes(15, 0x0b)}))}),
       "section size mismatch"},
      {"lane byte missing at end of module",
       ModuleBytes({OneTypeFuncs(1), {0x0a, 0x05, 0x01, 0x03, 0x00, 0xfd, 0x15}}),
       "unexpected end"},
      {"v128.load without memarg",
       ModuleBytes({OneTypeFuncs(1), {0x0a, 0x05, 0x01, 0x03, 0x00, 0xfd, 0x00}}),
       "unexpected end"},
      {"v128 global with an illegal 0xfd initializer",
       ModuleBytes({Section(6, {0x01, 0x7b, 0x00, 0xfd, 0x9a, 0x01, 0x0b})}), "illegal opcode"},
  };
  for (const auto& c : cases) {
    DYNAMIC_SECTION(c.name) {
      std::string err = DecodeError(c.bytes);
      INFO("error: " << err);
      CHECK(err.rfind(c.prefix, 0) == 0);
    }
  }
}

TEST_CASE("decoder: relaxed-simd opcodes are unsupported, not malformed", "[ref]") {
  for (uint32_t code : {0x100u, 0x10au, 0x113u}) {
    DYNAMIC_SECTION("0xfd " << code) {
      try {
        Decode(Fn(Cat({{0xfd}, Uleb(code), {0x0b}})));
        FAIL("decoded");
      } catch (const UnsupportedError& e) {
        CHECK(std::string(e.what()).rfind("relaxed-simd proposal is not supported: ", 0) == 0);
      }
    }
  }
}

// Enumerator name from the text name: split on '.' and '_', capitalize each part.
std::string PascalName(std::string_view text) {
  std::string out;
  bool up = true;
  for (char ch : text) {
    if (ch == '.' || ch == '_') {
      up = true;
      continue;
    }
    out += up ? static_cast<char>(std::toupper(static_cast<unsigned char>(ch))) : ch;
    up = false;
  }
  return out;
}

TEST_CASE("decoder: the 0xfd opcode table", "[ref]") {
  struct Row {
    const char* enumerator;
    Op op;
  };
  static const Row kRows[] = {
#define V(Name, prefix, code, text, Imm, R, P1, P2, P3) {#Name, Op::Name},
#include "reference/opcodes.def"
#undef V
  };
  int simd = 0;
  std::vector<bool> seen(0x114, false);
  for (const Row& r : kRows) {
    const OpInfo& info = GetOpInfo(r.op);
    if (info.prefix != 0xfd) continue;
    ++simd;
    INFO(info.name);
    CHECK(PascalName(info.name) == r.enumerator);
    REQUIRE(info.code < 0x100);  // Wasm 2.0 has no 0xfd code beyond 0xff
    CHECK(!seen[info.code]);
    seen[info.code] = true;
    Op back;
    REQUIRE(LookupPrefixedOp(0xfd, info.code, &back));
    CHECK(back == r.op);
  }
  CHECK(simd == 236);  // Spec 5.4.8 lists 236 vector instructions
  Op unused;
  CHECK(!LookupPrefixedOp(0xfd, 154, &unused));
  CHECK(!LookupPrefixedOp(0xfd, 0x100, &unused));
  CHECK(!LookupPrefixedOp(0xfd, 0xffffffffu, &unused));
}

TEST_CASE("decoder: a small module", "[ref]") {
  Bytes types = Vec({{0x60, 0x02, 0x7f, 0x7f, 0x01, 0x7f}, {0x60, 0x00, 0x00}});
  Bytes imports = Vec({Cat({Name("env"), Name("f"), {0x00, 0x01}}),
                       Cat({Name("env"), Name("g"), {0x03, 0x7f, 0x00}}),
                       Cat({Name("env"), Name("t"), {0x01, 0x70, 0x00, 0x01}})});
  Bytes funcs = Vec({{0x00}, {0x01}});
  Bytes tables = Vec({{0x6f, 0x01, 0x00, 0x05}});
  Bytes memories = Vec({{0x00, 0x01}});
  Bytes globals = Vec({{0x7e, 0x01, 0x42, 0x7e, 0x0b}});
  Bytes exports = Vec({Cat({Name("add"), {0x00, 0x01}}), Cat({Name("mem"), {0x02, 0x00}})});
  Bytes elems = Vec({{0x00, 0x41, 0x00, 0x0b, 0x02, 0x01, 0x02}});
  Bytes add_code = {
      0x20, 0x00, 0x20, 0x01, 0x6a,              // local.get 0, local.get 1, i32.add
      0x02, 0x7f,                                // block (result i32)
      0x41, 0x7b, 0x20, 0x00,                    // i32.const -5, local.get 0
      0x0e, 0x02, 0x00, 0x00, 0x00,              // br_table 0 0 0
      0x0b, 0x6a,                                // end, i32.add
      0x43, 0x00, 0x00, 0xc0, 0x3f, 0x1a,        // f32.const 1.5, drop
      0x41, 0x00, 0x28, 0x02, 0x08, 0x6a,        // i32.const 0, i32.load align=4 offset=8, add
      0x0b};
  Bytes other_code = {
      0x3f, 0x00, 0x1a,                          // memory.size, drop
      0x41, 0x00, 0x04, 0x40, 0x01, 0x05, 0x01, 0x0b,  // if nop else nop end
      0x41, 0x00, 0x41, 0x00, 0x41, 0x00, 0xfc, 0x08, 0x00, 0x00,  // memory.init 0
      0xfc, 0x09, 0x00,                          // data.drop 0
      0x10, 0x00,                                // call 0
      0x41, 0x00, 0x11, 0x01, 0x00,              // call_indirect (type 1) table 0
      0x0b};
  Bytes code = Vec({Body({0x02, 0x01, 0x7e, 0x02, 0x7d}, add_code), Body({0x00}, other_code)});
  Bytes datas = Vec({Cat({{0x01}, Name("hi")})});
  Bytes bytes = ModuleBytes({Section(1, types), Section(2, imports), Section(3, funcs),
                             Section(4, tables), Section(5, memories), Section(6, globals),
                             Section(7, exports), Section(8, {0x02}), Section(9, elems),
                             Section(12, {0x01}), Section(10, code), Section(11, datas),
                             Section(0, Cat({Name("note"), {0xaa, 0xbb, 0xcc}}))});
  Module m = Decode(bytes);

  CHECK(m.bytes == bytes);
  REQUIRE(m.types.size() == 2);
  CHECK(m.types[0].params == std::vector<ValType>{ValType::I32, ValType::I32});
  CHECK(m.types[0].results == std::vector<ValType>{ValType::I32});
  CHECK(m.types[1].params.empty());
  REQUIRE(m.imports.size() == 3);
  CHECK(m.imports[0].module == "env");
  CHECK(m.imports[0].name == "f");
  CHECK(m.imports[0].kind == ExternKind::Func);
  CHECK(m.imports[0].func_type_index == 1);
  CHECK(m.imports[1].kind == ExternKind::Global);
  CHECK(m.imports[1].global == GlobalType{ValType::I32, false});
  CHECK(m.imports[2].kind == ExternKind::Table);
  CHECK(m.imports[2].table.limits.min == 1);
  CHECK(m.num_imported_funcs == 1);
  CHECK(m.num_imported_globals == 1);
  CHECK(m.num_imported_tables == 1);
  CHECK(m.num_imported_memories == 0);
  CHECK(m.func_types == std::vector<uint32_t>{1, 0, 1});
  REQUIRE(m.tables.size() == 2);
  CHECK(m.tables[1].elem == ValType::ExternRef);
  CHECK(m.tables[1].limits.min == 0);
  CHECK(m.tables[1].limits.max == std::optional<uint64_t>(5));
  REQUIRE(m.memories.size() == 1);
  CHECK(m.memories[0].limits.min == 1);
  CHECK(!m.memories[0].limits.max);
  REQUIRE(m.globals.size() == 2);
  CHECK(m.globals[0].init.code.empty());
  CHECK(m.globals[1].type == GlobalType{ValType::I64, true});
  REQUIRE(m.globals[1].init.code.size() == 1);
  CHECK(m.globals[1].init.code[0].op == Op::I64Const);
  CHECK(m.globals[1].init.code[0].c == static_cast<uint64_t>(int64_t{-2}));
  REQUIRE(m.exports.size() == 2);
  CHECK(m.exports[1].name == "mem");
  CHECK(m.exports[1].kind == ExternKind::Memory);
  REQUIRE(m.FindExport("add") != nullptr);
  CHECK(m.FindExport("add")->index == 1);
  CHECK(m.start == std::optional<uint32_t>(2));
  REQUIRE(m.elems.size() == 1);
  CHECK(m.elems[0].mode == SegmentMode::kActive);
  REQUIRE(m.elems[0].init.size() == 2);
  CHECK(m.elems[0].init[1].code[0].op == Op::RefFunc);
  CHECK(m.elems[0].init[1].code[0].a == 2);
  CHECK(m.data_count == std::optional<uint32_t>(1));
  REQUIRE(m.datas.size() == 1);
  CHECK(m.datas[0].mode == SegmentMode::kPassive);
  REQUIRE(m.datas[0].data_size == 2);
  CHECK(m.bytes[m.datas[0].data_offset] == 'h');
  CHECK(m.bytes[m.datas[0].data_offset + 1] == 'i');
  REQUIRE(m.customs.size() == 1);
  CHECK(m.customs[0].name == "note");
  CHECK(m.customs[0].size == 3);
  CHECK(m.bytes[m.customs[0].offset] == 0xaa);

  REQUIRE(m.code.size() == 2);
  const FunctionBody& add = m.code[0];
  CHECK(add.type_index == 0);
  CHECK(m.code[1].type_index == 1);
  REQUIRE(add.locals.size() == 2);
  CHECK(add.locals[1].count == 2);
  CHECK(add.locals[1].type == ValType::F32);
  CHECK(add.num_locals == 3);
  CHECK(m.bytes[add.body_offset] == 0x02);  // the locals vector starts the body
  CHECK(add.body_offset + add.body_size == m.code[1].body_offset - 1);
  std::vector<Op> ops;
  for (const auto& i : add.code) ops.push_back(i.op);
  CHECK(ops == std::vector<Op>{Op::LocalGet, Op::LocalGet, Op::I32Add, Op::Block, Op::I32Const,
                               Op::LocalGet, Op::BrTable, Op::End, Op::I32Add, Op::F32Const,
                               Op::Drop, Op::I32Const, Op::I32Load, Op::I32Add, Op::End});
  CHECK(add.code[1].a == 1);
  BlockType bt = BlockType::FromImm(add.code[3].c);
  CHECK(bt.kind == BlockType::kValue);
  CHECK(bt.value == ValType::I32);
  CHECK(add.code[4].c == 0xfffffffbu);
  CHECK(add.code[6].b == 2);
  CHECK(add.br_table_pool.size() == 3);
  CHECK(add.code[6].a == 0);
  CHECK(add.code[9].c == 0x3fc00000u);
  CHECK(add.code[12].a == 2);
  CHECK(add.code[12].c == 8);
  const FunctionBody& other = m.code[1];
  REQUIRE(other.code.size() == 17);
  CHECK(BlockType::FromImm(other.code[3].c).kind == BlockType::kEmpty);
  CHECK(other.code[4].op == Op::Nop);
  CHECK(other.code[5].op == Op::Else);
  CHECK(other.code[11].op == Op::MemoryInit);
  CHECK(other.code[12].op == Op::DataDrop);
  CHECK(other.code[13].op == Op::Call);
  CHECK(other.code[15].op == Op::CallIndirect);
  CHECK(other.code[15].a == 1);
  CHECK(other.code[15].b == 0);
  CHECK(other.code.back().op == Op::End);
  // Every Instr::offset points at its opcode byte.
  for (const auto& body : m.code) {
    for (const auto& i : body.code) {
      const OpInfo& info = GetOpInfo(i.op);
      uint8_t expect = info.prefix ? info.prefix : static_cast<uint8_t>(info.code);
      CHECK(m.bytes[i.offset] == expect);
    }
  }
}

TEST_CASE("decoder: a type index block type", "[ref]") {
  Module m = Decode(Fn({0x02, 0x00, 0x0b, 0x0b}));
  BlockType bt = BlockType::FromImm(m.code[0].code[0].c);
  CHECK(bt.kind == BlockType::kIndex);
  CHECK(bt.index == 0);
}

TEST_CASE("decoder: all eight element segment forms", "[ref]") {
  Bytes elems = Vec({
      {0x00, 0x41, 0x00, 0x0b, 0x01, 0x00},                          // active t0, func indices
      {0x01, 0x00, 0x01, 0x00},                                      // passive, elemkind
      {0x02, 0x01, 0x41, 0x01, 0x0b, 0x00, 0x01, 0x00},              // active t1, elemkind
      {0x03, 0x00, 0x01, 0x00},                                      // declarative, elemkind
      {0x04, 0x41, 0x02, 0x0b, 0x02, 0xd2, 0x00, 0x0b, 0xd0, 0x70, 0x0b},  // active t0, exprs
      {0x05, 0x70, 0x01, 0xd2, 0x00, 0x0b},                          // passive, reftype
      {0x06, 0x01, 0x41, 0x03, 0x0b, 0x6f, 0x01, 0xd0, 0x6f, 0x0b},  // active t1, reftype
      {0x07, 0x70, 0x01, 0xd2, 0x00, 0x0b},                          // declarative, reftype
  });
  Bytes bytes = ModuleBytes({OneTypeFuncs(1), Section(4, Vec({{0x70, 0x00, 0x01},
                                                               {0x6f, 0x00, 0x01}})),
                             Section(9, elems), Section(10, Vec({Body({0x00}, {0x0b})}))});
  Module m = Decode(bytes);
  REQUIRE(m.elems.size() == 8);
  const SegmentMode kA = SegmentMode::kActive, kP = SegmentMode::kPassive,
                    kD = SegmentMode::kDeclarative;
  const SegmentMode modes[] = {kA, kP, kA, kD, kA, kP, kA, kD};
  const uint32_t tables[] = {0, 0, 1, 0, 0, 0, 1, 0};
  const ValType types[] = {ValType::FuncRef, ValType::FuncRef, ValType::FuncRef,
                           ValType::FuncRef, ValType::FuncRef, ValType::FuncRef,
                           ValType::ExternRef, ValType::FuncRef};
  const size_t counts[] = {1, 1, 1, 1, 2, 1, 1, 1};
  for (int i = 0; i < 8; ++i) {
    INFO("form " << i);
    const ElemSegment& s = m.elems[i];
    CHECK(s.mode == modes[i]);
    CHECK(s.type == types[i]);
    REQUIRE(s.init.size() == counts[i]);
    if (s.mode == SegmentMode::kActive) {
      CHECK(s.table == tables[i]);
      REQUIRE(s.offset.code.size() == 1);
      CHECK(s.offset.code[0].op == Op::I32Const);
      CHECK(s.offset.code[0].c == static_cast<uint64_t>(i == 0 ? 0 : i == 2 ? 1 : i == 4 ? 2 : 3));
    } else {
      CHECK(s.offset.code.empty());
    }
    for (const auto& e : s.init) REQUIRE(e.code.size() == 1);
  }
  // Function-index forms become ref.func expressions.
  for (int i : {0, 1, 2, 3, 5, 7}) {
    CHECK(m.elems[i].init[0].code[0].op == Op::RefFunc);
    CHECK(m.elems[i].init[0].code[0].a == 0);
  }
  CHECK(m.elems[4].init[1].code[0].op == Op::RefNull);
  CHECK(m.elems[4].init[1].code[0].a == 0x70);
  CHECK(m.elems[6].init[0].code[0].op == Op::RefNull);
  CHECK(m.elems[6].init[0].code[0].a == 0x6f);
  CHECK(m.bytes[m.elems[1].init[0].code[0].offset] == 0x00);  // offset of the index itself
}

TEST_CASE("decoder: all three data segment forms", "[ref]") {
  Bytes datas = Vec({Cat({{0x00, 0x41, 0x07, 0x0b}, Name("ab")}),
                     Cat({{0x01}, Name("c")}),
                     Cat({{0x02, 0x01, 0x41, 0x04, 0x0b}, Name("")})});
  Module m = Decode(ModuleBytes({Section(12, {0x03}), Section(11, datas)}));
  REQUIRE(m.datas.size() == 3);
  CHECK(m.datas[0].mode == SegmentMode::kActive);
  CHECK(m.datas[0].memory == 0);
  REQUIRE(m.datas[0].offset.code.size() == 1);
  CHECK(m.datas[0].offset.code[0].c == 7);
  CHECK(m.datas[0].data_size == 2);
  CHECK(m.bytes[m.datas[0].data_offset] == 'a');
  CHECK(m.datas[1].mode == SegmentMode::kPassive);
  CHECK(m.datas[1].offset.code.empty());
  CHECK(m.datas[1].data_size == 1);
  CHECK(m.bytes[m.datas[1].data_offset] == 'c');
  CHECK(m.datas[2].mode == SegmentMode::kActive);
  CHECK(m.datas[2].memory == 1);
  CHECK(m.datas[2].offset.code[0].c == 4);
  CHECK(m.datas[2].data_size == 0);
}

TEST_CASE("decoder: non-minimal LEB128 and empty sections are well-formed", "[ref]") {
  Module m = Decode(ModuleBytes({Section(5, {0x01, 0x00, 0x82, 0x80, 0x80, 0x80, 0x00})}));
  CHECK(m.memories[0].limits.min == 2);
  m = Decode(ModuleBytes({Section(3, {0x00}), Section(10, {0x00})}));
  CHECK(m.code.empty());
  m = Decode(ModuleBytes({Section(0, Name("")), Section(1, {0x00}), Section(0, Name("x"))}));
  CHECK(m.customs.size() == 2);
  m = Decode(Header());
  CHECK(m.types.empty());
}

}  // namespace
}  // namespace tandem::wasm
