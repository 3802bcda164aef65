// gen_corpus_test.cc: the `corpus` generator (diff/gen/corpus.cc) replays a folder of modules
// with their scripts, in name order, as `tandem gen` writes them; a campaign over it counts the
// reference engine's instructions (the fuzz loop's quality figures).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "diff/case.h"
#include "diff/engine.h"
#include "diff/fuzz.h"
#include "diff/gen/generator.h"
#include "diff/harness.h"
#include "diff/ref_engine.h"
#include "reference/decoder.h"
#include "reference/validator.h"

namespace tandem::diff::gen {
namespace {

namespace fs = std::filesystem;

struct Folder {
  fs::path path;
  Folder() {
    std::string tmpl = (fs::temp_directory_path() / "tandem-corpus-XXXXXX").string();
    REQUIRE(mkdtemp(tmpl.data()) != nullptr);
    path = tmpl;
  }
  ~Folder() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  void Put(const std::string& name, const std::string& data) const {
    std::ofstream f(path / name, std::ios::binary);
    f << data;
    REQUIRE(f);
  }
};

std::string Bytes(const std::vector<uint8_t>& b) { return std::string(b.begin(), b.end()); }

TEST_CASE("gen corpus: files in name order, with their scripts, case i is file i mod n",
          "[gen][corpus]") {
  Folder dir;
  GeneratorOptions so;
  std::unique_ptr<Generator> smith = MakeSmithGenerator(so);
  std::vector<Generated> made;
  for (uint64_t i = 0; i < 3; ++i) made.push_back(smith->Generate(2, i));
  // Written out of order; b has no script (binaryen's fuzz-exec calls apply); a text file and a
  // folder are ignored.
  dir.Put("c.wasm", Bytes(made[2].bytes));
  dir.Put("c.script.json", ScriptToJson(*made[2].script));
  dir.Put("a.wasm", Bytes(made[0].bytes));
  dir.Put("a.script.json", ScriptToJson(*made[0].script));
  dir.Put("b.wasm", Bytes(made[1].bytes));
  dir.Put("notes.txt", "not a module");
  fs::create_directory(dir.path / "sub.wasm");

  std::vector<CorpusEntry> corpus = LoadCorpus(dir.path);
  REQUIRE(corpus.size() == 3);
  CHECK(corpus[0].name == "a.wasm");
  CHECK(corpus[1].name == "b.wasm");
  CHECK(corpus[2].name == "c.wasm");
  CHECK(corpus[0].bytes == made[0].bytes);
  CHECK(corpus[1].bytes == made[1].bytes);
  REQUIRE(corpus[0].script);
  CHECK(ScriptToJson(*corpus[0].script) == ScriptToJson(*made[0].script));
  CHECK_FALSE(corpus[1].script);

  GeneratorOptions o;
  o.corpus = std::make_shared<const std::vector<CorpusEntry>>(corpus);
  std::unique_ptr<Generator> g = MakeGenerator("corpus", o);
  REQUIRE(g);
  CHECK(g->name() == "corpus");
  for (uint64_t i : {0u, 2u, 4u, 7u}) {
    Generated c = g->Generate(99, i);
    CHECK(c.bytes == corpus[i % 3].bytes);
    CHECK(c.what == "file " + corpus[i % 3].name);
    CHECK(c.script.has_value() == corpus[i % 3].script.has_value());
  }
  // Without a corpus the generator cannot be made.
  CHECK_THROWS_AS(MakeGenerator("corpus", GeneratorOptions{}), std::invalid_argument);
}

TEST_CASE("gen corpus: folders that cannot be replayed are refused, naming the file",
          "[gen][corpus]") {
  Folder dir;
  CHECK_THROWS_WITH(LoadCorpus(dir.path / "missing"), Catch::Contains("is not a folder"));
  CHECK_THROWS_WITH(LoadCorpus(dir.path), Catch::Contains("holds no .wasm file"));
  dir.Put("x.wasm", std::string("\0asm\1\0\0\0", 8));
  dir.Put("x.script.json", "{\"calls\": [ {\"export\": 7} ]}");
  CHECK_THROWS_WITH(LoadCorpus(dir.path), Catch::Contains("x.script.json"));
}

TEST_CASE("gen corpus: CodeSectionBytes measures the code section", "[gen][corpus]") {
  // (module (func)): type, function and code sections; the code section holds 4 bytes.
  const std::vector<uint8_t> m = {0, 'a', 's', 'm', 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0,
                                  3, 2, 1, 0, 10, 4, 1, 2, 0, 0x0b};
  CHECK(CodeSectionBytes(m) == 4);
  CHECK(CodeSectionBytes({0, 'a', 's', 'm', 1, 0, 0, 0}) == 0);
  std::vector<uint8_t> cut(m.begin(), m.end() - 2);  // the code section runs past the end
  CHECK(CodeSectionBytes(cut) == 0);
}

TEST_CASE("gen corpus: the reference counts the instructions it executes", "[gen][corpus]") {
  // (func (export "f") (param i32) (result i32) (local i32)
  //   (loop (local.set 1 (i32.add (local.get 1) (i32.const 1)))
  //         (br_if 0 (i32.lt_u (local.get 1) (local.get 0))))
  //   (local.get 1))
  const std::vector<uint8_t> bytes = {
      0, 'a', 's', 'm', 1, 0, 0, 0,
      1, 6, 1, 0x60, 1, 0x7f, 1, 0x7f,        // type (i32) -> i32
      3, 2, 1, 0,                             // function 0: type 0
      7, 5, 1, 1, 'f', 0, 0,                  // export "f"
      10, 25, 1, 23, 1, 1, 0x7f,              // code: one i32 local
      0x03, 0x40,                             // loop
      0x20, 1, 0x41, 1, 0x6a, 0x21, 1,        // local.set 1 (local.get 1 + 1)
      0x20, 1, 0x20, 0, 0x49, 0x0d, 0,        // br_if 0 (local.get 1 < local.get 0)
      0x0b, 0x20, 1, 0x0b};                   // end, local.get 1, end
  Case c = MakeCase(bytes, std::nullopt);
  REQUIRE(c.module);
  auto count = [&](uint32_t n) {
    uint64_t executed = 0;
    EngineConfig config;
    config.instruction_count = &executed;
    RefEngine e(config);
    InstantiateOutcome inst = e.Instantiate(c.module);
    REQUIRE(inst.status == InstantiateOutcome::Status::kOk);
    const uint64_t before = executed;  // instantiation runs no code here
    wasm::Value arg = wasm::Value::I32(n);
    wasm::Outcome out = e.Invoke(inst.instance, "f", std::span<const wasm::Value>(&arg, 1));
    REQUIRE(out.values.size() == 1);
    CHECK(out.values[0].bits == n);
    return executed - before;
  };
  const uint64_t one = count(1), ten = count(10), hundred = count(100);
  CHECK(one > 0);
  // Each iteration runs the same instructions (the eight of the loop's body, and the loop
  // header if the reference counts it), so the count grows by the same amount per iteration.
  CHECK(hundred - ten == 10 * (ten - one));
  CHECK((ten - one) % 9 == 0);
  CHECK(ten - one >= 9 * 8);
}

TEST_CASE("gen corpus: a campaign replays the folder and reports ref's instructions per case",
          "[gen][corpus][fuzz-loop]") {
  Folder dir;
  GeneratorOptions so;
  std::unique_ptr<Generator> smith = MakeSmithGenerator(so);
  for (uint64_t i = 0; i < 4; ++i) {
    Generated made = smith->Generate(3, i);
    dir.Put("m" + std::to_string(i) + ".wasm", Bytes(made.bytes));
    dir.Put("m" + std::to_string(i) + ".script.json", ScriptToJson(*made.script));
  }
  FuzzOptions o;
  o.engines = {"ref", "x64"};
  o.generators = {"corpus"};
  o.corpus = std::make_shared<const std::vector<CorpusEntry>>(LoadCorpus(dir.path));
  o.cases = 8;
  o.jobs = 1;
  o.quiet = true;
  o.config.fuel = 1'000'000;
  o.config.max_call_depth = 1000;
  o.config.max_memory_pages = 256;
  o.json_path = (dir.path / "summary.json").string();
  CHECK(RunFuzz(o) == 0);
  std::ifstream sj(dir.path / "summary.json");
  auto summary = nlohmann::json::parse(sj);
  CHECK(summary["cases"].get<uint64_t>() == 8);
  CHECK(summary["per_generator"]["corpus"]["cases"].get<uint64_t>() == 8);
  CHECK(summary["findings"].empty());
  const auto& q = summary["quality"];
  REQUIRE(q.contains("ref_instructions_per_case"));
  CHECK(q["ref_instructions"].get<uint64_t>() > 0);
  // Cases 4..7 replay files 0..3: the total is twice that of one pass, so per case the same.
  CHECK(q["ref_instructions"].get<uint64_t>() % 2 == 0);
  CHECK(q["ref_instructions_per_case"].get<double>() ==
        q["ref_instructions"].get<uint64_t>() / 8.0);
}

}  // namespace
}  // namespace tandem::diff::gen
