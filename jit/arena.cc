// arena.cc: the arena runtime's data layer: reservation, commit on grow, layout descriptor,
// snapshot, restore, diff and the host-pointer scan (DESIGN.md "Invariants", Arena).
#include "jit/arena.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <sstream>

#include "reference/trap.h"

namespace tandem::jit {
namespace {

constexpr uint64_t kVmAlign = 16;

uint64_t RoundUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

std::string Hex(uint64_t v, unsigned digits) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "0x%0*" PRIx64, static_cast<int>(digits), v);
  return buf;
}

uint64_t LoadLe(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  std::memcpy(&v, p, std::min<size_t>(n, 8));
  return v;
}

std::string RefText(wasm::ValType type, uint64_t bits) {
  if (bits == wasm::kNullRef) return "null";
  return (type == wasm::ValType::FuncRef ? "func " : "extern ") + std::to_string(bits);
}

std::string FormatField(const Field& f, const uint8_t* p) {
  switch (f.format) {
    case FieldFormat::kHex:
      if (f.size <= 8) return Hex(LoadLe(p, f.size), f.size * 2);
      break;
    case FieldFormat::kTrapKind: {
      uint64_t v = LoadLe(p, f.size);
      if (v == 0) return "none";
      static const char* const kTrapNames[] = {
#define V(Name, msg) #Name,
          TANDEM_TRAP_KINDS(V)
#undef V
      };
      if (v <= std::size(kTrapNames)) return kTrapNames[v - 1];
      return Hex(v, f.size * 2);
    }
    case FieldFormat::kExitReason: {
      static const char* const kNames[] = {"none", "returned", "trapped", "call stack exhausted",
                                           "fuel exhausted"};
      uint64_t v = LoadLe(p, f.size);
      if (v < std::size(kNames)) return kNames[v];
      return Hex(v, f.size * 2);
    }
    case FieldFormat::kDropped: {
      uint64_t v = LoadLe(p, f.size);
      if (v <= 1) return v ? "dropped" : "live";
      return Hex(v, f.size * 2);
    }
    case FieldFormat::kValue: {
      uint64_t lo = LoadLe(p, 8), hi = f.size >= 16 ? LoadLe(p + 8, 8) : 0;
      std::string s;
      switch (f.type) {
        case wasm::ValType::I32:
        case wasm::ValType::F32:
          s = Hex(lo & 0xffffffffu, 8);
          break;
        case wasm::ValType::I64:
        case wasm::ValType::F64:
          s = Hex(lo, 16);
          break;
        case wasm::ValType::V128:
          return Hex(hi, 16) + Hex(lo, 16).substr(2);
        case wasm::ValType::FuncRef:
        case wasm::ValType::ExternRef:
          s = RefText(f.type, lo);
          break;
      }
      // Bits outside the type's width never change in a correct engine: show them if they do.
      bool narrow = f.type == wasm::ValType::I32 || f.type == wasm::ValType::F32;
      if (hi != 0 || (narrow && (lo >> 32) != 0))
        s += " (raw " + Hex(hi, 16) + Hex(lo, 16).substr(2) + ")";
      return s;
    }
  }
  std::string s = "0x";  // wide hex field: bytes in memory order
  for (uint32_t i = 0; i < f.size; ++i) s += Hex(p[i], 2).substr(2);
  return s;
}

std::string HexBytes(const uint8_t* p, uint64_t n) {
  constexpr uint64_t kMaxShown = 32;
  std::string s;
  for (uint64_t i = 0; i < std::min(n, kMaxShown); ++i) s += Hex(p[i], 2).substr(2);
  if (n > kMaxShown) s += "...";
  return s;
}

std::string RangeName(const std::string& name, uint64_t lo, uint64_t hi) {
  return name + " [" + Hex(lo, 0) + ", " + Hex(hi, 0) + ")";
}

void DiffFields(const Region& r, const uint8_t* a, const uint8_t* b, uint64_t size,
                std::vector<Difference>& out) {
  auto diff_element = [&](uint64_t base, const std::string& prefix) {
    for (const Field& f : r.fields) {
      if (base + f.offset + f.size > size) continue;
      const uint8_t* pa = a + base + f.offset;
      const uint8_t* pb = b + base + f.offset;
      if (std::memcmp(pa, pb, f.size) == 0) continue;
      out.push_back({f.name.empty() ? prefix : prefix + " " + f.name, FormatField(f, pa),
                     FormatField(f, pb)});
    }
  };
  if (r.element_size == 0) {
    diff_element(0, r.name);
    return;
  }
  for (uint64_t i = 0; (i + 1) * r.element_size <= size; ++i) {
    uint64_t base = i * r.element_size;
    if (std::memcmp(a + base, b + base, r.element_size) == 0) continue;
    diff_element(base, r.name + " " + std::to_string(i));
  }
}

void DiffMemory(const Region& r, std::span<const uint8_t> a, std::span<const uint8_t> b,
                std::vector<Difference>& out) {
  uint64_t n = std::min(a.size(), b.size());
  constexpr uint64_t kBlock = 4096;
  uint64_t run_start = 0;
  bool in_run = false;
  auto close = [&](uint64_t end) {
    out.push_back({RangeName(r.name, run_start, end),
                   HexBytes(a.data() + run_start, end - run_start),
                   HexBytes(b.data() + run_start, end - run_start)});
    in_run = false;
  };
  for (uint64_t blk = 0; blk < n; blk += kBlock) {
    uint64_t end = std::min(n, blk + kBlock);
    if (!in_run && std::memcmp(a.data() + blk, b.data() + blk, end - blk) == 0) continue;
    for (uint64_t i = blk; i < end; ++i) {
      bool differs = a[i] != b[i];
      if (differs && !in_run) {
        run_start = i;
        in_run = true;
      } else if (!differs && in_run) {
        close(i);
      }
    }
  }
  if (in_run) close(n);
  if (a.size() != b.size()) {
    uint64_t hi = std::max(a.size(), b.size());
    std::string present =
        a.size() > b.size() ? HexBytes(a.data() + n, hi - n) : HexBytes(b.data() + n, hi - n);
    std::string absent = "(beyond size)";
    out.push_back({RangeName(r.name, n, hi), a.size() > b.size() ? present : absent,
                   a.size() > b.size() ? absent : present});
  }
}

void DiffTable(const Region& r, std::span<const uint8_t> a, std::span<const uint8_t> b,
               std::vector<Difference>& out) {
  uint64_t na = a.size() / 8, nb = b.size() / 8;
  for (uint64_t i = 0; i < std::max(na, nb); ++i) {
    std::string va = i < na ? RefText(r.type, LoadLe(a.data() + 8 * i, 8)) : "(beyond size)";
    std::string vb = i < nb ? RefText(r.type, LoadLe(b.data() + 8 * i, 8)) : "(beyond size)";
    if (i < na && i < nb && std::memcmp(a.data() + 8 * i, b.data() + 8 * i, 8) == 0) continue;
    out.push_back({r.name + " [" + std::to_string(i) + "]", va, vb});
  }
}

Region StructRegion(std::string name, Region::Kind kind, uint64_t offset, uint64_t size) {
  Region r;
  r.name = std::move(name);
  r.kind = kind;
  r.offset = offset;
  r.size = size;
  return r;
}

#define TANDEM_FIELD(T, f) \
  Field { #f, static_cast < uint32_t>(offsetof(T, f)), static_cast < uint32_t>(sizeof(T::f)) }

}  // namespace

// ---------------------------------------------------------------------------------------------

std::unique_ptr<Arena> Arena::Create(const ArenaConfig& config, std::string* error) {
  auto fail = [&](const std::string& m) -> std::unique_ptr<Arena> {
    if (error) *error = m;
    return nullptr;
  };
  uint64_t funcs_bytes =
      RoundUp(uint64_t{config.max_functions} * sizeof(FuncDesc), kArenaSlotAlign);
  if (config.vm_region_bytes > 4 * kGiB || config.vm_region_bytes % kArenaSlotAlign != 0 ||
      config.vm_region_bytes < 2 * kArenaSlotAlign + funcs_bytes)
    return fail("arena: bad VM region size " + std::to_string(config.vm_region_bytes));
  if (config.reservation_bytes < config.vm_region_bytes ||
      config.reservation_bytes % kArenaSlotAlign != 0)
    return fail("arena: bad reservation size " + std::to_string(config.reservation_bytes));
  std::unique_ptr<Arena> a(new Arena(config));
  a->page_size_ = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  if (a->page_size_ > kArenaSlotAlign) return fail("arena: host page size above 64 KiB");
  void* p = mmap(nullptr, config.reservation_bytes, PROT_NONE,
                 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED)
    return fail("arena: cannot reserve " + std::to_string(config.reservation_bytes) +
                " bytes: " + std::strerror(errno));
  a->base_ = static_cast<uint8_t*>(p);
  a->header_slot_ = {0, kArenaSlotAlign, 0};
  a->funcs_slot_ = {kArenaSlotAlign, funcs_bytes, 0};
  a->bump_slot_ = {kArenaSlotAlign + funcs_bytes,
                   config.vm_region_bytes - kArenaSlotAlign - funcs_bytes, 0};
  a->high_next_ = config.vm_region_bytes;
  if (!a->Commit(a->header_slot_, sizeof(ArenaHeader)))
    return fail("arena: cannot commit the header");

  ArenaHeader& h = a->header();
  h.magic = kArenaMagic;
  h.version = kArenaVersion;
  h.max_call_depth = config.max_call_depth;
  h.fuel = config.fuel;
  h.fuel_enabled = config.fuel != 0;
  h.func_descs_offset = static_cast<uint32_t>(a->funcs_slot_.offset);
  h.func_capacity = config.max_functions;

  Region header = StructRegion("header", Region::Kind::kHeader, 0, sizeof(ArenaHeader));
  header.fields = {
      TANDEM_FIELD(ArenaHeader, magic),         TANDEM_FIELD(ArenaHeader, version),
      TANDEM_FIELD(ArenaHeader, trap_kind),     TANDEM_FIELD(ArenaHeader, exit_reason),
      TANDEM_FIELD(ArenaHeader, call_depth),    TANDEM_FIELD(ArenaHeader, max_call_depth),
      TANDEM_FIELD(ArenaHeader, fuel),          TANDEM_FIELD(ArenaHeader, fuel_enabled),
      TANDEM_FIELD(ArenaHeader, func_count),    TANDEM_FIELD(ArenaHeader, func_descs_offset),
      TANDEM_FIELD(ArenaHeader, func_capacity), TANDEM_FIELD(ArenaHeader, instance_count),
      TANDEM_FIELD(ArenaHeader, reserved0),     TANDEM_FIELD(ArenaHeader, reserved1)};
  header.fields[2].format = FieldFormat::kTrapKind;
  header.fields[3].format = FieldFormat::kExitReason;
  for (uint32_t i = 0; i < 8; ++i)
    header.fields.push_back({"scratch[" + std::to_string(i) + "]",
                             static_cast<uint32_t>(offsetof(ArenaHeader, scratch) + 8 * i), 8});
  a->AddRegionNoCopy(std::move(header));

  Region funcs = StructRegion("func", Region::Kind::kFuncDescs, a->funcs_slot_.offset, funcs_bytes);
  funcs.element_size = sizeof(FuncDesc);
  funcs.fields = {TANDEM_FIELD(FuncDesc, type_id), TANDEM_FIELD(FuncDesc, instance),
                  TANDEM_FIELD(FuncDesc, func_index), TANDEM_FIELD(FuncDesc, flags)};
  a->AddRegionNoCopy(std::move(funcs));
  return a;
}

Arena::~Arena() {
  if (base_) munmap(base_, config_.reservation_bytes);
}

bool Arena::Commit(Slot& slot, uint64_t bytes) {
  if (bytes > slot.reserved) return false;
  if (bytes <= slot.committed) return true;
  uint64_t want = std::min(RoundUp(bytes, page_size_), slot.reserved);
  if (mprotect(base_ + slot.offset + slot.committed, want - slot.committed,
               PROT_READ | PROT_WRITE) != 0)
    return false;
  slot.committed = want;
  return true;
}

std::optional<Arena::Slot> Arena::ReserveHigh(uint64_t bytes) {
  uint64_t size = std::max(RoundUp(bytes, kArenaSlotAlign), kArenaSlotAlign);
  if (size > config_.reservation_bytes - high_next_) return std::nullopt;
  Slot s{high_next_, size, 0};
  high_next_ += size;
  return s;
}

std::optional<uint32_t> Arena::AllocateVm(uint64_t size) {
  uint64_t start = RoundUp(bump_used_, kVmAlign);
  if (size > bump_slot_.reserved || start > bump_slot_.reserved - size) return std::nullopt;
  if (!Commit(bump_slot_, start + size)) return std::nullopt;
  bump_used_ = start + size;
  return static_cast<uint32_t>(bump_slot_.offset + start);
}

void Arena::AddRegionNoCopy(Region&& region) {
  regions_.push_back(std::move(region));
  frozen_.reset();
}

void Arena::AddRegion(Region region) { AddRegionNoCopy(std::move(region)); }

std::shared_ptr<const std::vector<Region>> Arena::layout() const {
  if (!frozen_) frozen_ = std::make_shared<const std::vector<Region>>(regions_);
  return frozen_;
}

std::optional<uint32_t> Arena::AddGlobals(uint32_t instance, std::span<const GlobalDef> globals) {
  return AddGlobals("instance " + std::to_string(instance), globals);
}

std::optional<uint32_t> Arena::AddGlobals(const std::string& owner,
                                          std::span<const GlobalDef> globals) {
  if (globals.empty()) return 0u;
  auto off = AllocateVm(globals.size() * sizeof(GlobalSlot));
  if (!off) return std::nullopt;
  Region r = StructRegion(owner, Region::Kind::kGlobals, *off, globals.size() * sizeof(GlobalSlot));
  for (size_t k = 0; k < globals.size(); ++k) {
    const GlobalDef& g = globals[k];
    *at<GlobalSlot>(*off + k * sizeof(GlobalSlot)) = {g.lo, g.hi};
    r.fields.push_back({"global " + std::to_string(g.index),
                        static_cast<uint32_t>(k * sizeof(GlobalSlot)), sizeof(GlobalSlot),
                        FieldFormat::kValue, g.type});
  }
  AddRegionNoCopy(std::move(r));
  return off;
}

std::optional<uint32_t> Arena::AddMemory(const wasm::MemoryType& type) {
  uint64_t max_pages = type.limits.max ? *type.limits.max : wasm::kMaxMemoryPages;
  if (type.limits.min > max_pages || max_pages > wasm::kMaxMemoryPages) return std::nullopt;
  uint64_t max_bytes = max_pages * wasm::kPageSize;
  uint64_t saved_high = high_next_, saved_bump = bump_used_;
  auto slot = ReserveHigh(max_bytes);
  if (!slot) return std::nullopt;
  auto desc = AllocateVm(sizeof(MemoryDesc));
  if (!desc || !Commit(*slot, type.limits.min * wasm::kPageSize)) {
    high_next_ = saved_high;  // nothing registered yet: hand the space back
    bump_used_ = saved_bump;
    return std::nullopt;
  }
  *at<MemoryDesc>(*desc) = {slot->offset, type.limits.min * wasm::kPageSize, max_bytes,
                            slot->reserved};
  uint32_t index = memory_count();
  memories_.push_back({*desc, *slot});
  std::string name = "memory " + std::to_string(index);
  Region d = StructRegion(name, Region::Kind::kMemoryDesc, *desc, sizeof(MemoryDesc));
  d.fields = {TANDEM_FIELD(MemoryDesc, data_offset), TANDEM_FIELD(MemoryDesc, size_bytes),
              TANDEM_FIELD(MemoryDesc, max_bytes), TANDEM_FIELD(MemoryDesc, reserved_bytes)};
  AddRegionNoCopy(std::move(d));
  Region data = StructRegion(name, Region::Kind::kMemoryData, slot->offset, slot->reserved);
  data.desc_offset = *desc;
  AddRegionNoCopy(std::move(data));
  return index;
}

std::optional<uint32_t> Arena::AddTable(const wasm::TableType& type, uint64_t init) {
  uint64_t min = type.limits.min;
  uint64_t max = type.limits.max ? *type.limits.max : 0xffffffffu;
  if (min > max || max > 0xffffffffu) return std::nullopt;
  uint64_t entries = wasm::TableGrowthLimit(type);
  uint64_t saved_high = high_next_, saved_bump = bump_used_;
  auto slot = ReserveHigh(entries * 8);
  if (!slot) return std::nullopt;
  auto desc = AllocateVm(sizeof(TableDesc));
  if (!desc || !Commit(*slot, min * 8)) {
    high_next_ = saved_high;
    bump_used_ = saved_bump;
    return std::nullopt;
  }
  *at<TableDesc>(*desc) = {slot->offset, static_cast<uint32_t>(min), static_cast<uint32_t>(max),
                           static_cast<uint32_t>(type.elem), static_cast<uint32_t>(entries)};
  std::fill_n(at<uint64_t>(slot->offset), min, init);
  uint32_t index = table_count();
  tables_.push_back({*desc, *slot});
  std::string name = "table " + std::to_string(index);
  Region d = StructRegion(name, Region::Kind::kTableDesc, *desc, sizeof(TableDesc));
  d.fields = {TANDEM_FIELD(TableDesc, elems_offset), TANDEM_FIELD(TableDesc, size),
              TANDEM_FIELD(TableDesc, max), TANDEM_FIELD(TableDesc, elem_type),
              TANDEM_FIELD(TableDesc, reserved_entries)};
  AddRegionNoCopy(std::move(d));
  Region elems = StructRegion(name, Region::Kind::kTableElems, slot->offset, slot->reserved);
  elems.desc_offset = *desc;
  elems.type = type.elem;
  AddRegionNoCopy(std::move(elems));
  return index;
}

std::optional<uint32_t> Arena::AddFunction(const FuncDesc& desc) {
  ArenaHeader& h = header();
  if (h.func_count >= h.func_capacity) return std::nullopt;
  if (!Commit(funcs_slot_, (uint64_t{h.func_count} + 1) * sizeof(FuncDesc))) return std::nullopt;
  func(h.func_count) = desc;
  return h.func_count++;
}

std::optional<uint32_t> Arena::AddInstance(const InstanceShape& shape) {
  uint32_t index = instance_count();
  std::string name = "instance " + std::to_string(index);
  uint64_t saved_bump = bump_used_;
  std::vector<Region> pending;
  auto array = [&](const char* what, size_t n, uint32_t elem, Region::Kind kind,
                   uint32_t* count_out) -> std::optional<uint32_t> {
    *count_out = static_cast<uint32_t>(n);
    if (n == 0) return 0u;
    auto off = AllocateVm(n * elem);
    if (!off) return std::nullopt;
    Region r = StructRegion(name + " " + what, kind, *off, n * elem);
    r.element_size = elem;
    r.fields = {{"", 0, elem,
                 kind == Region::Kind::kSegmentFlags ? FieldFormat::kDropped : FieldFormat::kHex}};
    pending.push_back(std::move(r));
    return off;
  };
  auto desc_off = AllocateVm(sizeof(InstanceDesc));
  if (!desc_off) return std::nullopt;
  InstanceDesc d{};
  d.index = index;
  auto fill_u32 = [&](std::optional<uint32_t> off, const std::vector<uint32_t>& v) {
    for (size_t i = 0; i < v.size(); ++i) *at<uint32_t>(*off + 4 * i) = v[i];
  };
  std::vector<uint32_t> tables, memories;
  for (uint32_t t : shape.tables) tables.push_back(table_desc_offset(t));
  for (uint32_t m : shape.memories) memories.push_back(memory_desc_offset(m));
  auto types = array("types", shape.type_ids.size(), 4, Region::Kind::kIndexArray, &d.num_types);
  auto funcs =
      array("functions", shape.functions.size(), 4, Region::Kind::kIndexArray, &d.num_functions);
  auto tabs = array("tables", tables.size(), 4, Region::Kind::kIndexArray, &d.num_tables);
  auto mems = array("memories", memories.size(), 4, Region::Kind::kIndexArray, &d.num_memories);
  auto globs =
      array("globals", shape.global_offsets.size(), 4, Region::Kind::kIndexArray, &d.num_globals);
  auto data = array("data segment", shape.num_data_segments, 1, Region::Kind::kSegmentFlags,
                    &d.num_data_segments);
  auto elem = array("elem segment", shape.num_elem_segments, 1, Region::Kind::kSegmentFlags,
                    &d.num_elem_segments);
  if (!types || !funcs || !tabs || !mems || !globs || !data || !elem) {
    bump_used_ = saved_bump;  // committed pages stay, and are still zero
    return std::nullopt;
  }
  fill_u32(types, shape.type_ids);
  fill_u32(funcs, shape.functions);
  fill_u32(tabs, tables);
  fill_u32(mems, memories);
  fill_u32(globs, shape.global_offsets);
  d.types_offset = *types;
  d.functions_offset = *funcs;
  d.tables_offset = *tabs;
  d.memories_offset = *mems;
  d.globals_offset = *globs;
  d.data_dropped_offset = *data;
  d.elem_dropped_offset = *elem;
  *at<InstanceDesc>(*desc_off) = d;

  Region r = StructRegion(name, Region::Kind::kInstance, *desc_off, sizeof(InstanceDesc));
  r.fields = {TANDEM_FIELD(InstanceDesc, index),
              TANDEM_FIELD(InstanceDesc, num_types),
              TANDEM_FIELD(InstanceDesc, types_offset),
              TANDEM_FIELD(InstanceDesc, num_functions),
              TANDEM_FIELD(InstanceDesc, functions_offset),
              TANDEM_FIELD(InstanceDesc, num_tables),
              TANDEM_FIELD(InstanceDesc, tables_offset),
              TANDEM_FIELD(InstanceDesc, num_memories),
              TANDEM_FIELD(InstanceDesc, memories_offset),
              TANDEM_FIELD(InstanceDesc, num_globals),
              TANDEM_FIELD(InstanceDesc, globals_offset),
              TANDEM_FIELD(InstanceDesc, num_data_segments),
              TANDEM_FIELD(InstanceDesc, data_dropped_offset),
              TANDEM_FIELD(InstanceDesc, num_elem_segments),
              TANDEM_FIELD(InstanceDesc, elem_dropped_offset),
              TANDEM_FIELD(InstanceDesc, reserved)};
  AddRegionNoCopy(std::move(r));
  for (Region& p : pending) AddRegionNoCopy(std::move(p));
  instances_.push_back(*desc_off);
  header().instance_count = index + 1;
  return index;
}

std::optional<uint64_t> Arena::GrowMemory(uint32_t memory, uint64_t delta_pages) {
  MemoryDesc& d = this->memory(memory);
  uint64_t old_pages = d.size_bytes / wasm::kPageSize;
  uint64_t max_pages = std::min(d.max_bytes / wasm::kPageSize, config_.max_memory_pages);
  if (old_pages > max_pages || delta_pages > max_pages - old_pages) return std::nullopt;
  uint64_t new_bytes = (old_pages + delta_pages) * wasm::kPageSize;
  if (!Commit(memories_[memory].slot, new_bytes)) return std::nullopt;
  d.size_bytes = new_bytes;
  return old_pages;
}

std::optional<uint32_t> Arena::GrowTable(uint32_t table, uint32_t delta, uint64_t init) {
  TableDesc& d = this->table(table);
  uint64_t old = d.size;
  uint64_t limit = std::min<uint64_t>(d.max, d.reserved_entries);
  if (delta > limit - old) return std::nullopt;
  if (!wasm::StoreBudget::TableGrowthFits(LiveTableEntries(), delta)) return std::nullopt;
  if (!Commit(tables_[table].slot, (old + delta) * 8)) return std::nullopt;
  std::fill_n(at<uint64_t>(d.elems_offset) + old, delta, init);
  d.size = static_cast<uint32_t>(old + delta);
  return static_cast<uint32_t>(old);
}

uint64_t Arena::LiveTableEntries() const {
  uint64_t n = 0;
  for (uint32_t t = 0; t < table_count(); ++t) n += table(t).size;
  return n;
}

uint64_t Arena::LiveSize(const Region& r) const {
  switch (r.kind) {
    case Region::Kind::kFuncDescs:
      return uint64_t{header().func_count} * sizeof(FuncDesc);
    case Region::Kind::kMemoryData:
      return at<MemoryDesc>(r.desc_offset)->size_bytes;
    case Region::Kind::kTableElems:
      return uint64_t{at<TableDesc>(r.desc_offset)->size} * 8;
    default:
      return r.size;
  }
}

std::string Arena::NameAt(uint64_t offset) const {
  for (const Region& r : regions_) {
    if (offset < r.offset || offset >= r.offset + r.size) continue;
    uint64_t rel = offset - r.offset;
    if (r.kind == Region::Kind::kMemoryData) return r.name + " [" + Hex(rel, 0) + "]";
    if (r.kind == Region::Kind::kTableElems) return r.name + " [" + std::to_string(rel / 8) + "]";
    std::string prefix = r.name;
    if (r.element_size != 0) {
      prefix += " " + std::to_string(rel / r.element_size);
      rel %= r.element_size;
    }
    for (const Field& f : r.fields)
      if (rel >= f.offset && rel < f.offset + f.size)
        return f.name.empty() ? prefix : prefix + " " + f.name;
    return prefix;
  }
  return "";
}

void Arena::TakeSnapshot(Snapshot* s) const {
  s->layout = layout();
  size_t n = regions_.size();
  s->sizes.resize(n);
  s->starts.resize(n);
  uint64_t total = 0;
  for (size_t i = 0; i < n; ++i) {
    s->sizes[i] = LiveSize(regions_[i]);
    s->starts[i] = total;
    total += s->sizes[i];
  }
  s->bytes.resize(total);
  for (size_t i = 0; i < n; ++i)
    std::memcpy(s->bytes.data() + s->starts[i], base_ + regions_[i].offset, s->sizes[i]);
}

Snapshot Arena::TakeSnapshot() const {
  Snapshot s;
  TakeSnapshot(&s);
  return s;
}

bool Arena::Restore(const Snapshot& s, std::string* error) {
  auto fail = [&](const std::string& m) {
    if (error) *error = m;
    return false;
  };
  if (!s.layout) return fail("restore: empty snapshot");
  const std::vector<Region>& sl = *s.layout;
  if (sl.size() != regions_.size())
    return fail("restore: the layout changed since the snapshot (" + std::to_string(sl.size()) +
                " regions, now " + std::to_string(regions_.size()) + ")");
  for (size_t i = 0; i < sl.size(); ++i)
    if (sl[i].offset != regions_[i].offset || sl[i].kind != regions_[i].kind ||
        sl[i].size != regions_[i].size)
      return fail("restore: region " + std::to_string(i) + " (" + regions_[i].name +
                  ") differs from the snapshot's");
  // Growable regions first: commit what the snapshot needs and zero what grew since, while the
  // descriptors still hold the current sizes.
  size_t mem = 0, tab = 0;
  for (size_t i = 0; i < sl.size(); ++i) {
    const Region& r = regions_[i];
    if (!r.growable()) continue;
    Slot* slot = r.kind == Region::Kind::kFuncDescs    ? &funcs_slot_
                 : r.kind == Region::Kind::kMemoryData ? &memories_[mem++].slot
                                                       : &tables_[tab++].slot;
    if (!Commit(*slot, s.sizes[i])) return fail("restore: cannot commit " + r.name);
    uint64_t cur = LiveSize(r);
    if (cur > s.sizes[i]) std::memset(base_ + r.offset + s.sizes[i], 0, cur - s.sizes[i]);
  }
  for (size_t i = 0; i < sl.size(); ++i)
    std::memcpy(base_ + regions_[i].offset, s.bytes.data() + s.starts[i], s.sizes[i]);
  return true;
}

void Arena::SaveTemplate() {
  template_ = std::make_unique<Template>();
  Template& t = *template_;
  TakeSnapshot(&t.snapshot);
  t.bump_used = bump_used_;
  t.high_next = high_next_;
  t.memories = memories_.size();
  t.tables = tables_.size();
  t.instances = instances_.size();
  for (const MemoryInfo& m : memories_) t.memory_committed.push_back(m.slot.committed);
  for (const TableInfo& x : tables_) t.table_committed.push_back(x.slot.committed);
  t.layout = layout();
}

bool Arena::Decommit(Slot& slot, uint64_t keep) {
  if (slot.committed <= keep) return true;
  uint8_t* from = base_ + slot.offset + keep;
  uint64_t size = slot.committed - keep;
  if (madvise(from, size, MADV_DONTNEED) != 0 || mprotect(from, size, PROT_NONE) != 0)
    return false;
  slot.committed = keep;
  return true;
}

bool Arena::ResetToTemplate(std::string* error) {
  if (!template_) {
    if (error) *error = "reset: no template saved";
    return false;
  }
  const Template& t = *template_;
  // VM region: what was allocated since is zeroed (FuncDescs beyond the template's count are
  // zeroed by Restore, which sees them as the funcs region's growth).
  if (bump_used_ > t.bump_used) {
    std::memset(base_ + bump_slot_.offset + t.bump_used, 0, bump_used_ - t.bump_used);
    bump_used_ = t.bump_used;
  }
  // High region: the slots reserved since are decommitted (zero pages when committed again).
  if (high_next_ > t.high_next) {
    uint8_t* from = base_ + t.high_next;
    uint64_t size = high_next_ - t.high_next;
    if (madvise(from, size, MADV_DONTNEED) != 0 || mprotect(from, size, PROT_NONE) != 0) {
      if (error) *error = std::string("reset: cannot decommit: ") + std::strerror(errno);
      return false;
    }
    high_next_ = t.high_next;
  }
  memories_.resize(t.memories);
  tables_.resize(t.tables);
  instances_.resize(t.instances);
  regions_.erase(regions_.begin() + static_cast<std::ptrdiff_t>(t.layout->size()), regions_.end());
  frozen_ = t.layout;
  if (!Restore(t.snapshot, error)) return false;
  // The template's own memories and tables may have grown: their new pages go too (Restore
  // zeroed them first, while they were still committed).
  bool ok = true;
  for (size_t i = 0; i < memories_.size(); ++i) ok &= Decommit(memories_[i].slot, t.memory_committed[i]);
  for (size_t i = 0; i < tables_.size(); ++i) ok &= Decommit(tables_[i].slot, t.table_committed[i]);
  if (!ok && error) *error = std::string("reset: cannot decommit: ") + std::strerror(errno);
  return ok;
}

std::vector<std::pair<uint64_t, uint64_t>> Arena::CommittedSpans() const {
  std::vector<std::pair<uint64_t, uint64_t>> out;
  for (const Slot* s : {&header_slot_, &funcs_slot_, &bump_slot_})
    if (s->committed) out.emplace_back(s->offset, s->committed);
  for (const MemoryInfo& m : memories_)
    if (m.slot.committed) out.emplace_back(m.slot.offset, m.slot.committed);
  for (const TableInfo& t : tables_)
    if (t.slot.committed) out.emplace_back(t.slot.offset, t.slot.committed);
  return out;
}

// ---------------------------------------------------------------------------------------------

std::vector<Difference> Diff(const Snapshot& a, const Snapshot& b) {
  std::vector<Difference> out;
  if (!a.layout || !b.layout) {
    out.push_back({"layout", a.layout ? "snapshot" : "empty", b.layout ? "snapshot" : "empty"});
    return out;
  }
  const std::vector<Region>& la = *a.layout;
  const std::vector<Region>& lb = *b.layout;
  if (la.size() != lb.size())
    out.push_back(
        {"layout", std::to_string(la.size()) + " regions", std::to_string(lb.size()) + " regions"});
  for (size_t i = 0; i < std::min(la.size(), lb.size()); ++i) {
    const Region& ra = la[i];
    const Region& rb = lb[i];
    if (ra.name != rb.name || ra.kind != rb.kind || ra.offset != rb.offset || ra.size != rb.size) {
      out.push_back({"layout region " + std::to_string(i),
                     ra.name + " at " + Hex(ra.offset, 0) + " size " + Hex(ra.size, 0),
                     rb.name + " at " + Hex(rb.offset, 0) + " size " + Hex(rb.size, 0)});
      continue;
    }
    std::span<const uint8_t> ba = a.region_bytes(i), bb = b.region_bytes(i);
    if (ba.size() == bb.size() && std::memcmp(ba.data(), bb.data(), ba.size()) == 0) continue;
    switch (ra.kind) {
      case Region::Kind::kMemoryData:
        DiffMemory(ra, ba, bb, out);
        break;
      case Region::Kind::kTableElems:
        DiffTable(ra, ba, bb, out);
        break;
      default:
        DiffFields(ra, ba.data(), bb.data(), std::min(ba.size(), bb.size()), out);
        if (ba.size() != bb.size())
          out.push_back({ra.name + " live size", Hex(ba.size(), 0), Hex(bb.size(), 0)});
        break;
    }
  }
  return out;
}

std::vector<Difference> Diff(const Arena& a, const Arena& b) {
  return Diff(a.TakeSnapshot(), b.TakeSnapshot());
}

std::optional<HostPointerHit> FindHostPointerLike(const Arena& arena,
                                                  std::span<const AddressRange> ranges) {
  std::vector<AddressRange> sorted(ranges.begin(), ranges.end());
  std::sort(sorted.begin(), sorted.end());
  if (sorted.empty()) return std::nullopt;
  uintptr_t lo = sorted.front().first, hi = 0;
  for (const AddressRange& r : sorted) hi = std::max(hi, r.second);
  auto inside = [&](uint64_t v) {
    if (v < lo || v >= hi) return false;
    auto it = std::upper_bound(sorted.begin(), sorted.end(), AddressRange{v, UINTPTR_MAX});
    for (auto j = sorted.begin(); j != it; ++j)  // ranges may nest; few of them
      if (v >= j->first && v < j->second) return true;
    return false;
  };
  for (auto [off, size] : arena.CommittedSpans()) {
    const uint8_t* p = arena.base() + off;
    for (uint64_t i = 0; i + 8 <= size; i += 8) {
      uint64_t v;
      std::memcpy(&v, p + i, 8);
      if (inside(v)) return HostPointerHit{off + i, v, arena.NameAt(off + i)};
    }
  }
  return std::nullopt;
}

bool ContainsHostPointerLike(const Arena& arena, std::span<const AddressRange> ranges) {
  return FindHostPointerLike(arena, ranges).has_value();
}

// AddressSanitizer's shadow memory: huge anonymous RW mappings ([0x7fff8000, 0x10007fff8000) on
// x86-64, mapped from a page below) that no program points into. Left in, they make small
// integers (arena offsets past 2 GiB, two adjacent u32 fields) look like host addresses.
#if defined(__SANITIZE_ADDRESS__)
#define TANDEM_ASAN_SHADOW 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TANDEM_ASAN_SHADOW 1
#endif
#endif
#ifdef TANDEM_ASAN_SHADOW
#if defined(__x86_64__)
constexpr AddressRange kAsanShadow{0x7fff0000, 0x7fff8000 + (uintptr_t{1} << 44)};
#elif defined(__aarch64__)
constexpr AddressRange kAsanShadow{(uintptr_t{1} << 36) - 0x10000,
                                   (uintptr_t{1} << 36) + (uintptr_t{1} << 45)};
#endif
#endif

std::vector<AddressRange> HostAddressRanges(const Arena* arena) {
  std::vector<AddressRange> out;
  std::ifstream maps("/proc/self/maps");
  std::string line;
  while (std::getline(maps, line)) {
    std::istringstream in(line);
    std::string range, perms, offset, dev, inode, path;
    in >> range >> perms >> offset >> dev >> inode;
    std::getline(in, path);
    path.erase(0, path.find_first_not_of(' '));
    size_t dash = range.find('-');
    if (dash == std::string::npos || perms.size() < 3) continue;
    uintptr_t first = std::stoull(range.substr(0, dash), nullptr, 16);
    uintptr_t last = std::stoull(range.substr(dash + 1), nullptr, 16);
    bool stack = path.rfind("[stack", 0) == 0;
    bool anonymous = path.empty() && perms[0] == 'r';  // mmap'd malloc blocks, thread stacks
#if defined(TANDEM_ASAN_SHADOW) && (defined(__x86_64__) || defined(__aarch64__))
    if (anonymous && first >= kAsanShadow.first && last <= kAsanShadow.second) continue;
#endif
    if (path == "[heap]" || stack || anonymous || perms[2] == 'x') out.emplace_back(first, last);
  }
  if (arena)
    out.emplace_back(
        reinterpret_cast<uintptr_t>(arena->base()),
        reinterpret_cast<uintptr_t>(arena->base()) + arena->config().reservation_bytes);
  return out;
}

}  // namespace tandem::jit
