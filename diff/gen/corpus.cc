// corpus.cc: the `corpus` generator (generator.h): replays the modules of a folder, as
// `tandem gen` writes them or as a user collects them, so that a campaign (or a benchmark) runs
// exactly the same cases as another tool does.
#include <algorithm>
#include <fstream>
#include <iterator>
#include <sstream>
#include <stdexcept>
#include <system_error>

#include <fmt/format.h>

#include "diff/gen/generator.h"
#include "reference/binary_format.h"
#include "reference/leb128.h"

namespace tandem::diff::gen {

namespace {

namespace fs = std::filesystem;

std::string ReadAll(const fs::path& p, bool binary) {
  std::ifstream in(p, binary ? std::ios::binary : std::ios::in);
  if (!in) throw std::runtime_error("cannot read " + p.string());
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

class CorpusGenerator : public Generator {
 public:
  explicit CorpusGenerator(std::shared_ptr<const std::vector<CorpusEntry>> corpus)
      : corpus_(std::move(corpus)) {}
  std::string_view name() const override { return "corpus"; }
  Generated Generate(uint64_t /*seed*/, uint64_t index) override {
    const CorpusEntry& e = (*corpus_)[index % corpus_->size()];
    Generated g;
    g.bytes = e.bytes;
    g.script = e.script;
    g.what = "file " + e.name;
    return g;
  }

 private:
  std::shared_ptr<const std::vector<CorpusEntry>> corpus_;
};

}  // namespace

std::vector<CorpusEntry> LoadCorpus(const fs::path& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) throw std::runtime_error(dir.string() + " is not a folder");
  std::vector<fs::path> files;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
    if (it->path().extension() == ".wasm" && it->is_regular_file(ec)) files.push_back(it->path());
  if (ec) throw std::runtime_error("cannot list " + dir.string() + ": " + ec.message());
  if (files.empty()) throw std::runtime_error(dir.string() + " holds no .wasm file");
  std::sort(files.begin(), files.end());
  std::vector<CorpusEntry> out;
  out.reserve(files.size());
  for (const fs::path& f : files) {
    CorpusEntry e;
    e.name = f.filename().string();
    std::string bytes = ReadAll(f, true);
    e.bytes.assign(bytes.begin(), bytes.end());
    fs::path script = f.parent_path() / (f.stem().string() + ".script.json");
    if (fs::exists(script, ec)) {
      try {
        e.script = ParseScript(ReadAll(script, false));
      } catch (const std::exception& x) {
        throw std::runtime_error(script.string() + ": " + x.what());
      }
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::optional<uint64_t> SectionSize(const std::vector<uint8_t>& b, uint8_t wanted) {
  const uint8_t* p = b.data() + std::min<size_t>(8, b.size());
  const uint8_t* end = b.data() + b.size();
  while (p < end) {
    uint8_t id = *p++;
    uint64_t size = 0;
    size_t len = 0;
    if (wasm::ReadUnsignedLeb<32>(p, end, &size, &len) != wasm::LebStatus::kOk) return std::nullopt;
    p += len;
    if (size > static_cast<uint64_t>(end - p)) return std::nullopt;
    if (id == wanted) return size;
    p += size;
  }
  return std::nullopt;
}

uint64_t CodeSectionBytes(const std::vector<uint8_t>& b) {
  return SectionSize(b, wasm::kCodeId).value_or(0);
}

std::unique_ptr<Generator> MakeCorpusGenerator(const GeneratorOptions& options) {
  if (!options.corpus || options.corpus->empty())
    throw std::invalid_argument("corpus needs a folder of modules (--corpus DIR)");
  return std::make_unique<CorpusGenerator>(options.corpus);
}

}  // namespace tandem::diff::gen
