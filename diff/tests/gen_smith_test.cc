// gen_smith_test.cc: the `smith` generator (diff/gen/smith.cc): whole programs that depend only
// on (seed, index), validate with tandem and with WABT's wasm-validate, reach every instruction
// of the opcode table, run to the same results on every host engine (mostly returning), and
// honour the denan, block_params and binaryen options.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "diff/case.h"
#include "diff/engine.h"
#include "diff/gen/generator.h"
#include "diff/harness.h"
#include "reference/decoder.h"
#include "reference/validator.h"

namespace tandem::diff::gen {
namespace {

std::unique_ptr<Generator> Smith(bool simd = false, bool denan = false, bool block_params = true) {
  GeneratorOptions o;
  o.simd = simd;
  o.denan = denan;
  o.block_params = block_params;
  return MakeSmithGenerator(o);
}

// Every opcode in the module's function bodies.
std::set<wasm::Op> OpsIn(const wasm::Module& m) {
  std::set<wasm::Op> ops;
  for (const wasm::FunctionBody& body : m.code)
    for (const wasm::Instr& in : body.code) ops.insert(in.op);
  return ops;
}

bool Validates(const std::vector<uint8_t>& bytes, std::string* why) {
  try {
    wasm::Validate(wasm::Decode(bytes));
    return true;
  } catch (const std::exception& e) {
    *why = e.what();
    return false;
  }
}

// A temporary directory, removed at the end of the scope.
struct TempDir {
  std::filesystem::path path;
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "tandem-smith-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
};

TEST_CASE("gen smith: a case depends only on (seed, index)", "[gen][smith]") {
  std::unique_ptr<Generator> a = Smith();
  std::unique_ptr<Generator> b = Smith();
  CHECK(a->name() == "smith");
  REQUIRE(MakeGenerator("smith", GeneratorOptions{}) != nullptr);
  CHECK(MakeGenerator("smith", GeneratorOptions{})->name() == "smith");
  const std::vector<std::string> names = GeneratorNames();
  CHECK(std::find(names.begin(), names.end(), "smith") != names.end());
  std::vector<uint8_t> previous;
  for (uint64_t i = 0; i < 300; ++i) {
    INFO("case " << i);
    Generated x = a->Generate(42, i);
    Generated y = b->Generate(42, i);
    Generated z = a->Generate(42, i);  // again, after others: nothing carries over
    CHECK(x.bytes == y.bytes);
    CHECK(x.bytes == z.bytes);
    CHECK(x.what == y.what);
    REQUIRE(x.script.has_value());
    CHECK(ScriptToJson(*x.script) == ScriptToJson(*y.script));
    CHECK(x.bytes != previous);
    CHECK(a->Generate(43, i).bytes != x.bytes);
    previous = x.bytes;
  }
}

TEST_CASE("gen smith: modules validate with every option, scripts fit", "[gen][smith]") {
  for (int variant = 0; variant < 4; ++variant) {
    const bool simd = variant == 1 || variant == 3;
    const bool denan = variant >= 2;
    const bool block_params = variant != 3;
    std::unique_ptr<Generator> g = Smith(simd, denan, block_params);
    for (uint64_t i = 0; i < 300; ++i) {
      Generated c = g->Generate(7, i);
      INFO("variant " << variant << " case " << i << ": " << c.what);
      std::string why;
      REQUIRE(Validates(c.bytes, &why));
      Case made;
      REQUIRE_NOTHROW(made = MakeCase(c.bytes, c.script));
      REQUIRE(made.module != nullptr);
      CHECK(made.refusal.empty());
      REQUIRE(c.script.has_value());
      CHECK_FALSE(c.script->calls.empty());
      CHECK(c.script->calls.size() <= 64);
      // binaryen's protocol: hangLimitInitializer before every other call.
      for (size_t k = 0; k < c.script->calls.size(); ++k)
        CHECK((c.script->calls[k].export_name == "hangLimitInitializer") == (k % 2 == 0));
      CHECK(ScriptToJson(ParseScript(ScriptToJson(*c.script))) == ScriptToJson(*c.script));
    }
  }
}

TEST_CASE("gen smith: 10,000 modules validate with tandem and wasm-validate",
          "[gen][smith][slow]") {
  const auto start = std::chrono::steady_clock::now();
  TempDir dir;
  struct Variant {
    bool simd, denan, block_params;
    uint64_t count;
  };
  const Variant variants[] = {{false, false, true, 10000},
                              {true, false, true, 1000},
                              {false, true, true, 1000},
                              {true, true, false, 1000}};
  std::vector<size_t> code_sizes;
  size_t files = 0;
  for (const Variant& v : variants) {
    std::unique_ptr<Generator> g = Smith(v.simd, v.denan, v.block_params);
    for (uint64_t i = 0; i < v.count; ++i) {
      Generated c = g->Generate(1, i);
      std::string why;
      INFO("simd " << v.simd << " denan " << v.denan << " case " << i << ": " << c.what);
      REQUIRE(Validates(c.bytes, &why));
      if (!v.simd && !v.denan) code_sizes.push_back(CodeSectionBytes(c.bytes));
      std::ofstream out(dir.path / ("m" + std::to_string(files++) + ".wasm"), std::ios::binary);
      out.write(reinterpret_cast<const char*>(c.bytes.data()),
                static_cast<std::streamsize>(c.bytes.size()));
    }
  }
  // One shell for every file: wasm-validate prints nothing for a valid module.
  const std::filesystem::path log = dir.path / "wabt.log";
  const std::string cmd = "cd '" + dir.path.string() +
                          "' && for f in m*.wasm; do wasm-validate \"$f\" >/dev/null 2>&1 || "
                          "echo \"$f\"; done > '" +
                          log.string() + "' 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(log);
  std::stringstream failed;
  failed << in.rdbuf();
  INFO("rejected by wasm-validate:\n" << failed.str());
  CHECK(failed.str().empty());
  std::sort(code_sizes.begin(), code_sizes.end());
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN(files << " modules in " << seconds << " s; median code section "
             << code_sizes[code_sizes.size() / 2] << " bytes");
}

TEST_CASE("gen smith: median code section of at least 1 KiB", "[gen][smith]") {
  std::unique_ptr<Generator> g = Smith();
  std::vector<size_t> sizes;
  for (uint64_t i = 0; i < 1000; ++i) sizes.push_back(CodeSectionBytes(g->Generate(3, i).bytes));
  std::sort(sizes.begin(), sizes.end());
  const size_t median = sizes[sizes.size() / 2];
  WARN("median code section over 1000 modules: " << median << " bytes (max " << sizes.back()
                                                 << ")");
  CHECK(median >= 1024);
  CHECK(median <= 8192);
}

// Every instruction of the opcode table (the SIMD ones with SIMD), the structure included.
TEST_CASE("gen smith: every instruction of the table occurs", "[gen][smith]") {
  for (bool simd : {false, true}) {
    std::unique_ptr<Generator> g = Smith(simd);
    std::set<wasm::Op> seen;
    for (uint64_t i = 0; i < 400; ++i) {
      const std::set<wasm::Op> ops = OpsIn(wasm::Decode(g->Generate(11, i).bytes));
      seen.insert(ops.begin(), ops.end());
    }
    std::string missing;
    for (int i = 0; i < wasm::kNumOps; ++i) {
      const wasm::Op op = static_cast<wasm::Op>(i);
      const bool vector = wasm::GetOpInfo(op).prefix == 0xfd;
      if (vector && !simd) {
        CHECK(seen.count(op) == 0);
        continue;
      }
      if (!seen.count(op)) missing += std::string(" ") + wasm::OpName(op);
    }
    INFO("simd " << simd << ", missing:" << missing);
    CHECK(missing.empty());
  }
}

TEST_CASE("gen smith: every host engine agrees, most calls return", "[gen][smith]") {
  std::unique_ptr<Generator> g = Smith();
  HarnessOptions o;
  o.engines = HostEngineNames();
  o.config.fuel = 1'000'000;
  o.config.max_call_depth = 1000;
  size_t calls = 0, returned = 0;
  for (uint64_t i = 0; i < 100; ++i) {
    Generated gen = g->Generate(5, i);
    Case c = MakeCase(gen.bytes, gen.script);
    CaseResult r = RunCase(c, o);
    INFO("case " << i << ": " << gen.what << "\n" << FormatCaseResult(r, c));
    CHECK(r.verdict == CaseResult::Verdict::kAgree);
    CHECK(r.calls_run == c.script.calls.size());
    for (const EngineReport& e : r.engines) {
      CHECK_FALSE(e.unsupported);
      if (e.engine != "ref") continue;
      for (size_t k = 0; k < e.outcomes.size(); ++k) {
        if (c.script.calls[k].export_name == "hangLimitInitializer") continue;
        ++calls;
        returned += e.outcomes[k].rfind("returned", 0) == 0;
        CHECK(e.outcomes[k].rfind("exhausted", 0) != 0);
      }
    }
  }
  WARN(returned << " of " << calls << " calls returned on ref");
  CHECK(returned * 2 >= calls);
}

bool IsNaN(const wasm::Value& v) {
  if (v.type == wasm::ValType::F32)
    return (v.bits & 0x7f800000u) == 0x7f800000u && (v.bits & 0x007fffffu) != 0;
  if (v.type == wasm::ValType::F64)
    return (v.bits & 0x7ff0000000000000u) == 0x7ff0000000000000u &&
           (v.bits & 0x000fffffffffffffu) != 0;
  return false;
}

bool IsCanonicalNaN(const wasm::Value& v) {
  return (v.type == wasm::ValType::F32 && v.bits == 0x7fc00000u) ||
         (v.type == wasm::ValType::F64 && v.bits == 0x7ff8000000000000u);
}

TEST_CASE("gen smith: denan modules make only the canonical NaN", "[gen][smith]") {
  std::unique_ptr<Generator> g = Smith(false, true);
  std::unique_ptr<Generator> plain = Smith();
  EngineConfig config;
  config.fuel = 1'000'000;
  config.max_call_depth = 1000;
  config.nan_canonical = false;  // what the module does, not what the engine's mode does
  size_t nans = 0, values = 0;
  for (uint64_t i = 0; i < 150; ++i) {
    Generated gen = g->Generate(9, i);
    INFO("case " << i << ": " << gen.what);
    Case c = MakeCase(gen.bytes, gen.script);
    REQUIRE(c.module != nullptr);
    bool marked = false;
    for (const wasm::CustomSection& s : c.module->customs) marked |= s.name == "tandem.denan";
    CHECK(marked);
    bool unmarked = true;
    for (const wasm::CustomSection& s : wasm::Decode(plain->Generate(9, i).bytes).customs)
      unmarked &= s.name != "tandem.denan";
    CHECK(unmarked);

    std::unique_ptr<Engine> ref = MakeEngine("ref", config);
    InstantiateOutcome inst = ref->Instantiate(c.module);
    REQUIRE(inst.status == InstantiateOutcome::Status::kOk);
    for (const Call& call : c.script.calls) {
      wasm::Outcome o = ref->Invoke(inst.instance, call.export_name, call.args);
      std::vector<wasm::Value> seen = o.values;
      for (const LogEntry& e : ref->TakeLog()) seen.push_back(e.value);
      for (const wasm::Value& v : seen) {
        if (v.type != wasm::ValType::F32 && v.type != wasm::ValType::F64) continue;
        ++values;
        if (!IsNaN(v)) continue;
        ++nans;
        INFO(call.export_name << ": " << wasm::ToString(v));
        CHECK(IsCanonicalNaN(v));
      }
    }
  }
  WARN(nans << " NaNs among " << values << " float results and logged values");
  CHECK(nans > 0);
}

TEST_CASE("gen smith: without block_params no block type has parameters", "[gen][smith]") {
  for (bool block_params : {false, true}) {
    std::unique_ptr<Generator> g = Smith(false, false, block_params);
    size_t with_params = 0;
    for (uint64_t i = 0; i < 300; ++i) {
      const wasm::Module m = wasm::Decode(g->Generate(13, i).bytes);
      for (const wasm::FunctionBody& body : m.code) {
        for (const wasm::Instr& in : body.code) {
          if (in.op != wasm::Op::Block && in.op != wasm::Op::Loop && in.op != wasm::Op::If)
            continue;
          const wasm::BlockType bt = wasm::BlockType::FromImm(in.c);
          if (bt.kind == wasm::BlockType::kIndex && !m.types[bt.index].params.empty())
            ++with_params;
        }
      }
    }
    INFO("block_params " << block_params);
    if (block_params) {
      CHECK(with_params > 0);
    } else {
      CHECK(with_params == 0);
    }
  }
}

TEST_CASE("gen smith: --binaryen modules avoid what binaryen 108 cannot read", "[gen][smith]") {
  GeneratorOptions o;
  o.block_params = false;
  o.binaryen = true;
  std::unique_ptr<Generator> g = MakeSmithGenerator(o);
  TempDir dir;
  size_t table_ops = 0;
  for (uint64_t i = 0; i < 200; ++i) {
    Generated c = g->Generate(5, i);
    std::string why;
    INFO("case " << i << ": " << c.what);
    REQUIRE(Validates(c.bytes, &why));
    const wasm::Module m = wasm::Decode(c.bytes);
    for (const wasm::ElemSegment& e : m.elems) CHECK(e.type == wasm::ValType::FuncRef);
    for (wasm::Op op : OpsIn(m)) {
      CHECK(op != wasm::Op::TableInit);
      CHECK(op != wasm::Op::ElemDrop);
      CHECK(op != wasm::Op::TableCopy);
      CHECK(op != wasm::Op::TableFill);
      table_ops += op == wasm::Op::TableGrow || op == wasm::Op::TableSet;
    }
    std::ofstream out(dir.path / (std::to_string(i) + ".wasm"), std::ios::binary);
    out.write(reinterpret_cast<const char*>(c.bytes.data()),
              static_cast<std::streamsize>(c.bytes.size()));
  }
  CHECK(table_ops > 0);  // the table instructions binaryen knows still occur
  // The default options do make what binaryen cannot read (else the option would test nothing).
  {
    std::unique_ptr<Generator> d = Smith();
    size_t externref_segments = 0;
    for (uint64_t i = 0; i < 50; ++i)
      for (const wasm::ElemSegment& e : wasm::Decode(d->Generate(5, i).bytes).elems)
        externref_segments += e.type == wasm::ValType::ExternRef;
    CHECK(externref_segments > 0);
  }
  // And binaryen's wasm-opt reads and runs every one (ci/setup.sh installs binaryen).
  const std::filesystem::path log = dir.path / "binaryen.log";
  const std::string cmd =
      "cd '" + dir.path.string() +
      "' && for f in *.wasm; do wasm-opt --enable-bulk-memory --enable-reference-types "
      "--enable-multivalue --enable-sign-ext --enable-nontrapping-float-to-int "
      "--enable-mutable-globals \"$f\" --fuzz-exec-before -q >/dev/null 2>&1 || echo \"$f\"; "
      "done > '" + log.string() + "' 2>&1";
  REQUIRE(std::system(cmd.c_str()) == 0);
  std::ifstream in(log);
  std::stringstream failed;
  failed << in.rdbuf();
  INFO("not read or not run by wasm-opt:\n" << failed.str());
  CHECK(failed.str().empty());
}

}  // namespace
}  // namespace tandem::diff::gen

namespace tandem::diff::gen {
namespace {

// The byte-driven form behind the differential libFuzzer target: the same bytes make the same
// module, every input (empty, short, long, all zeros, all ones, random) makes a module that
// validates, and a changed byte changes the module.
TEST_CASE("gen smith: modules driven by a fuzzer's bytes are valid and depend on the bytes",
          "[gen][smith]") {
  GeneratorOptions go;
  std::vector<std::vector<uint8_t>> inputs = {{}, {0}, {0xff}, std::vector<uint8_t>(64, 0),
                                              std::vector<uint8_t>(4096, 0xff)};
  Rng rng(5, "bytes", 0);
  for (int i = 0; i < 150; ++i) {
    std::vector<uint8_t> in(rng.Below(2048));
    for (uint8_t& b : in) b = static_cast<uint8_t>(rng.Next());
    inputs.push_back(std::move(in));
  }
  size_t changed = 0;
  for (const std::vector<uint8_t>& in : inputs) {
    Generated a = GenerateSmithFromBytes(in.data(), in.size(), go);
    Generated b = GenerateSmithFromBytes(in.data(), in.size(), go);
    CHECK(a.bytes == b.bytes);
    Case c = MakeCase(a.bytes, a.script);
    INFO("input of " << in.size() << " bytes: " << c.refusal);
    CHECK(c.module);
    if (in.size() >= 16) {
      std::vector<uint8_t> flipped = in;
      flipped[in.size() / 2] ^= 0x5a;
      changed += GenerateSmithFromBytes(flipped.data(), flipped.size(), go).bytes != a.bytes;
    }
  }
  // A changed byte is a changed choice (almost always a changed module).
  CHECK(changed * 10 >= (inputs.size() - 4) * 8);
}

}  // namespace
}  // namespace tandem::diff::gen
