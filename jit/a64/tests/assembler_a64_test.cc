// assembler_a64_test.cc: the AArch64 assembler against GNU as bytes and Capstone text.
// Mirrors STYLE.md 9 (hex tables cross-checked by an independent decoder) and issue 5.
#include "jit/a64/assembler_a64.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <iterator>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "jit/disasm.h"

namespace tandem::jit::a64 {
namespace {

struct Row {
  const char* form;            // form id, as recorded by the assembler ("MovImm..": a sequence)
  void (*emit)(Assembler& a);  // our encoder
  const char* hex;             // bytes from GNU as
  const char* source;          // what GNU as assembled
  const char* disassembly;     // what Capstone must print ("; " between instructions)
};

const Row kRows[] = {
#include "jit/a64/tests/a64_table.inc"
};

// Capstone 4 and GNU as spell numbers differently (Capstone: "#0x1f", "#-0x10"; the rows: what
// they wrote). Normalisation: lowercase, single spaces, and every integer literal that is not
// part of a name (x30, v0.8b, b.ne stay) rewritten in decimal, keeping its sign. Mnemonics are
// never rewritten: the rows write what Capstone 4 prints (movz, not the mov alias GNU as also
// accepts; lsr #0 for lsl #0; cset/cinc for csinc), each such row saying so in its own column.
std::string Normalise(const std::string& text) {
  std::string s;
  for (char c : text) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (std::isspace(static_cast<unsigned char>(c))) {
      if (!s.empty() && s.back() != ' ') s.push_back(' ');
    } else {
      s.push_back(c);
    }
  }
  while (!s.empty() && s.back() == ' ') s.pop_back();

  std::string out;
  size_t i = 0;
  auto is_name_char = [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  };
  while (i < s.size()) {
    bool token_start = out.empty() || !is_name_char(out.back());
    bool negative =
        s[i] == '-' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1]));
    if (token_start && (std::isdigit(static_cast<unsigned char>(s[i])) || negative)) {
      size_t j = i + (negative ? 1 : 0);
      uint64_t value = 0;
      if (s.compare(j, 2, "0x") == 0) {
        j += 2;
        while (j < s.size() && std::isxdigit(static_cast<unsigned char>(s[j]))) {
          value = value * 16 + static_cast<uint64_t>(std::stoi(std::string(1, s[j]), nullptr, 16));
          ++j;
        }
      } else {
        while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) {
          value = value * 10 + static_cast<uint64_t>(s[j] - '0');
          ++j;
        }
      }
      if (j < s.size() && is_name_char(s[j])) {  // not a number after all (e.g. "8b")
        out.append(s, i, j - i);
      } else {
        if (negative) out += '-';
        out += std::to_string(value);
      }
      i = j;
    } else {
      out.push_back(s[i++]);
    }
  }
  return out;
}

std::string Listing(const std::vector<uint8_t>& code, size_t* undecoded, uint64_t base = 0) {
  std::string text;
  for (const DisasmLine& line :
       Disassemble(Arch::kA64, code.data(), code.size(), base, undecoded)) {
    if (!text.empty()) text += "; ";
    text += line.Text();
  }
  return text;
}

std::vector<uint8_t> FromHex(const char* hex) {
  std::vector<uint8_t> bytes;
  for (size_t i = 0; hex[i] != '\0'; i += 2) {
    bytes.push_back(static_cast<uint8_t>(std::stoi(std::string(hex + i, 2), nullptr, 16)));
  }
  return bytes;
}

bool IsSequenceRow(const Row& row) { return std::isupper(static_cast<unsigned char>(row.form[0])); }

TEST_CASE("a64 normalisation only rewrites numbers and spacing", "[a64][asm]") {
  CHECK(Normalise("ADD  x0,  x1, #0x10") == "add x0, x1, #16");
  CHECK(Normalise("ldr x0, [sp, #-0x10]!") == "ldr x0, [sp, #-16]!");
  CHECK(Normalise("cnt v0.8b, v31.8b") == "cnt v0.8b, v31.8b");
  CHECK(Normalise("b.ne #0x8") == "b.ne #8");
  CHECK(Normalise("and x0, x1, #0xffffffffffffffff") == "and x0, x1, #18446744073709551615");
  CHECK(Normalise("add x0, x1, #0x10") != Normalise("add x0, x1, #0x11"));
  CHECK(Normalise("movz x0, #1") != Normalise("mov x0, #1"));
}

TEST_CASE("a64 hex table: bytes equal GNU as, Capstone text equals the row", "[a64][asm]") {
  REQUIRE(std::size(kRows) >= 400);
  size_t mismatched_bytes = 0;
  size_t mismatched_text = 0;
  for (const Row& row : kRows) {
    Assembler a;
    std::set<std::string> forms;
    a.set_form_recorder(&forms);
    row.emit(a);
    INFO("form \"" << row.form << "\", as source: " << row.source);
    std::string ours = HexBytes(a.code());
    CHECK(ours == row.hex);
    if (ours != row.hex) ++mismatched_bytes;

    // Capstone reads the GNU as bytes, so the text check holds even where ours differ.
    std::vector<uint8_t> expected = FromHex(row.hex);
    size_t undecoded = 0;
    std::string listing = Listing(expected, &undecoded);
    CHECK(undecoded == 0);
    CHECK(Normalise(listing) == Normalise(row.disassembly));
    if (Normalise(listing) != Normalise(row.disassembly)) ++mismatched_text;

    if (!IsSequenceRow(row)) CHECK(forms.count(row.form) == 1);
  }
  CAPTURE(mismatched_bytes, mismatched_text);
  CHECK(mismatched_bytes + mismatched_text == 0);
}

TEST_CASE("a64 hex table: every form the rows emit has a row of its own", "[a64][asm]") {
  std::set<std::string> row_forms;
  std::set<std::string> emitted;
  for (const Row& row : kRows) {
    if (!IsSequenceRow(row)) row_forms.insert(row.form);
    Assembler a;
    a.set_form_recorder(&emitted);
    row.emit(a);
  }
  for (const std::string& form : emitted) {
    INFO("form " << form);
    CHECK(row_forms.count(form) == 1);
  }
  CHECK(row_forms.size() > 200);
}

// Every bitmask immediate, built from the definition (a run of `ones` ones in an element of
// `size` bits, rotated right by `rot`, replicated): 5334 values for 64 bits, 1302 for 32.
std::set<uint64_t> AllBitmasks(unsigned bits) {
  std::set<uint64_t> values;
  for (unsigned size = 2; size <= bits; size *= 2) {
    uint64_t mask = size == 64 ? ~uint64_t{0} : (uint64_t{1} << size) - 1;
    for (unsigned ones = 1; ones < size; ++ones) {
      for (unsigned rot = 0; rot < size; ++rot) {
        uint64_t run = (uint64_t{1} << ones) - 1;
        uint64_t elem = rot == 0 ? run : ((run >> rot) | (run << (size - rot))) & mask;
        uint64_t v = 0;
        for (unsigned k = 0; k < bits / size; ++k) v |= elem << (k * size);
        values.insert(v);
      }
    }
  }
  return values;
}

TEST_CASE("a64 bitmask immediates: every encodable value, checked by Capstone", "[a64][asm]") {
  for (W w : {W::k64, W::k32}) {
    unsigned bits = w == W::k64 ? 64 : 32;
    std::set<uint64_t> all = AllBitmasks(bits);
    CHECK(all.size() == (bits == 64 ? 5334u : 1302u));
    std::set<uint32_t> encodings;
    for (uint64_t v : all) {
      uint32_t nrs = 0;
      REQUIRE(Assembler::EncodeLogicalImm(w, v, &nrs));
      encodings.insert(nrs);
      Assembler a;
      a.and_(w, Reg::x3, Reg::x4, v);
      size_t undecoded = 0;
      std::ostringstream want;
      want << (bits == 64 ? "and x3, x4, #" : "and w3, w4, #") << v;
      INFO("value " << v << " bytes " << HexBytes(a.code()));
      REQUIRE(Normalise(Listing(a.code(), &undecoded)) == want.str());
      REQUIRE(undecoded == 0);
    }
    CHECK(encodings.size() == all.size());  // one encoding per value

    // Everything else is refused: single-bit flips of encodable values, random values, ends.
    std::mt19937_64 rng(bits);
    size_t refused = 0;
    auto check = [&](uint64_t v) {
      if (bits == 32) v &= 0xFFFFFFFF;
      uint32_t nrs = 0;
      bool ok = Assembler::EncodeLogicalImm(w, v, &nrs);
      INFO("value " << v);
      REQUIRE(ok == (all.count(v) == 1));
      if (!ok) {
        ++refused;
        Assembler a;
        CHECK_THROWS_AS(a.orr(w, Reg::x0, Reg::x1, v), AssemblerError);
      }
    };
    for (uint64_t v : all) check(v ^ (uint64_t{1} << (rng() % bits)));
    for (int i = 0; i < 20000; ++i) check(rng());
    check(0);
    check(~uint64_t{0});
    CHECK(refused > 10000);
  }
  uint32_t nrs = 0;
  CHECK_FALSE(Assembler::EncodeLogicalImm(W::k32, 0x100000000ull, &nrs));  // above 32 bits
}

// Evaluates a movz/movn/movk/orr-immediate listing as Capstone printed it.
uint64_t EvalMovListing(const std::vector<DisasmLine>& lines, bool w32) {
  uint64_t v = 0;
  for (const DisasmLine& l : lines) {
    std::string ops = Normalise(l.op_str);
    uint64_t imm = 0;
    unsigned shift = 0;
    size_t hash = ops.find('#');
    REQUIRE(hash != std::string::npos);
    imm = std::stoull(ops.substr(hash + 1));
    size_t lsl = ops.find("lsl #");
    if (lsl != std::string::npos) shift = static_cast<unsigned>(std::stoul(ops.substr(lsl + 5)));
    if (l.mnemonic == "movz") {
      v = imm << shift;
    } else if (l.mnemonic == "movn") {
      v = ~(imm << shift);
    } else if (l.mnemonic == "movk") {
      v = (v & ~(uint64_t{0xFFFF} << shift)) | (imm << shift);
    } else if (l.mnemonic == "orr") {
      REQUIRE(ops.find(w32 ? "wzr" : "xzr") != std::string::npos);
      v = imm;
    } else {
      FAIL("unexpected instruction " << l.Text());
    }
    if (w32) v &= 0xFFFFFFFF;
  }
  return v;
}

TEST_CASE("a64 MovImm64/MovImm32 materialise the value in few instructions", "[a64][asm]") {
  std::mt19937_64 rng(5);
  std::vector<uint64_t> values = {0, 1, ~uint64_t{0}, 0x8000000000000000ull, 0xFFFF0000FFFF0000ull};
  for (int i = 0; i < 3000; ++i) {
    uint64_t v = rng();
    // Mix in zero and all-ones halfwords so every sequence shape is exercised.
    for (int h = 0; h < 4; ++h) {
      unsigned pick = static_cast<unsigned>(rng() % 3);
      if (pick == 0) v &= ~(uint64_t{0xFFFF} << (16 * h));
      if (pick == 1) v |= uint64_t{0xFFFF} << (16 * h);
    }
    values.push_back(v);
  }
  for (uint64_t v : values) {
    for (bool w32 : {false, true}) {
      uint64_t want = w32 ? v & 0xFFFFFFFF : v;
      Assembler a;
      if (w32) {
        a.MovImm32(Reg::x7, static_cast<uint32_t>(v));
      } else {
        a.MovImm64(Reg::x7, v);
      }
      size_t undecoded = 0;
      auto lines = Disassemble(Arch::kA64, a.code().data(), a.code().size(), 0, &undecoded);
      INFO("value " << want << " w32 " << w32 << " listing " << Listing(a.code(), &undecoded));
      REQUIRE(undecoded == 0);
      CHECK(EvalMovListing(lines, w32) == want);
      // Bound: one instruction per halfword that is neither 0 nor 0xffff (at least one).
      int zeros = 0, ones = 0, halves = w32 ? 2 : 4;
      for (int h = 0; h < halves; ++h) {
        uint16_t part = static_cast<uint16_t>(want >> (16 * h));
        zeros += part == 0;
        ones += part == 0xFFFF;
      }
      size_t bound = static_cast<size_t>(std::max(1, halves - std::max(zeros, ones)));
      CHECK(lines.size() <= bound);
    }
  }
  Assembler a;
  CHECK_THROWS_AS(a.MovImm64(Reg::sp, 1), AssemblerError);
  CHECK_THROWS_AS(a.MovImm64(Reg::zr, 1), AssemblerError);
}

TEST_CASE("a64 labels: forward uses are patched at bind, backward uses encode at once",
          "[a64][asm]") {
  Assembler a;
  Label fwd, back;
  a.bind(back);                  // 0
  a.nop();                       // 0
  a.b(fwd);                      // 4
  a.b(Cond::ne, fwd);            // 8
  a.cbz(W::k64, Reg::x3, fwd);   // 12
  a.cbnz(W::k32, Reg::x4, fwd);  // 16
  a.tbz(Reg::x5, 40, fwd);       // 20
  a.tbnz(Reg::x6, 2, fwd);       // 24
  a.adr(Reg::x7, fwd);           // 28
  a.bl(fwd);                     // 32
  CHECK(fwd.has_pending_uses());
  CHECK_FALSE(fwd.bound());
  a.b(Cond::lt, back);  // 36
  size_t fwd_at = a.offset();
  CHECK(fwd_at == 40);
  a.bind(fwd);
  CHECK_FALSE(fwd.has_pending_uses());
  CHECK(fwd.pos() == fwd_at);
  a.b(back);  // 40
  a.b(fwd);   // 44

  size_t undecoded = 0;
  std::vector<DisasmLine> lines =
      Disassemble(Arch::kA64, a.code().data(), a.code().size(), 0, &undecoded);
  CHECK(undecoded == 0);
  std::vector<std::string> got;
  for (const DisasmLine& l : lines) got.push_back(Normalise(l.Text()));
  std::vector<std::string> want = {
      "nop",
      "b #40",
      "b.ne #40",
      "cbz x3, #40",
      "cbnz w4, #40",
      "tbz x5, #40, #40",
      "tbnz w6, #2, #40",
      "adr x7, #40",
      "bl #40",
      "b.lt #0",
      "b #0",
      "b #40",
  };
  CHECK(got == want);
}

TEST_CASE("a64 labels: range ends are reached, one step beyond throws", "[a64][asm]") {
  SECTION("tbz: +32764 bytes fits, +32768 does not") {
    Assembler a;
    Label ok, too_far;
    a.tbz(Reg::x0, 1, too_far);  // at 0
    a.tbz(Reg::x0, 1, ok);       // at 4
    for (int i = 0; i < 8190; ++i) a.nop();
    a.bind(ok);  // 4 + 32764
    CHECK(ok.pos() == 32768);
    size_t undecoded = 0;
    std::vector<uint8_t> second(a.code().begin() + 4, a.code().begin() + 8);
    CHECK(Normalise(Listing(second, &undecoded, 4)) == "tbz w0, #1, #32768");
    CHECK_THROWS_AS(a.bind(too_far), AssemblerError);  // 32768 from 0
  }
  SECTION("b.cond backward: -1 MiB fits, one instruction more throws") {
    Assembler a;
    Label top;
    a.bind(top);
    for (int i = 0; i < (1 << 18); ++i) a.nop();
    a.b(Cond::eq, top);  // at 1 MiB: delta -2^20, the most negative imm19
    size_t at = a.offset() - 4;
    std::vector<uint8_t> last(a.code().begin() + static_cast<long>(at), a.code().end());
    size_t undecoded = 0;
    CHECK(Normalise(Listing(last, &undecoded, at)) == "b.eq #0");
    a.nop();
    CHECK_THROWS_AS(a.cbz(W::k32, Reg::x1, top), AssemblerError);
  }
  SECTION("adr forward: +1 MiB throws") {
    Assembler a;
    Label l;
    a.adr(Reg::x0, l);
    for (int i = 0; i < (1 << 18); ++i) a.nop();
    CHECK_THROWS_AS(a.bind(l), AssemblerError);  // 2^20 exactly
  }
}

TEST_CASE("a64 patch_u32 swaps in a re-encoded instruction", "[a64][asm]") {
  Assembler a;
  a.stp(W::k64, Reg::fp, Reg::lr, Mem::PreIndex(Reg::sp, -16));
  size_t frame_at = a.offset();
  a.sub(W::k64, Reg::sp, Reg::sp, 0);  // frame size unknown yet
  a.ret();
  Assembler scratch;
  scratch.sub(W::k64, Reg::sp, Reg::sp, 0x230);
  a.patch_u32(frame_at, scratch.read_u32(0));
  size_t undecoded = 0;
  CHECK(Normalise(Listing(a.code(), &undecoded)) ==
        "stp x29, x30, [sp, #-16]!; sub sp, sp, #560; ret");
  CHECK_THROWS_AS(a.patch_u32(2, 0), AssemblerError);
  CHECK_THROWS_AS(a.patch_u32(a.offset(), 0), AssemblerError);
}

TEST_CASE("a64 adrp encodes a page delta", "[a64][asm]") {
  // Not in the hex table (GNU as emits adrp only with a relocation): Capstone prints the target
  // page, relative to the address the bytes are decoded at.
  const std::pair<int32_t, uint64_t> kCases[] = {
      {0, 0x10000}, {1, 0x11000}, {-1, 0xF000}, {(1 << 20) - 1, 0x10000 + 0xFFFFF000ull}};
  for (const auto& [pages, target] : kCases) {
    Assembler a;
    a.adrp(Reg::x9, pages);
    size_t undecoded = 0;
    CHECK(Normalise(Listing(a.code(), &undecoded, 0x10234)) ==
          "adrp x9, #" + std::to_string(target));
  }
  Assembler a;
  CHECK_THROWS_AS(a.adrp(Reg::x0, 1 << 20), AssemblerError);
}

TEST_CASE("a64 the assembler refuses what A64 cannot encode", "[a64][asm]") {
  Assembler a;
  // sp where 31 means zr, and zr where 31 means sp.
  CHECK_THROWS_AS(a.add(W::k64, Reg::sp, Reg::x0, Reg::x1), AssemblerError);
  CHECK_THROWS_AS(a.add(W::k64, Reg::x0, Reg::zr, 1), AssemblerError);
  CHECK_THROWS_AS(a.adds(W::k64, Reg::sp, Reg::x0, 1), AssemblerError);
  CHECK_THROWS_AS(a.and_(W::k64, Reg::x0, Reg::sp, 0xFF), AssemblerError);
  CHECK_THROWS_AS(a.ldr(W::k64, Reg::sp, Mem(Reg::x0)), AssemblerError);
  CHECK_THROWS_AS(a.ldr(W::k64, Reg::x0, Mem(Reg::zr)), AssemblerError);
  CHECK_THROWS_AS(a.ldr(W::k64, Reg::x0, Mem(Reg::x1, Reg::sp)), AssemblerError);
  CHECK_THROWS_AS(a.br(Reg::zr), AssemblerError);
  CHECK_THROWS_AS(a.mul(W::k32, Reg::x0, Reg::sp, Reg::x1), AssemblerError);
  // immediates and offsets out of range
  CHECK_THROWS_AS(a.add(W::k64, Reg::x0, Reg::x1, 4096), AssemblerError);
  CHECK_THROWS_AS(a.add(W::k64, Reg::x0, Reg::x1, 1, 1), AssemblerError);
  CHECK_THROWS_AS(a.ldr(W::k64, Reg::x0, Mem(Reg::x1, 4)), AssemblerError);  // not scaled
  CHECK_THROWS_AS(a.ldr(W::k64, Reg::x0, Mem(Reg::x1, -8)), AssemblerError);
  CHECK_THROWS_AS(a.ldr(W::k32, Reg::x0, Mem(Reg::x1, 4096 * 4)), AssemblerError);
  CHECK_THROWS_AS(a.ldur(W::k64, Reg::x0, Mem(Reg::x1, 256)), AssemblerError);
  CHECK_THROWS_AS(a.str(W::k64, Reg::x0, Mem::PreIndex(Reg::sp, -257)), AssemblerError);
  CHECK_THROWS_AS(a.stp(W::k64, Reg::x0, Reg::x1, Mem(Reg::sp, 512)), AssemblerError);
  CHECK_THROWS_AS(a.stp(W::k64, Reg::x0, Reg::x1, Mem(Reg::sp, 12)), AssemblerError);
  CHECK_THROWS_AS(a.lsl(W::k32, Reg::x0, Reg::x1, uint8_t{32}), AssemblerError);
  CHECK_THROWS_AS(a.add(W::k64, Reg::x0, Reg::x1, Reg::x2, Shift::ror, 1), AssemblerError);
  CHECK_THROWS_AS(a.add(W::k64, Reg::x0, Reg::x1, Reg::x2, Extend::uxtw, 5), AssemblerError);
  CHECK_THROWS_AS(a.movz(W::k32, Reg::x0, 1, 32), AssemblerError);
  CHECK_THROWS_AS(a.movz(W::k64, Reg::x0, 1, 8), AssemblerError);
  Label unused;
  CHECK_THROWS_AS(a.tbz(Reg::x0, 64, unused), AssemblerError);
  CHECK_THROWS_AS(a.cset(W::k64, Reg::x0, Cond::al), AssemblerError);
  CHECK(a.code().empty());  // a refused instruction writes nothing
  Label l;
  a.bind(l);
  CHECK_THROWS_AS(a.bind(l), AssemblerError);
}

TEST_CASE("a64 Negate pairs each condition with its opposite", "[a64][asm]") {
  CHECK(Negate(Cond::eq) == Cond::ne);
  CHECK(Negate(Cond::hs) == Cond::lo);
  CHECK(Negate(Cond::ge) == Cond::lt);
  CHECK(Negate(Cond::hi) == Cond::ls);
  for (int c = 0; c < 14; ++c) CHECK(Negate(Negate(static_cast<Cond>(c))) == static_cast<Cond>(c));
}

}  // namespace
}  // namespace tandem::jit::a64
