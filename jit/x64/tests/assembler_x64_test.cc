// assembler_x64_test.cc: the x86-64 assembler against GNU as bytes and Capstone text.
// Mirrors STYLE.md 9 (hex tables cross-checked by an independent decoder) and issue 4.
#include "jit/x64/assembler_x64.h"

#include <catch2/catch.hpp>
#include <cctype>
#include <cstdint>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include "jit/disasm.h"

namespace tandem::jit::x64 {
namespace {

struct Row {
  const char* form;            // form id, as recorded by the assembler
  void (*emit)(Assembler& a);  // our encoder
  const char* hex;             // bytes from GNU as
  const char* source;          // what GNU as assembled (Intel syntax)
  const char* disassembly;     // what Capstone must print ("; " between instructions)
};

const Row kRows[] = {
#include "jit/x64/tests/x64_table.inc"
};

// Capstone and GNU as spell numbers differently (Capstone: decimal up to 9, else hex; as input:
// whatever the row wrote). Normalisation: lowercase, single spaces, and every integer literal
// that is not part of a name (r8d, xmm15, int3 stay) rewritten in decimal, keeping its sign.
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
      if (j < s.size() && is_name_char(s[j])) {  // not a number after all (e.g. "3dnow")
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

std::string Listing(const std::vector<uint8_t>& code, size_t* undecoded) {
  std::string text;
  for (const DisasmLine& line : Disassemble(Arch::kX64, code.data(), code.size(), 0, undecoded)) {
    if (!text.empty()) text += "; ";
    text += line.Text();
  }
  return text;
}

TEST_CASE("normalisation only rewrites numbers and spacing", "[x64][asm]") {
  CHECK(Normalise("ADD  rax,  0x10") == "add rax, 16");
  CHECK(Normalise("mov r8d, dword ptr [rbp - 0x80]") == "mov r8d, dword ptr [rbp - 128]");
  CHECK(Normalise("add eax, -0x1") == "add eax, -1");
  CHECK(Normalise("movss xmm15, xmm3") == "movss xmm15, xmm3");
  CHECK(Normalise("add rax, 0x10") != Normalise("add rax, 0x11"));
  CHECK(Normalise("add eax, -1") != Normalise("add eax, 0xffffffff"));
}

TEST_CASE("hex table: bytes equal GNU as, Capstone text equals the row", "[x64][asm]") {
  REQUIRE(std::size(kRows) >= 300);
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
    std::vector<uint8_t> expected;
    for (size_t i = 0; row.hex[i] != '\0'; i += 2) {
      expected.push_back(static_cast<uint8_t>(std::stoi(std::string(row.hex + i, 2), nullptr, 16)));
    }
    size_t undecoded = 0;
    std::string listing = Listing(expected, &undecoded);
    CHECK(undecoded == 0);
    CHECK(Normalise(listing) == Normalise(row.disassembly));
    if (Normalise(listing) != Normalise(row.disassembly)) ++mismatched_text;

    CHECK(forms.count(row.form) == 1);
  }
  CAPTURE(mismatched_bytes, mismatched_text);
  CHECK(mismatched_bytes + mismatched_text == 0);
}

TEST_CASE("hex table: every form the rows emit has a row of its own", "[x64][asm]") {
  std::set<std::string> row_forms;
  std::set<std::string> emitted;
  for (const Row& row : kRows) {
    row_forms.insert(row.form);
    Assembler a;
    a.set_form_recorder(&emitted);
    row.emit(a);
  }
  for (const std::string& form : emitted) {
    INFO("form " << form);
    CHECK(row_forms.count(form) == 1);
  }
  CHECK(row_forms.size() > 150);
}

const char* const kGp64[] = {"rax", "rcx", "rdx", "rbx", "rsp", "rbp", "rsi", "rdi",
                             "r8",  "r9",  "r10", "r11", "r12", "r13", "r14", "r15"};

// Exhaustive over base x index x scale x displacement class, checked against Capstone only:
// covers every rsp/r12 (SIB) and rbp/r13 (explicit displacement) combination.
TEST_CASE("every addressing mode decodes to the operand asked for", "[x64][asm]") {
  const int32_t kDisps[] = {0, 8, -0x80, 0x7f, 0x80, -0x81, 0x12345678, INT32_MIN};
  const uint8_t kScales[] = {1, 2, 4, 8};
  size_t checked = 0;
  for (int base = 0; base < 16; ++base) {
    for (int index = -1; index < 16; ++index) {
      if (index == 4) continue;  // rsp is no index
      for (uint8_t scale : kScales) {
        if (index < 0 && scale != 1) continue;
        for (int32_t disp : kDisps) {
          Assembler a;
          Gp b = static_cast<Gp>(base);
          Mem m = index < 0 ? Mem(b, disp) : Mem(b, static_cast<Gp>(index), scale, disp);
          a.mov(W::k64, Gp::r9, m);
          std::string want = std::string("mov r9, qword ptr [") + kGp64[base];
          if (index >= 0) {
            want += std::string(" + ") + kGp64[index];
            if (scale != 1) {
              want += '*';
              want += std::to_string(scale);
            }
          }
          if (disp != 0) {
            int64_t d = disp;
            want += d < 0 ? " - " + std::to_string(-d) : " + " + std::to_string(d);
          }
          want += "]";
          size_t undecoded = 0;
          std::string got = Listing(a.code(), &undecoded);
          INFO("base " << kGp64[base] << " index " << index << " scale " << int(scale) << " disp "
                       << disp << " bytes " << HexBytes(a.code()));
          REQUIRE(undecoded == 0);
          REQUIRE(Normalise(got) == Normalise(want));
          ++checked;
        }
      }
    }
  }
  CHECK(checked == 16 * (1 + 15 * 4) * 8);
}

TEST_CASE("labels: forward uses are patched at bind, backward uses encode at once", "[x64][asm]") {
  Assembler a;
  Label fwd, back;
  a.bind(back);          // 0
  a.nop();               // 0: 1 byte
  a.jmp(fwd);            // 1: 5 bytes
  a.jcc(Cond::ne, fwd);  // 6: 6 bytes
  a.call(fwd);           // 12: 5 bytes
  a.lea(Gp::r11, fwd);   // 17: 7 bytes
  CHECK(fwd.has_pending_uses());
  CHECK_FALSE(fwd.bound());
  a.jcc(Cond::l, back);        // 24: 6 bytes
  size_t fwd_at = a.offset();  // 30
  a.bind(fwd);
  CHECK_FALSE(fwd.has_pending_uses());
  CHECK(fwd.pos() == fwd_at);
  a.jmp(back);
  a.jmp(fwd);

  size_t undecoded = 0;
  std::vector<DisasmLine> lines =
      Disassemble(Arch::kX64, a.code().data(), a.code().size(), 0, &undecoded);
  CHECK(undecoded == 0);
  std::vector<std::string> got;
  for (const DisasmLine& l : lines) got.push_back(Normalise(l.Text()));
  std::string f = std::to_string(fwd_at);
  std::vector<std::string> want = {
      "nop",
      "jmp " + f,
      "jne " + f,
      "call " + f,
      "lea r11, [rip + " + std::to_string(fwd_at - 24) + "]",
      "jl 0",
      "jmp 0",
      "jmp " + f,
  };
  CHECK(got == want);
}

TEST_CASE("labels: a label far away still uses rel32", "[x64][asm]") {
  Assembler a;
  Label l;
  a.jmp(l);
  for (int i = 0; i < 100000; ++i) a.nop();
  a.bind(l);
  a.jcc(Cond::e, l);
  size_t undecoded = 0;
  auto first = Disassemble(Arch::kX64, a.code().data(), 5, 0, &undecoded);
  REQUIRE(first.size() == 1);
  CHECK(Normalise(first[0].Text()) == "jmp " + std::to_string(100005));
  size_t last_at = a.offset() - 6;
  auto last = Disassemble(Arch::kX64, a.code().data() + last_at, 6, last_at, &undecoded);
  REQUIRE(last.size() == 1);
  CHECK(Normalise(last[0].Text()) == "je " + std::to_string(100005));
}

TEST_CASE("patch_u32 rewrites an immediate after the fact", "[x64][asm]") {
  Assembler a;
  a.sub(W::k64, Gp::rsp, 0x12345);  // imm32 form, the immediate is the last 4 bytes
  size_t frame_size_at = a.offset() - 4;
  a.ret();
  a.patch_u32(frame_size_at, 0x1000);
  size_t undecoded = 0;
  CHECK(Normalise(Listing(a.code(), &undecoded)) == "sub rsp, 4096; ret");
  CHECK_THROWS_AS(a.patch_u32(a.offset() - 2, 0), AssemblerError);
}

TEST_CASE("the assembler refuses operands x86-64 cannot encode", "[x64][asm]") {
  Assembler a;
  CHECK_THROWS_AS(a.mov(W::k64, Gp::rax, Mem(Gp::rax, Gp::rsp, 1, 0)), AssemblerError);
  CHECK_THROWS_AS(a.mov(W::k64, Gp::rax, Mem(Gp::rax, Gp::rcx, 3, 0)), AssemblerError);
  CHECK_THROWS_AS(a.lea(W::k8, Gp::rax, Mem(Gp::rax)), AssemblerError);
  CHECK_THROWS_AS(a.add(W::k16, Gp::rax, 1), AssemblerError);
  CHECK_THROWS_AS(a.movzx(W::k64, Gp::rax, W::k32, Gp::rcx), AssemblerError);
  Label l;
  a.bind(l);
  CHECK_THROWS_AS(a.bind(l), AssemblerError);
}

TEST_CASE("Negate pairs each condition with its opposite", "[x64][asm]") {
  CHECK(Negate(Cond::e) == Cond::ne);
  CHECK(Negate(Cond::l) == Cond::ge);
  CHECK(Negate(Cond::a) == Cond::be);
  CHECK(Negate(Cond::p) == Cond::np);
  for (int c = 0; c < 16; ++c) CHECK(Negate(Negate(static_cast<Cond>(c))) == static_cast<Cond>(c));
}

}  // namespace
}  // namespace tandem::jit::x64
