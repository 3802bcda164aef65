// decoder_fuzz_test.cc: deterministic fuzzing of the whole pipeline a fuzzer's module takes:
// decode (Spec 5), validate (Spec 3), instantiate and run with fuel on every engine. Every input
// must decode or be refused with a WasmError / UnsupportedError (DESIGN.md "Module": never a
// crash, never an allocation failure); decoded modules must satisfy module.h's layout contracts;
// valid ones are instantiated on every engine and each exported function is called with zero
// arguments (binaryen's --fuzz-exec order), and no engine may report an internal error.
// Runs under ASan+UBSan in CI (ci/test.sh).
#include <catch2/catch.hpp>

#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "diff/engine.h"
#include "diff/compare.h"
#include "reference/tests/spec_files.h"
#include "reference/decoder.h"
#include "reference/tests/fuzz_inputs.h"
#include "reference/tests/wasm_bytes.h"
#include "reference/validator.h"

namespace tandem::diff {
namespace {

using wasm::testing::Bytes;

// The layout contracts of module.h that every decoded module must satisfy.
void CheckDecoded(const wasm::Module& m, const Bytes& input) {
  REQUIRE(m.bytes == input);
  REQUIRE(m.func_types.size() == m.num_imported_funcs + m.code.size());
  for (const auto& body : m.code) {
    REQUIRE(!body.code.empty());
    REQUIRE(body.code.back().op == wasm::Op::End);
    REQUIRE(static_cast<size_t>(body.body_offset) + body.body_size <= input.size());
    for (const auto& i : body.code) {
      REQUIRE(i.offset >= body.body_offset);
      REQUIRE(i.offset < body.body_offset + body.body_size);
      if (i.op == wasm::Op::BrTable) REQUIRE(size_t{i.a} + i.b + 1 <= body.br_table_pool.size());
    }
  }
  for (const auto& d : m.datas) REQUIRE(static_cast<size_t>(d.data_offset) + d.data_size <= input.size());
  for (const auto& c : m.customs) REQUIRE(static_cast<size_t>(c.offset) + c.size <= input.size());
}

// The valid modules of the spec suite's conversion (at most 4 KiB each), as seeds: mutants of
// valid modules are valid far more often than mutants of the suite's malformed ones.
std::vector<Bytes> SpecSeeds() {
  std::vector<Bytes> all, seeds;
  spec_files::ForEachNonSimdSpecFile([&](const spec_files::ConvertedSpecFile& f) {
    wasm::testing::AddDirectorySeeds(&all, f.dir);
  });
  for (Bytes& b : all) {
    try {
      wasm::Validate(wasm::Decode(b));
      seeds.push_back(std::move(b));
    } catch (const std::exception&) {
    }
  }
  return seeds;
}

const char* KindName(wasm::Outcome::Kind k) {
  using K = wasm::Outcome::Kind;
  switch (k) {
    case K::kValues: return "returned";
    case K::kTrap: return "trapped";
    case K::kExhausted: return "exhausted";
    case K::kUnsupported: return "unsupported";
    case K::kInternalError: return "internal error";
  }
  return "?";
}

int InputCount() {
  // TANDEM_FUZZ_INPUTS lets a person run longer; CI runs the default.
  if (const char* n = std::getenv("TANDEM_FUZZ_INPUTS"); n && *n) return std::atoi(n);
  return 100'000;
}

TEST_CASE("decoder fuzz: random and mutated inputs decode, validate, instantiate and run cleanly",
          "[diff][fuzz][slow]") {
  std::vector<Bytes> seeds = wasm::testing::HandSeeds();
  for (const auto& s : seeds) REQUIRE_NOTHROW(wasm::Decode(s));  // the hand seeds are well formed
  std::vector<Bytes> spec = SpecSeeds();
  WARN(spec.size() << " valid seed modules from the spec suite");
  seeds.insert(seeds.end(), spec.begin(), spec.end());

  EngineConfig config;
  config.fuel = 2000;
  config.max_call_depth = 200;
  config.nan_canonical = true;
  const std::vector<std::string> engine_names = HostEngineNames();
  // One store per engine for a batch of modules (as a spec file's modules share one), renewed
  // so that the store budgets of limits.h are never the reason a module fails.
  std::vector<std::unique_ptr<Engine>> engines;
  int in_batch = 0;
  auto renew = [&] {
    engines.clear();
    for (const auto& name : engine_names) engines.push_back(MakeEngine(name, config));
    in_batch = 0;
  };
  renew();

  std::mt19937 rng(0x7a4d3);
  const int inputs = InputCount();
  int decoded = 0, malformed = 0, unsupported = 0, limit = 0, valid = 0, invalid = 0, calls = 0;
  std::map<std::string, std::map<std::string, int>> outcomes;  // engine -> outcome kind -> count
  for (int n = 0; n < inputs; ++n) {
    Bytes input;
    if (n % 4 == 0) {
      input = wasm::testing::Header();
      size_t len = rng() % 200;
      for (size_t i = 0; i < len; ++i) input.push_back(static_cast<uint8_t>(rng()));
    } else {
      input = wasm::testing::Mutate(seeds[rng() % seeds.size()], rng);
    }
    auto module = std::make_shared<wasm::Module>();
    try {
      *module = wasm::Decode(input);
      ++decoded;
      CheckDecoded(*module, input);
      wasm::Validate(*module);
      ++valid;
    } catch (const wasm::MalformedError&) {
      ++malformed;
      continue;
    } catch (const wasm::InvalidError&) {
      ++invalid;
      continue;
    } catch (const wasm::LimitError&) {
      ++limit;
      continue;
    } catch (const wasm::UnsupportedError&) {
      ++unsupported;
      continue;
    } catch (const std::exception& e) {
      FAIL("input " << n << ": unexpected exception: " << e.what());
    }
    if (++in_batch == 50) renew();
    // The first engine (ref) is the one the others must agree with.
    InstantiateOutcome ref_inst;
    size_t calls_of_ref = 0;
    std::vector<wasm::Outcome> ref_calls;
    for (size_t k = 0; k < engines.size(); ++k) {
      Engine& e = *engines[k];
      INFO("input " << n << ", engine " << engine_names[k]);
      InstantiateOutcome r = e.Instantiate(module);
      if (k == 0) ref_inst = r;
      CHECK(InstantiateStatusName(r.status) == std::string(InstantiateStatusName(ref_inst.status)));
      CHECK(r.status != InstantiateOutcome::Status::kInternalError);
      if (r.status == InstantiateOutcome::Status::kInternalError) WARN(r.message);
      ++outcomes[engine_names[k]][InstantiateStatusName(r.status)];
      if (r.status != InstantiateOutcome::Status::kOk) continue;
      for (const wasm::Export& x : module->exports) {
        if (x.kind != wasm::ExternKind::Func) continue;
        std::vector<wasm::Value> args;
        for (wasm::ValType t : module->FuncTypeOf(x.index).params)
          args.push_back(wasm::Value::Default(t));
        wasm::Outcome o = e.Invoke(r.instance, x.name, args);
        ++calls;
        ++outcomes[engine_names[k]][std::string("call ") + KindName(o.kind)];
        INFO("export \"" << x.name << "\": " << wasm::ToString(o));
        CHECK(o.kind != wasm::Outcome::Kind::kInternalError);
        if (k == 0) {
          ref_calls.push_back(o);
        } else if (ref_inst.status == InstantiateOutcome::Status::kOk) {
          // The same outcome as on ref, bit for bit (NaN-canonical mode).
          const wasm::Outcome& want = ref_calls.at(calls_of_ref++);
          INFO("ref: " << wasm::ToString(want));
          CHECK(CompareOutcome(*engines[0], want, e, o).empty());
        }
      }
      calls_of_ref = 0;
      if (k > 0 && r.status == InstantiateOutcome::Status::kOk &&
          ref_inst.status == InstantiateOutcome::Status::kOk) {
        auto diffs = DiffInstanceStates(*engines[0], ref_inst.instance, e, r.instance, 1);
        INFO((diffs.empty() ? std::string() : diffs[0]));
        CHECK(diffs.empty());
      }
    }
  }
  std::string per_engine;
  for (const auto& [engine, kinds] : outcomes) {
    per_engine += "\n  " + engine + ":";
    for (const auto& [kind, count] : kinds) per_engine += " [" + kind + "] " + std::to_string(count);
  }
  WARN(inputs << " inputs: decoded " << decoded << ", malformed " << malformed << ", unsupported "
              << unsupported << ", beyond a limit " << limit << ", invalid " << invalid
              << ", valid " << valid << " (instantiated and run on " << engine_names.size()
              << " engines, " << calls << " calls)" << per_engine);
  CHECK(malformed + unsupported + limit + invalid + valid == inputs);
  // Every outcome must occur, or the generator has stopped exercising the pipeline.
  CHECK(malformed > inputs / 10);
  CHECK(invalid > inputs / 100);
  CHECK(valid > inputs / 50);
  CHECK(calls > inputs / 20);
}

}  // namespace
}  // namespace tandem::diff
