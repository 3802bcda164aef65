// arena_test.cc: the arena's data layer: reservation and growth, the pointer-free structs,
// snapshot/restore, named diffs and the host-pointer scan (DESIGN.md "Invariants", Arena).
#include "jit/arena.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "reference/trap.h"

namespace tandem::jit {
namespace {

using wasm::Limits;
using wasm::MemoryType;
using wasm::TableType;
using wasm::ValType;

// --- The pointer-free check itself must reject what it is meant to reject.
struct WithPointer {
  uint32_t a;
  uint32_t b;
  const uint8_t* p;
};
struct WithPointerLast {
  uint64_t a;
  void* p;
};
struct WithPointerArray {
  uint64_t a;
  const char* p[2];
};
struct WithPadding {
  uint32_t a;
  uint64_t b;
};
struct WithDouble {
  uint64_t a;
  double d;
};
struct WithString {
  uint64_t a;
  std::string s;
};
struct IntegersAndArray {
  uint32_t a;
  uint32_t b;
  uint64_t c[3];
};
static_assert(!IsArenaPod<WithPointer>());
static_assert(!IsArenaPod<WithPointerLast>());
static_assert(!IsArenaPod<WithPointerArray>());
static_assert(!IsArenaPod<WithPadding>());
static_assert(!IsArenaPod<WithDouble>());
static_assert(!IsArenaPod<WithString>());
static_assert(IsArenaPod<IntegersAndArray>());

TEST_CASE("arena structs are pointer-free, padding-free and of fixed size", "[arena]") {
  CHECK(IsArenaPod<ArenaHeader>());
  CHECK(IsArenaPod<MemoryDesc>());
  CHECK(IsArenaPod<TableDesc>());
  CHECK(IsArenaPod<GlobalSlot>());
  CHECK(IsArenaPod<FuncDesc>());
  CHECK(IsArenaPod<InstanceDesc>());
  CHECK_FALSE(IsArenaPod<WithPointer>());
  CHECK_FALSE(IsArenaPod<WithPointerArray>());
  CHECK_FALSE(IsArenaPod<WithPadding>());
  CHECK(sizeof(ArenaHeader) == 128);
  CHECK(sizeof(InstanceDesc) == 64);
}

// "rw-p", "---p", ... for the mapping that holds `addr`.
std::string ProtectionAt(const void* addr) {
  std::ifstream maps("/proc/self/maps");
  std::string line;
  auto a = reinterpret_cast<uintptr_t>(addr);
  while (std::getline(maps, line)) {
    std::istringstream in(line);
    std::string range, perms;
    in >> range >> perms;
    size_t dash = range.find('-');
    uintptr_t lo = std::stoull(range.substr(0, dash), nullptr, 16);
    uintptr_t hi = std::stoull(range.substr(dash + 1), nullptr, 16);
    if (a >= lo && a < hi) return perms;
  }
  return "unmapped";
}

std::unique_ptr<Arena> MakeArena(const ArenaConfig& config = {}) {
  std::string error;
  auto a = Arena::Create(config, &error);
  INFO(error);
  REQUIRE(a);
  return a;
}

MemoryType Mem(uint64_t min, std::optional<uint64_t> max) { return MemoryType{Limits{min, max}}; }
TableType Tab(ValType t, uint64_t min, std::optional<uint64_t> max) {
  return TableType{t, Limits{min, max}};
}

TEST_CASE("arena: header, memories commit on grow and never move", "[arena]") {
  auto a = MakeArena();
  CHECK(a->header().magic == kArenaMagic);
  CHECK(std::memcmp(a->base(), "TNDA", 4) == 0);
  CHECK(a->header().max_call_depth == 10000);

  auto m = a->AddMemory(Mem(1, 3));
  REQUIRE(m == 0u);
  MemoryDesc& d = a->memory(0);
  CHECK(d.data_offset >= a->config().vm_region_bytes);
  CHECK(d.data_offset % kArenaSlotAlign == 0);
  CHECK(d.size_bytes == 65536);
  CHECK(d.max_bytes == 3 * 65536);
  CHECK(d.reserved_bytes == 3 * 65536);
  CHECK(a->memory_desc_offset(0) < a->config().vm_region_bytes);

  uint8_t* data = a->memory_data(0);
  CHECK(ProtectionAt(data) == "rw-p");
  CHECK(ProtectionAt(data + 65536) == "---p");  // reserved, not committed
  data[65535] = 0x5a;

  CHECK(a->GrowMemory(0, 1) == 1u);
  CHECK(a->memory_data(0) == data);  // never moves
  CHECK(d.size_bytes == 2 * 65536);
  CHECK(ProtectionAt(data + 65536) == "rw-p");
  CHECK(ProtectionAt(data + 2 * 65536) == "---p");
  CHECK(data[65535] == 0x5a);
  CHECK(data[65536] == 0);
  CHECK(data[2 * 65536 - 1] == 0);

  CHECK_FALSE(a->GrowMemory(0, 2).has_value());  // 4 pages > max 3
  CHECK(d.size_bytes == 2 * 65536);
  CHECK(a->GrowMemory(0, 0) == 2u);
  CHECK(a->GrowMemory(0, 1) == 2u);
  CHECK_FALSE(a->GrowMemory(0, 1).has_value());

  // No maximum: 4 GiB reserved, one page committed.
  auto m2 = a->AddMemory(Mem(1, std::nullopt));
  REQUIRE(m2 == 1u);
  CHECK(a->memory(1).max_bytes == 4 * kGiB);
  CHECK(a->memory(1).reserved_bytes == 4 * kGiB);
  CHECK(a->memory(1).data_offset >= a->memory(0).data_offset + 3 * 65536);
  CHECK(ProtectionAt(a->memory_data(1) + 65536) == "---p");
  CHECK_FALSE(a->GrowMemory(1, 65536).has_value());  // 65537 pages > 4 GiB
  CHECK(a->GrowMemory(1, 100) == 1u);
  CHECK(a->memory_data(1)[101 * 65536 - 1] == 0);
}

TEST_CASE("arena: tables grow within their reservation", "[arena]") {
  auto a = MakeArena();
  REQUIRE(a->AddTable(Tab(ValType::FuncRef, 2, 5)) == 0u);
  TableDesc& t = a->table(0);
  CHECK(t.size == 2);
  CHECK(t.max == 5);
  CHECK(t.elem_type == 0x70);
  CHECK(t.reserved_entries == 5);
  CHECK(a->table_elems(0)[0] == wasm::kNullRef);
  CHECK(a->table_elems(0)[1] == wasm::kNullRef);
  uint64_t* elems = a->table_elems(0);
  CHECK(a->GrowTable(0, 3, 7) == 2u);
  CHECK(a->table_elems(0) == elems);
  CHECK(t.size == 5);
  CHECK(elems[2] == 7);
  CHECK(elems[4] == 7);
  CHECK_FALSE(a->GrowTable(0, 1, 7).has_value());
  CHECK(t.size == 5);

  REQUIRE(a->AddTable(Tab(ValType::ExternRef, 0, std::nullopt)) == 1u);
  CHECK(a->table(1).max == 0xffffffffu);
  CHECK(a->table(1).reserved_entries == wasm::kMaxTableEntries);
  CHECK(a->GrowTable(1, 10, wasm::kNullRef) == 0u);
  CHECK_FALSE(a->GrowTable(1, wasm::kMaxTableEntries, wasm::kNullRef).has_value());
}

TEST_CASE("arena: reservation limits fail cleanly", "[arena]") {
  SECTION("bad configurations") {
    std::string error;
    ArenaConfig c;
    c.vm_region_bytes = 8 * kGiB;
    CHECK(Arena::Create(c, &error) == nullptr);
    CHECK(error.find("VM region") != std::string::npos);
    c = ArenaConfig{};
    c.reservation_bytes = 1 * kGiB + 12345;
    CHECK(Arena::Create(c, &error) == nullptr);
  }
  ArenaConfig c;
  c.max_functions = 1024;                   // 16 KiB of FuncDescs: one 64 KiB sub-area
  c.vm_region_bytes = 4 * kArenaSlotAlign;  // header, funcs, 128 KiB of bump area
  c.reservation_bytes = c.vm_region_bytes + 2 * 1024 * 1024;  // 2 MiB high region
  auto a = MakeArena(c);
  SECTION("high region") {
    CHECK(a->AddMemory(Mem(1, 16)) == 0u);  // 1 MiB
    CHECK(a->AddMemory(Mem(0, 16)) == 1u);  // 1 MiB
    size_t regions = a->regions().size();
    CHECK_FALSE(a->AddMemory(Mem(0, 1)).has_value());
    CHECK_FALSE(a->AddMemory(Mem(0, std::nullopt)).has_value());
    CHECK_FALSE(a->AddTable(Tab(ValType::FuncRef, 0, 1)).has_value());
    CHECK(a->regions().size() == regions);
    CHECK(a->memory_count() == 2);
    CHECK(a->table_count() == 0);
    CHECK(a->GrowMemory(0, 15) == 1u);
    CHECK_FALSE(a->GrowMemory(1, 17).has_value());
  }
  SECTION("VM region") {
    CHECK(a->AllocateVm(100 * 1024).has_value());
    CHECK_FALSE(a->AllocateVm(64 * 1024).has_value());
    CHECK(a->AllocateVm(1024).has_value());
    std::vector<GlobalDef> many(2048, GlobalDef{0, ValType::I32});  // 32 KiB
    CHECK_FALSE(a->AddGlobals(0, many).has_value());
  }
  SECTION("function descriptors") {
    for (uint32_t i = 0; i < 1024; ++i) REQUIRE(a->AddFunction({1, 0, i, 0}) == i);
    CHECK_FALSE(a->AddFunction({1, 0, 1024, 0}).has_value());
    CHECK(a->header().func_count == 1024);
    CHECK(a->func(1023).func_index == 1023);
  }
}

// A small store: host globals, one instance with globals, two memories, two tables, functions.
struct Store {
  std::unique_ptr<Arena> arena;
  uint32_t globals = 0;  // VM offset of instance 0's first own global slot
};

Store BuildStore(uint32_t num_extra_globals = 0) {
  Store s;
  s.arena = MakeArena();
  Arena& a = *s.arena;
  REQUIRE(a.AddMemory(Mem(1, 2)) == 0u);
  REQUIRE(a.AddMemory(Mem(1, std::nullopt)) == 1u);
  REQUIRE(a.AddTable(Tab(ValType::FuncRef, 4, 8)) == 0u);
  REQUIRE(a.AddTable(Tab(ValType::FuncRef, 6, std::nullopt)) == 1u);
  std::vector<GlobalDef> host = {{0, ValType::I64, 666}};
  auto host_off = a.AddGlobals("host", host);
  REQUIRE(host_off);
  // Globals 0 and 1 are imported (the host's); 2.. are instance 0's own.
  std::vector<GlobalDef> own = {{2, ValType::I32, 1},
                                {3, ValType::F64, 0x4000000000000000},
                                {4, ValType::FuncRef, wasm::kNullRef},
                                {5, ValType::V128, 1, 2}};
  for (uint32_t i = 0; i < num_extra_globals; ++i) own.push_back({6 + i, ValType::I32, i});
  uint32_t instance = a.instance_count();
  auto off = a.AddGlobals(instance, own);
  REQUIRE(off);
  s.globals = *off;
  InstanceShape shape;
  for (uint32_t f = 0; f < 3; ++f) shape.functions.push_back(*a.AddFunction({f + 1, 0, f, 0}));
  shape.type_ids = {1, 2, 3};
  shape.tables = {0, 1};
  shape.memories = {0, 1};
  shape.global_offsets = {*host_off, *host_off};
  for (size_t g = 0; g < own.size(); ++g)
    shape.global_offsets.push_back(*off + static_cast<uint32_t>(g * sizeof(GlobalSlot)));
  shape.num_data_segments = 2;
  shape.num_elem_segments = 1;
  REQUIRE(a.AddInstance(shape) == instance);
  a.table_elems(0)[1] = 2;  // func 2
  a.memory_data(0)[10] = 0x42;
  return s;
}

GlobalSlot& OwnGlobal(Store& s, uint32_t k) {
  return *s.arena->at<GlobalSlot>(s.globals + k * sizeof(GlobalSlot));
}

std::vector<std::string> DiffTexts(const Arena& a, const Arena& b) {
  std::vector<std::string> out;
  for (const Difference& d : Diff(a, b)) out.push_back(d.ToString());
  return out;
}

TEST_CASE("arena: the layout descriptor names every region", "[arena]") {
  Store s = BuildStore();
  const Arena& a = *s.arena;
  std::vector<std::string> names;
  for (const Region& r : a.regions()) names.push_back(r.name);
  for (const char* want : {"header", "func", "memory 0", "memory 1", "table 0", "table 1", "host",
                           "instance 0", "instance 0 functions", "instance 0 globals",
                           "instance 0 data segment", "instance 0 elem segment"})
    CHECK(std::find(names.begin(), names.end(), want) != names.end());
  const InstanceDesc& d = *a.at<InstanceDesc>(a.instance_desc_offset(0));
  CHECK(d.num_globals == 6);
  CHECK(d.num_memories == 2);
  CHECK(a.at<uint32_t>(d.memories_offset)[1] == a.memory_desc_offset(1));
  CHECK(a.at<uint32_t>(d.globals_offset)[2] == s.globals);
  CHECK(a.NameAt(s.globals + 16) == "instance 0 global 3");
  CHECK(a.NameAt(offsetof(ArenaHeader, fuel)) == "header fuel");
  CHECK(a.NameAt(a.memory(1).data_offset + 0x20) == "memory 1 [0x20]");
  CHECK(a.NameAt(a.header().func_descs_offset + 16 + 4) == "func 1 instance");
  CHECK(a.NameAt(d.data_dropped_offset + 1) == "instance 0 data segment 1");
}

TEST_CASE("arena: identically built stores are byte-identical; diffs name the field", "[arena]") {
  Store s1 = BuildStore(), s2 = BuildStore();
  Arena& a = *s1.arena;
  Arena& b = *s2.arena;
  REQUIRE(a.base() != b.base());
  CHECK(Diff(a, b).empty());

  OwnGlobal(s2, 0).lo = 2;  // instance 0 global 2 (i32)
  CHECK(DiffTexts(a, b) ==
        std::vector<std::string>{"instance 0 global 2: 0x00000001 vs 0x00000002"});
  OwnGlobal(s2, 0).lo = 1;

  const uint8_t x[] = {1, 2, 3, 4}, y[] = {5, 6, 7, 8};
  std::memcpy(a.memory_data(0) + 0x1000, x, 4);
  std::memcpy(b.memory_data(0) + 0x1000, y, 4);
  b.memory_data(0)[0x2003] = 0xff;
  b.memory_data(0)[0x2005] = 0xfe;
  CHECK(DiffTexts(a, b) ==
        std::vector<std::string>{"memory 0 [0x1000, 0x1004): 01020304 vs 05060708",
                                 "memory 0 [0x2003, 0x2004): 00 vs ff",
                                 "memory 0 [0x2005, 0x2006): 00 vs fe"});
  std::memcpy(b.memory_data(0) + 0x1000, x, 4);
  b.memory_data(0)[0x2003] = b.memory_data(0)[0x2005] = 0;
  CHECK(Diff(a, b).empty());

  a.table_elems(1)[3] = 7;
  CHECK(DiffTexts(a, b) == std::vector<std::string>{"table 1 [3]: func 7 vs null"});
  a.table_elems(1)[3] = wasm::kNullRef;

  b.header().trap_kind = static_cast<uint32_t>(wasm::TrapKind::IntegerDivideByZero) + 1;
  b.header().exit_reason = static_cast<uint32_t>(ExitReason::kTrapped);
  CHECK(DiffTexts(a, b) == std::vector<std::string>{"header trap_kind: none vs IntegerDivideByZero",
                                                    "header exit_reason: none vs trapped"});
  b.header().trap_kind = b.header().exit_reason = 0;

  const InstanceDesc& d = *b.at<InstanceDesc>(b.instance_desc_offset(0));
  b.at<uint8_t>(d.data_dropped_offset)[1] = 1;
  b.func(1).type_id = 9;
  OwnGlobal(s2, 1).lo = 0x3ff0000000000000;  // global 3, f64
  OwnGlobal(s2, 2).lo = 0;                   // global 4, funcref
  OwnGlobal(s2, 3).hi = 3;                   // global 5, v128
  CHECK(DiffTexts(a, b) ==
        std::vector<std::string>{"func 1 type_id: 0x00000002 vs 0x00000009",
                                 "instance 0 global 3: 0x4000000000000000 vs 0x3ff0000000000000",
                                 "instance 0 global 4: null vs func 0",
                                 "instance 0 global 5: 0x00000000000000020000000000000001 vs "
                                 "0x00000000000000030000000000000001",
                                 "instance 0 data segment 1: live vs dropped"});
}

TEST_CASE("arena: diff reports size changes of memories and tables", "[arena]") {
  Store s1 = BuildStore(), s2 = BuildStore();
  Arena& a = *s1.arena;
  Arena& b = *s2.arena;
  REQUIRE(b.GrowMemory(0, 1) == 1u);
  b.memory_data(0)[0x10000] = 0xaa;
  REQUIRE(b.GrowTable(0, 1, 1) == 4u);
  CHECK(DiffTexts(a, b) ==
        std::vector<std::string>{
            "memory 0 size_bytes: 0x0000000000010000 vs 0x0000000000020000",
            "memory 0 [0x10000, 0x20000): (beyond size) vs aa" + std::string(62, '0') + "...",
            "table 0 size: 0x00000004 vs 0x00000005", "table 0 [4]: (beyond size) vs func 1"});
}

TEST_CASE("arena: snapshot, modify, restore gives identical bytes", "[arena]") {
  Store s = BuildStore();
  Arena& a = *s.arena;
  Snapshot before = a.TakeSnapshot();

  a.memory_data(0)[0] = 0x11;
  a.memory_data(1)[0xffff] = 0x22;
  OwnGlobal(s, 0).lo = 99;
  a.table_elems(0)[0] = 1;
  a.header().trap_kind = 3;
  a.header().fuel = 5;
  const InstanceDesc& d = *a.at<InstanceDesc>(a.instance_desc_offset(0));
  a.at<uint8_t>(d.elem_dropped_offset)[0] = 1;
  Snapshot modified = a.TakeSnapshot();
  CHECK(Diff(before, modified).size() == 7);

  std::string error;
  REQUIRE(a.Restore(before, &error));
  Snapshot after = a.TakeSnapshot();
  CHECK(after.sizes == before.sizes);
  CHECK(after.bytes == before.bytes);
  CHECK(Diff(before, after).empty());

  // Restoring the modified snapshot brings the modification back.
  REQUIRE(a.Restore(modified));
  CHECK(OwnGlobal(s, 0).lo == 99);
  CHECK(a.memory_data(1)[0xffff] == 0x22);
}

TEST_CASE("arena: restore after grow reverts sizes and zeroes what grew", "[arena]") {
  Store s = BuildStore();
  Arena& a = *s.arena;
  uint8_t* data = a.memory_data(0);
  uint64_t* elems = a.table_elems(1);
  Snapshot snap = a.TakeSnapshot();

  REQUIRE(a.GrowMemory(0, 1) == 1u);
  data[0x1ffff] = 0xab;
  data[0x100] = 0xcd;
  REQUIRE(a.GrowTable(1, 2, 5) == 6u);
  uint32_t funcs_before = a.header().func_count;
  REQUIRE(a.AddFunction({1, 0, 9, 0}));  // not a region: reverts with the header

  REQUIRE(a.Restore(snap));
  CHECK(a.memory(0).size_bytes == 65536);
  CHECK(a.memory_data(0) == data);
  CHECK(data[0x100] == 0);
  CHECK(ProtectionAt(data + 0x1ffff) == "rw-p");  // keeps its commitment
  CHECK(data[0x1ffff] == 0);
  CHECK(a.table(1).size == 6);
  CHECK(elems[6] == 0);
  CHECK(elems[7] == 0);
  CHECK(a.header().func_count == funcs_before);
  CHECK(a.func(funcs_before).func_index == 0);

  REQUIRE(a.GrowMemory(0, 1) == 1u);
  CHECK(data[0x1ffff] == 0);
  CHECK(a.TakeSnapshot().sizes != snap.sizes);
}

TEST_CASE("arena: restore refuses a snapshot of another layout", "[arena]") {
  Store s = BuildStore();
  Arena& a = *s.arena;
  Snapshot snap = a.TakeSnapshot();
  REQUIRE(a.AddMemory(Mem(0, 1)));
  std::string error;
  CHECK_FALSE(a.Restore(snap, &error));
  CHECK(error.find("layout changed") != std::string::npos);
  Store other = BuildStore(1);
  CHECK_FALSE(other.arena->Restore(Store{BuildStore()}.arena->TakeSnapshot(), &error));
}

TEST_CASE("arena: no host pointers in a populated arena; a planted one is found", "[arena]") {
  Store s = BuildStore(20);
  Arena& a = *s.arena;
  for (uint32_t i = 0; i < 65536; i += 8) a.memory_data(0)[i] = static_cast<uint8_t>(i >> 3);
  REQUIRE(a.GrowMemory(1, 3));
  std::vector<AddressRange> ranges = HostAddressRanges(&a);
  REQUIRE(ranges.size() >= 3);

  auto clean = FindHostPointerLike(a, ranges);
  INFO((clean ? clean->where + " " + std::to_string(clean->value) : std::string("clean")));
  CHECK_FALSE(clean.has_value());

  Snapshot snap = a.TakeSnapshot();
  auto heap = std::make_unique<int>(5);
  uint64_t heap_addr = reinterpret_cast<uintptr_t>(heap.get());
  std::memcpy(a.memory_data(1) + 0x30000, &heap_addr, 8);
  auto hit = FindHostPointerLike(a, ranges);
  REQUIRE(hit);
  CHECK(hit->where == "memory 1 [0x30000]");
  CHECK(hit->value == heap_addr);
  REQUIRE(a.Restore(snap));
  CHECK_FALSE(ContainsHostPointerLike(a, ranges));

  int local = 0;
  OwnGlobal(s, 1).lo = reinterpret_cast<uintptr_t>(&local);
  hit = FindHostPointerLike(a, ranges);
  REQUIRE(hit);
  CHECK(hit->where == "instance 0 global 3");
  REQUIRE(a.Restore(snap));

  a.table_elems(0)[2] = reinterpret_cast<uintptr_t>(&BuildStore);  // code
  hit = FindHostPointerLike(a, ranges);
  REQUIRE(hit);
  CHECK(hit->where == "table 0 [2]");
  REQUIRE(a.Restore(snap));

  a.header().scratch[3] = reinterpret_cast<uintptr_t>(a.memory_data(0));  // the arena itself
  hit = FindHostPointerLike(a, ranges);
  REQUIRE(hit);
  CHECK(hit->where == "header scratch[3]");
}

TEST_CASE("arena: snapshot + restore cost, 1-page memory and 100 globals", "[arena]") {
  ArenaConfig c;
  auto a = MakeArena(c);
  REQUIRE(a->AddMemory(Mem(1, 1)));
  std::vector<GlobalDef> globals;
  for (uint32_t i = 0; i < 100; ++i) globals.push_back({i, ValType::I64, i});
  auto off = a->AddGlobals(0, globals);
  REQUIRE(off);
  InstanceShape shape;
  shape.memories = {0};
  for (uint32_t i = 0; i < 100; ++i) shape.global_offsets.push_back(*off + 16 * i);
  REQUIRE(a->AddInstance(shape));
  Snapshot base = a->TakeSnapshot(), snap;
  constexpr int kIters = 2000;
  auto start = std::chrono::steady_clock::now();
  bool ok = true;
  for (int i = 0; i < kIters; ++i) {
    a->memory_data(0)[i % 65536] ^= 1;
    a->at<GlobalSlot>(*off)[i % 100].lo += 1;
    a->TakeSnapshot(&snap);
    ok &= a->Restore(base);
  }
  double us =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count() /
      kIters;
  std::printf("arena: snapshot + restore (1-page memory, 100 globals): %.2f us\n", us);
  CHECK(ok);
  CHECK(a->TakeSnapshot().bytes == base.bytes);
  CHECK(snap.bytes.size() == base.bytes.size());
}

}  // namespace
}  // namespace tandem::jit
