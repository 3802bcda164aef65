// generator.h: case generators for the fuzz loop (DESIGN.md "Inside the harness": diff/gen/,
// "each a function seed -> case, deterministic"). Case `index` of a campaign with `seed`
// depends only on (generator, seed, index): whatever the number of jobs, a campaign can be
// replayed, split and resumed.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "diff/case.h"

namespace tandem::diff::gen {

// A small deterministic generator (splitmix64 seeding xoshiro256**), the same on every host.
class Rng {
 public:
  // Seeded from (seed, generator name, index): independent streams per case.
  Rng(uint64_t seed, std::string_view stream, uint64_t index);
  // Driven by `bytes` (a fuzzer's input, which must outlive the Rng): each choice takes the
  // next bytes it needs (Below(n) as few as hold n - 1, Next() eight), so that a mutation of
  // the input changes a few choices; once they run out, the stream goes on from a seed made of
  // all of them. The same bytes make the same choices.
  Rng(const uint8_t* bytes, size_t size);
  uint64_t Next();
  uint64_t Below(uint64_t n);  // uniform in [0, n), n > 0
  bool Chance(uint32_t one_in);  // true with probability 1/one_in
  template <class T>
  const T& Pick(const std::vector<T>& v) {
    return v[Below(v.size())];
  }

 private:
  uint64_t Take(size_t n);  // the next n input bytes, little-endian (zeros past the end)
  uint64_t s_[4];
  const uint8_t* bytes_ = nullptr;
  size_t left_ = 0;
};

// One module of a corpus folder: a `.wasm` file and, when there is one beside it, its script
// (`NAME.script.json`, the regression format of corpus/regress/).
struct CorpusEntry {
  std::string name;  // the file name
  std::vector<uint8_t> bytes;
  std::optional<Script> script;
};

struct GeneratorOptions {
  bool simd = false;  // generate SIMD instructions (the JITs report them unsupported for now)
  // smith: every float result passes through a canonicalising select (NaN -> the canonical
  // NaN), so results and memory match bit for bit on engines without a NaN-canonical mode; the
  // module carries a custom section named "tandem.denan". ttf: binaryen's --denan.
  bool denan = false;
  // smith: no block parameters (blocks, loops and ifs take none), for tools that cannot read
  // them (binaryen 108).
  bool block_params = true;
  // smith: only what binaryen 108 (wasm-opt) reads, for a baseline or a cross-check with its
  // interpreter: no externref element segments (it reads segments given as expressions only
  // when they hold funcref) and no table.init, elem.drop, table.copy or table.fill (it knows
  // none of them). Block parameters are block_params's business.
  bool binaryen = false;
  // ttf: the wasm-opt binary (binaryen); "" = none found (the generator then cannot be made).
  std::string wasm_opt;
  // mutate: half of the mutants also get 1 to 4 edits of their bytes (mostly malformed
  // modules), for the validation differential.
  bool byte_edits = false;
  // The seed modules `mutate` starts from (LoadSeedModules), shared by every generator.
  std::shared_ptr<const std::vector<std::vector<uint8_t>>> seeds;
  // The files `corpus` replays (LoadCorpus).
  std::shared_ptr<const std::vector<CorpusEntry>> corpus;
};

struct Generated {
  std::vector<uint8_t> bytes;    // the module (may fail to validate: the loop counts those)
  std::optional<Script> script;  // nullopt: binaryen's fuzz-exec protocol (DefaultScript)
  std::string what;              // one line: "i32.div_s, 8 argument sets", "mutant of ..."
};

class Generator {
 public:
  virtual ~Generator() = default;
  virtual std::string_view name() const = 0;
  // Case `index` of the campaign with `seed`. Deterministic in (seed, index).
  virtual Generated Generate(uint64_t seed, uint64_t index) = 0;
};

// A `smith` module whose every choice is taken from `bytes` (Rng's byte-driven form), for
// coverage-guided fuzzers (corpus/fuzz-targets/): libFuzzer's mutations of the input become
// changes of the module.
Generated GenerateSmithFromBytes(const uint8_t* bytes, size_t size, const GeneratorOptions& options);

// "single", "mutate", "smith", "ttf", "corpus".
std::vector<std::string> GeneratorNames();
// nullptr for an unknown name; throws std::invalid_argument when the generator cannot work
// with `options` (e.g. `mutate` without seed modules).
std::unique_ptr<Generator> MakeGenerator(std::string_view name, const GeneratorOptions& options);

// The valid modules of the spec test suite at `testsuite` (its top-level *.wast, without the
// simd_* files unless `simd`), converted with `wast2json` into a temporary directory: every
// module file that decodes, validates and imports nothing but the spectest module, at most
// 64 KiB each, in a stable order. Throws std::runtime_error when wast2json cannot be run or
// the suite has no such module.
std::vector<std::vector<uint8_t>> LoadSeedModules(const std::filesystem::path& testsuite,
                                                  const std::string& wast2json, bool simd);

// Every `*.wasm` file directly in `dir`, in name order, with its `NAME.script.json` when
// present (NAME being the file name without `.wasm`). Throws std::runtime_error when the folder
// cannot be read, holds no `.wasm` file, or a script does not parse (the message names the file).
std::vector<CorpusEntry> LoadCorpus(const std::filesystem::path& dir);

// The contents' size of the first section with id `id`, reading section headers until they
// break; nullopt when there is none before that.
std::optional<uint64_t> SectionSize(const std::vector<uint8_t>& module, uint8_t id);
// Bytes of a module's code-section contents (0 when it has none or its headers are broken).
uint64_t CodeSectionBytes(const std::vector<uint8_t>& module);

// The generators' factories (gen/single.cc, gen/mutate.cc, gen/smith.cc, gen/ttf.cc,
// gen/corpus.cc). `corpus` replays case i as file i modulo the number of files; the seed does
// not matter to it.
std::unique_ptr<Generator> MakeSingleGenerator(const GeneratorOptions& options);
std::unique_ptr<Generator> MakeMutateGenerator(const GeneratorOptions& options);
std::unique_ptr<Generator> MakeSmithGenerator(const GeneratorOptions& options);
std::unique_ptr<Generator> MakeTtfGenerator(const GeneratorOptions& options);
std::unique_ptr<Generator> MakeCorpusGenerator(const GeneratorOptions& options);

}  // namespace tandem::diff::gen
