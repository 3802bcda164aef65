// limits_test.cc: the implementation limits of reference/limits.h, one module at each limit
// (accepted) and one just past it (refused with the limit's message), and the store budgets on
// every engine (a resource error, never a crash, never an eager multi-GiB allocation).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "diff/engine.h"
#include "reference/decoder.h"
#include "reference/limits.h"
#include "reference/tests/wasm_bytes.h"
#include "reference/validator.h"

namespace tandem::diff {
namespace {

using wasm::testing::Bytes;
using wasm::testing::Cat;
using wasm::testing::ModuleBytes;
using wasm::testing::Name;
using wasm::testing::Section;
using wasm::testing::Uleb;

// A section whose content is `count` followed by `count` copies of `item`.
Bytes Repeated(uint8_t id, uint64_t count, const Bytes& item) {
  Bytes content = Uleb(count);
  content.reserve(content.size() + count * item.size());
  for (uint64_t i = 0; i < count; ++i) content.insert(content.end(), item.begin(), item.end());
  return Section(id, content);
}

const Bytes kVoidType = {0x60, 0x00, 0x00};
Bytes OneVoidType() { return Section(1, Cat({{0x01}, kVoidType})); }

struct Checked {
  enum Kind { kAccepted, kLimit, kMalformed, kInvalid, kOther } kind;
  std::string message;
};

Checked Check(const Bytes& bytes) {
  try {
    wasm::Module m = wasm::Decode(bytes);
    wasm::Validate(m);
    return {Checked::kAccepted, {}};
  } catch (const wasm::LimitError& e) {
    return {Checked::kLimit, e.what()};
  } catch (const wasm::MalformedError& e) {
    return {Checked::kMalformed, e.what()};
  } catch (const wasm::InvalidError& e) {
    return {Checked::kInvalid, e.what()};
  } catch (const std::exception& e) {
    return {Checked::kOther, e.what()};
  }
}

// `at` is accepted; `past` is refused as beyond a limit, with a message starting `message`.
void CheckLimit(const Bytes& at, const Bytes& past, const std::string& message) {
  Checked a = Check(at);
  INFO("at the limit: " << a.message);
  CHECK(a.kind == Checked::kAccepted);
  Checked p = Check(past);
  INFO("past the limit: " << p.message);
  CHECK(p.kind == Checked::kLimit);
  CHECK(p.message.rfind(message + ": ", 0) == 0);
}

Bytes Types(uint64_t n) { return ModuleBytes({Repeated(1, n, kVoidType)}); }
Bytes Params(uint64_t n) {
  Bytes t = Cat({{0x01, 0x60}, Uleb(n), Bytes(n, 0x7f), {0x00}});
  return ModuleBytes({Section(1, t)});
}
Bytes Results(uint64_t n) {
  Bytes t = Cat({{0x01, 0x60, 0x00}, Uleb(n), Bytes(n, 0x7e)});
  return ModuleBytes({Section(1, t)});
}
Bytes Functions(uint64_t n) {
  return ModuleBytes({OneVoidType(), Repeated(3, n, {0x00}), Repeated(10, n, {0x02, 0x00, 0x0b})});
}
Bytes Imports(uint64_t n) {  // n function imports "" "" of type 0 (names may repeat)
  return ModuleBytes({OneVoidType(), Repeated(2, n, {0x00, 0x00, 0x00, 0x00})});
}
Bytes Exports(uint64_t n) {  // n exports of function 0, named by their number
  Bytes content = Uleb(n);
  for (uint64_t i = 0; i < n; ++i) {
    Bytes e = Cat({Name(std::to_string(i)), {0x00, 0x00}});
    content.insert(content.end(), e.begin(), e.end());
  }
  return ModuleBytes({OneVoidType(), Section(3, {0x01, 0x00}), Section(7, content),
                      Section(10, {0x01, 0x02, 0x00, 0x0b})});
}
Bytes Globals(uint64_t n) {  // (global i32 (i32.const 0))
  return ModuleBytes({Repeated(6, n, {0x7f, 0x00, 0x41, 0x00, 0x0b})});
}
Bytes DataSegments(uint64_t n) {  // passive, empty
  return ModuleBytes({Repeated(11, n, {0x01, 0x00})});
}
Bytes DataCount(uint64_t n) {  // the data count section alone claims n segments
  return ModuleBytes({Section(12, Uleb(n)), Repeated(11, n, {0x01, 0x00})});
}
Bytes ElemSegments(uint64_t n) {  // passive, funcref, no entries
  return ModuleBytes({Repeated(9, n, {0x01, 0x00, 0x00})});
}
Bytes ElemEntries(uint64_t n) {  // one passive segment of n references to function 0
  Bytes seg = Cat({{0x01, 0x01, 0x00}, Uleb(n), Bytes(n, 0x00)});
  return ModuleBytes({OneVoidType(), Section(3, {0x01, 0x00}), Section(9, seg),
                      Section(10, {0x01, 0x02, 0x00, 0x0b})});
}
Bytes Tables(uint64_t n) {  // (table 0 funcref)
  return ModuleBytes({Repeated(4, n, {0x70, 0x00, 0x00})});
}
Bytes Table(uint64_t min, const Bytes& rest = {}) {
  return ModuleBytes({Section(4, Cat({{0x01, 0x70, 0x00}, Uleb(min)})), rest});
}
Bytes BodySize(uint64_t size) {  // no locals, size - 2 nops, end
  Bytes body = Cat({Uleb(size), {0x00}, Bytes(size - 2, 0x01), {0x0b}});
  return ModuleBytes({OneVoidType(), Section(3, {0x01, 0x00}), Section(10, Cat({{0x01}, body}))});
}
// One function of type [i32 x params] -> [] declaring `locals` i32 locals in one entry.
Bytes Locals(uint64_t params, uint64_t locals) {
  Bytes type = Cat({{0x01, 0x60}, Uleb(params), Bytes(params, 0x7f), {0x00}});
  Bytes body_content = Cat({{0x01}, Uleb(locals), {0x7f, 0x0b}});
  Bytes code = Cat({{0x01}, Uleb(body_content.size()), body_content});
  return ModuleBytes({Section(1, type), Section(3, {0x01, 0x00}), Section(10, code)});
}

TEST_CASE("limits: each module limit accepts a module at it and refuses one past it",
          "[limits]") {
  using namespace wasm;
  SECTION("types") { CheckLimit(Types(kMaxTypes), Types(kMaxTypes + 1), "too many types"); }
  SECTION("params") { CheckLimit(Params(kMaxParams), Params(kMaxParams + 1), "too many parameters"); }
  SECTION("results") {
    CheckLimit(Results(kMaxResults), Results(kMaxResults + 1), "too many results");
  }
  SECTION("functions") {
    CheckLimit(Functions(kMaxFunctions), Functions(kMaxFunctions + 1), "too many functions");
  }
  SECTION("imports") {
    CheckLimit(Imports(kMaxImports), Imports(kMaxImports + 1), "too many imports");
  }
  SECTION("exports") {
    CheckLimit(Exports(kMaxExports), Exports(kMaxExports + 1), "too many exports");
  }
  SECTION("globals") {
    CheckLimit(Globals(kMaxGlobals), Globals(kMaxGlobals + 1), "too many globals");
  }
  SECTION("data segments") {
    CheckLimit(DataSegments(kMaxDataSegments), DataSegments(kMaxDataSegments + 1),
               "too many data segments");
    CheckLimit(DataCount(kMaxDataSegments), DataCount(kMaxDataSegments + 1),
               "too many data segments");
  }
  SECTION("element segments") {
    CheckLimit(ElemSegments(kMaxElemSegments), ElemSegments(kMaxElemSegments + 1),
               "too many element segments");
  }
  SECTION("tables") {
    CheckLimit(Tables(kMaxTables), Tables(kMaxTables + 1), "too many tables");
  }
  SECTION("table size: the initial size is bounded, the declared maximum is not") {
    CheckLimit(Table(kMaxTableEntries), Table(kMaxTableEntries + 1), "table too large");
    // Spec 3.2.4 / table.wast: (table 0 0xffff_ffff funcref) is valid.
    Bytes huge_max = ModuleBytes({Section(4, {0x01, 0x70, 0x01, 0x00, 0xff, 0xff, 0xff, 0xff, 0x0f})});
    CHECK(Check(huge_max).kind == Checked::kAccepted);
  }
  SECTION("function body size") {
    CheckLimit(BodySize(kMaxFunctionBodyBytes), BodySize(kMaxFunctionBodyBytes + 1),
               "function body too large");
  }
  SECTION("locals, parameters included") {
    CheckLimit(Locals(0, kMaxLocals), Locals(0, kMaxLocals + 1), "too many locals");
    CheckLimit(Locals(1, kMaxLocals - 1), Locals(1, kMaxLocals), "too many locals");
    // Spec 5.5.13: more than 2^32-1 locals is malformed, with the same text.
    Bytes body_content = {0x02, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x7f,
                          0x02, 0x7e, 0x0b};
    Bytes code = Cat({{0x01}, Uleb(body_content.size()), body_content});
    Checked c = Check(ModuleBytes({OneVoidType(), Section(3, {0x01, 0x00}), Section(10, code)}));
    CHECK(c.kind == Checked::kMalformed);
    CHECK(c.message.rfind("too many locals", 0) == 0);
  }
  SECTION("memory pages: the spec's bound") {
    Bytes at = ModuleBytes({Section(5, Cat({{0x01, 0x00}, Uleb(kMaxMemoryPages)}))});
    Bytes past = ModuleBytes({Section(5, Cat({{0x01, 0x00}, Uleb(kMaxMemoryPages + 1)}))});
    CHECK(Check(at).kind == Checked::kAccepted);
    Checked p = Check(past);
    CHECK(p.kind == Checked::kInvalid);
    CHECK(p.message.rfind("memory size must be at most 65536 pages", 0) == 0);
  }
}

TEST_CASE("limits: a module of 1 GiB is accepted, one byte more is refused", "[limits][slow]") {
  // One custom section fills the module up to the size wanted.
  auto sized = [](uint64_t total) {
    Bytes m = wasm::testing::Header();
    uint64_t payload = total - m.size() - 1 - 5 - 1;  // id, 5-byte size, empty name
    Bytes size = Uleb(payload + 1);
    while (size.size() < 5) {  // pad the LEB to 5 bytes
      size.back() |= 0x80;
      size.push_back(0x00);
    }
    m.reserve(total);
    m.push_back(0x00);
    m.insert(m.end(), size.begin(), size.end());
    m.push_back(0x00);
    m.resize(total, 0x00);
    return m;
  };
  CheckLimit(sized(wasm::kMaxModuleBytes), sized(wasm::kMaxModuleBytes + 1), "module too large");
}

TEST_CASE("limits: element segment entries at and past the limit", "[limits][slow]") {
  CheckLimit(ElemEntries(wasm::kMaxElemSegmentEntries),
             ElemEntries(wasm::kMaxElemSegmentEntries + 1),
             "too many table entries in an element segment");
}

TEST_CASE("limits: the 2^32-1-locals module is refused on every engine", "[limits]") {
  // corpus/regress/too_many_locals.wasm is this module (37 bytes).
  Bytes m = Locals(0, 0xffffffffu);
  Checked c = Check(m);
  CHECK(c.kind == Checked::kLimit);
  CHECK(c.message.rfind("too many locals: 4294967295 (limit 50000)", 0) == 0);
}

std::shared_ptr<const wasm::Module> Load(const Bytes& bytes) {
  auto m = std::make_shared<wasm::Module>(wasm::Decode(bytes));
  wasm::Validate(*m);
  return m;
}

// A module exporting table.size and table.grow of its table 0 as "size" and "grow" (i32) -> i32.
Bytes TableModule(const Bytes& tables_section) {
  Bytes types = Section(1, {0x02, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x01, 0x7f, 0x01, 0x7f});
  Bytes funcs = Section(3, {0x02, 0x00, 0x01});
  Bytes exports = Section(7, Cat({{0x02}, Name("size"), {0x00, 0x00}, Name("grow"), {0x00, 0x01}}));
  Bytes size_body = {0x00, 0xfc, 0x10, 0x00, 0x0b};                    // table.size 0
  Bytes grow_body = {0x00, 0xd0, 0x70, 0x20, 0x00, 0xfc, 0x0f, 0x00, 0x0b};  // ref.null, n, grow
  Bytes code = Section(10, Cat({{0x02}, Uleb(size_body.size()), size_body,
                                Uleb(grow_body.size()), grow_body}));
  return ModuleBytes({types, funcs, tables_section, exports, code});
}

TEST_CASE("limits: a table at the size limit instantiates on every engine", "[limits]") {
  auto m = Load(TableModule(Section(4, Cat({{0x01, 0x70, 0x00}, Uleb(wasm::kMaxTableEntries)}))));
  for (const std::string& name : HostEngineNames()) {
    INFO(name);
    auto e = MakeEngine(name, {});
    auto r = e->Instantiate(m);
    REQUIRE(r.status == InstantiateOutcome::Status::kOk);
    auto size = e->Invoke(r.instance, "size", {});
    REQUIRE(size.kind == wasm::Outcome::Kind::kValues);
    CHECK(size.values[0].bits == wasm::kMaxTableEntries);
    // Growing past the per-table limit fails with -1.
    auto grow = e->Invoke(r.instance, "grow", std::vector{wasm::Value::I32(1)});
    REQUIRE(grow.kind == wasm::Outcome::Kind::kValues);
    CHECK(static_cast<uint32_t>(grow.values[0].bits) == 0xffffffffu);
  }
}

TEST_CASE("limits: store budgets give the same resource error on every engine", "[limits]") {
  SECTION("live table entries: eleven tables of 10^7 entries") {
    Bytes tables = Repeated(4, 11, Cat({{0x70, 0x00}, Uleb(wasm::kMaxTableEntries)}));
    auto m = Load(ModuleBytes({tables}));
    std::string first;
    for (const std::string& name : HostEngineNames()) {
      INFO(name);
      auto r = MakeEngine(name, {})->Instantiate(m);
      REQUIRE(r.status == InstantiateOutcome::Status::kResourceExhausted);
      CHECK(r.message.rfind("resource exhausted: a table of 10000000 entries exceeds", 0) == 0);
      if (first.empty()) first = r.message;
      CHECK(r.message == first);
    }
  }
  SECTION("table reservations: tables without a maximum reserve 10^7 entries each") {
    // 128 GiB / (8 * 10^7 bytes rounded to 64 KiB) = 1,677 such tables fit; the module asks 2,000.
    auto m = Load(Tables(2000));
    for (const std::string& name : HostEngineNames()) {
      INFO(name);
      auto r = MakeEngine(name, {})->Instantiate(m);
      REQUIRE(r.status == InstantiateOutcome::Status::kResourceExhausted);
      CHECK(r.message.rfind("resource exhausted: the store's tables would reserve more than", 0) == 0);
    }
  }
  SECTION("memory reservations: memories without a maximum reserve 4 GiB each") {
    auto m = Load(ModuleBytes({Section(5, {0x01, 0x00, 0x00})}));
    // 192 such memories fit in 768 GiB, less what the spectest host memory reserves.
    const uint64_t fit = wasm::kStoreMaxMemoryReservation / (wasm::kMaxMemoryPages * wasm::kPageSize);
    std::vector<uint64_t> first_failure;
    for (const std::string& name : HostEngineNames()) {
      INFO(name);
      auto e = MakeEngine(name, {});
      uint64_t n = 0;
      InstantiateOutcome r;
      for (; n <= fit; ++n) {
        r = e->Instantiate(m);
        if (r.status != InstantiateOutcome::Status::kOk) break;
      }
      REQUIRE(r.status == InstantiateOutcome::Status::kResourceExhausted);
      CHECK(r.message.rfind("resource exhausted: the store's memories would reserve more than", 0) == 0);
      CHECK(n + 1 >= fit);
      first_failure.push_back(n);
    }
    for (uint64_t n : first_failure) CHECK(n == first_failure[0]);
  }
  SECTION("table.grow stops at the live-entry budget") {
    // Ten tables grown to 10^7 - 100 entries each nearly fill the budget (the spectest host
    // table counts too); the eleventh grow returns -1.
    auto m = Load(TableModule(Section(4, {0x01, 0x70, 0x00, 0x00})));
    for (const std::string& name : HostEngineNames()) {
      INFO(name);
      auto e = MakeEngine(name, {});
      std::vector<uint32_t> instances;
      for (int i = 0; i < 11; ++i) {
        auto r = e->Instantiate(m);
        REQUIRE(r.status == InstantiateOutcome::Status::kOk);
        instances.push_back(r.instance);
      }
      for (int i = 0; i < 11; ++i) {
        auto g = e->Invoke(instances[i], "grow",
                           std::vector{wasm::Value::I32(static_cast<uint32_t>(wasm::kMaxTableEntries - 100))});
        REQUIRE(g.kind == wasm::Outcome::Kind::kValues);
        CHECK(static_cast<uint32_t>(g.values[0].bits) == (i < 10 ? 0u : 0xffffffffu));
      }
    }
  }
}

TEST_CASE("limits: a memory at the page limit instantiates on every engine, committed lazily",
          "[limits]") {
  // 65536 pages = 4 GiB: reserved and committed without touching a page.
  auto m = Load(ModuleBytes({Section(5, Cat({{0x01, 0x00}, Uleb(wasm::kMaxMemoryPages)}))}));
  for (const std::string& name : HostEngineNames()) {
    INFO(name);
    auto r = MakeEngine(name, {})->Instantiate(m);
    CHECK(r.status == InstantiateOutcome::Status::kOk);
  }
}

}  // namespace
}  // namespace tandem::diff

namespace tandem::diff {
namespace {

TEST_CASE("limits: max_memory_pages bounds instantiation and memory.grow on every engine",
          "[limits]") {
  using wasm::testing::Bytes;
  // (memory 1) with "grow" (i32) -> i32 = memory.grow.
  Bytes types = Section(1, {0x01, 0x60, 0x01, 0x7f, 0x01, 0x7f});
  Bytes funcs = Section(3, {0x01, 0x00});
  Bytes exports = Section(7, Cat({{0x01}, Name("grow"), {0x00, 0x00}}));
  Bytes body = {0x00, 0x20, 0x00, 0x40, 0x00, 0x0b};  // local.get 0, memory.grow 0
  Bytes code = Section(10, Cat({{0x01}, Uleb(body.size()), body}));
  auto grow_module = Load(ModuleBytes({types, funcs, Section(5, {0x01, 0x00, 0x01}), exports, code}));
  auto big_module = Load(ModuleBytes({Section(5, Cat({{0x01, 0x00}, Uleb(17)}))}));
  EngineConfig config;
  config.max_memory_pages = 16;
  for (const std::string& name : HostEngineNames()) {
    INFO(name);
    auto e = MakeEngine(name, config);
    auto r = e->Instantiate(grow_module);
    REQUIRE(r.status == InstantiateOutcome::Status::kOk);
    auto g = e->Invoke(r.instance, "grow", std::vector{wasm::Value::I32(15)});
    CHECK(g.values.at(0).bits == 1);  // 1 -> 16 pages: at the limit
    g = e->Invoke(r.instance, "grow", std::vector{wasm::Value::I32(1)});
    CHECK(g.values.at(0).bits == 0xffffffffu);  // past it: -1
    auto big = e->Instantiate(big_module);
    CHECK(big.status == InstantiateOutcome::Status::kResourceExhausted);
    CHECK(big.message == "resource exhausted: a memory of 17 pages exceeds the limit of 16 pages");
  }
}

}  // namespace
}  // namespace tandem::diff
