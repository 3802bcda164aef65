// arena.h: the arena runtime's data layer: one reservation per store, the structures placed in
// it, the layout descriptor, snapshot, restore and diff (DESIGN.md "Invariants", Arena).
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "reference/limits.h"
#include "reference/types.h"
#include "reference/value.h"

namespace tandem::jit {

// The arena's integers are stored in host byte order; every supported host (x86-64, AArch64)
// is little-endian, which is what makes x64 and a64 arenas byte-identical.
static_assert(std::endian::native == std::endian::little, "arena layout is little-endian");

constexpr uint64_t kGiB = uint64_t{1} << 30;
constexpr uint64_t kTiB = uint64_t{1} << 40;
// Slots in the high region and the VM region's sub-areas start on this boundary, independent of
// the host page size (4 KiB on x86-64, up to 64 KiB on AArch64), so the layout is the same on all.
constexpr uint64_t kArenaSlotAlign = 65536;
constexpr uint32_t kArenaMagic = 0x41444e54;       // bytes "TNDA"
constexpr uint32_t kArenaVersion = 1;

// ---------------------------------------------------------------------------------------------
// Structures placed in the arena. Each is trivially copyable, has no padding and holds only
// integers (no pointers, no enums, no nested structs; arrays of integers are fine); all offsets
// are arena offsets. Every one is checked by static_assert(IsArenaPod<T>).

namespace arena_internal {
struct AnyLeaf {
  template <class U>
  operator U() const;
};
struct IntegerLeaf {
  template <class U>
  requires std::is_integral_v<U>
  operator U() const;
};
template <class T, class Leaf, size_t... I>
constexpr bool BraceInitializable(std::index_sequence<I...>) {
  return requires { T{((void)I, Leaf{})...}; };
}
// Number of scalar initializers T takes (array elements count one each by brace elision).
template <class T, size_t N = 0>
constexpr size_t LeafCount() {
  if constexpr (N < 256 && BraceInitializable<T, AnyLeaf>(std::make_index_sequence<N + 1>{})) {
    return LeafCount<T, N + 1>();
  } else {
    return N;
  }
}
}  // namespace arena_internal

// True when T may live in the arena: trivially copyable, no padding bytes (so equal values have
// equal bytes), an aggregate whose every scalar member is an integer (no pointers).
template <class T>
constexpr bool IsArenaPod() {
  if constexpr (!std::is_trivially_copyable_v<T> || !std::is_standard_layout_v<T> ||
                !std::is_aggregate_v<T> || !std::has_unique_object_representations_v<T>) {
    return false;
  } else {
    constexpr size_t n = arena_internal::LeafCount<T>();
    return n > 0 && arena_internal::BraceInitializable<T, arena_internal::IntegerLeaf>(
                        std::make_index_sequence<n>{});
  }
}

// Why generated code left: the entry trampoline's caller reads this after every call.
enum class ExitReason : uint32_t {
  kNone = 0,  // running, or never ran
  kReturned = 1,
  kTrapped = 2,             // trap_kind says which
  kCallStackExhausted = 3,  // call_depth reached max_call_depth
  kFuelExhausted = 4,
};

// At arena offset 0.
struct ArenaHeader {
  uint32_t magic;
  uint32_t version;
  uint32_t trap_kind;    // 0 = none, else wasm::TrapKind + 1
  uint32_t exit_reason;  // ExitReason
  uint32_t call_depth;
  uint32_t max_call_depth;
  uint64_t fuel;               // remaining units; counted down at function entry and loop headers
  uint32_t fuel_enabled;       // 0 = unlimited
  uint32_t func_count;         // live entries of the FuncDesc array
  uint32_t func_descs_offset;  // VM offset of FuncDesc[func_capacity]
  uint32_t func_capacity;
  uint32_t instance_count;
  uint32_t reserved0;
  uint64_t scratch[8];  // arguments and results of runtime calls
  uint64_t reserved1;
};

struct MemoryDesc {         // one per linear memory, in the VM region
  uint64_t data_offset;     // arena offset of byte 0 (high region)
  uint64_t size_bytes;      // current size; every access checks index + offset + size <= this
  uint64_t max_bytes;       // declared maximum, or 4 GiB
  uint64_t reserved_bytes;  // the slot's reservation (== max_bytes)
};

struct TableDesc {            // one per table, in the VM region
  uint64_t elems_offset;      // arena offset of u64 elems[reserved_entries] (high region)
  uint32_t size;              // current number of entries
  uint32_t max;               // declared maximum, or 0xffffffff
  uint32_t elem_type;         // wasm::ValType byte (0x70 funcref, 0x6f externref)
  uint32_t reserved_entries;  // growth limit: max(min, min(max, kMaxTableEntries))
};
// A table entry holds wasm::Value bits: wasm::kNullRef is null, a funcref is the store-wide
// function index (position in the FuncDesc array), an externref is its host payload.

struct GlobalSlot {  // 16 bytes, value bits as in wasm::Value (lo = bits, hi = v128 high half)
  uint64_t lo;
  uint64_t hi;
};

constexpr uint32_t kFuncHost = 1;  // FuncDesc::flags: a host function (spectest, imports)

struct FuncDesc {       // one per store function; the store-wide function index is its position
  uint32_t type_id;     // store-canonical function type id (call_indirect compares this)
  uint32_t instance;    // owning instance
  uint32_t func_index;  // index in the owning module's function index space
  uint32_t flags;       // kFuncHost ...
};

struct InstanceDesc {  // one per instance, in the VM region; each array lives in the VM region
  uint32_t index;      // store-wide instance index
  uint32_t num_types;
  uint32_t types_offset;  // u32[num_types]: canonical type ids of the module's types
  uint32_t num_functions;
  uint32_t functions_offset;  // u32[]: store-wide function indices
  uint32_t num_tables;
  uint32_t tables_offset;  // u32[]: VM offsets of TableDesc
  uint32_t num_memories;
  uint32_t memories_offset;  // u32[]: VM offsets of MemoryDesc
  uint32_t num_globals;
  uint32_t globals_offset;  // u32[]: VM offsets of GlobalSlot (own or imported)
  uint32_t num_data_segments;
  uint32_t data_dropped_offset;  // u8[]: 1 = dropped
  uint32_t num_elem_segments;
  uint32_t elem_dropped_offset;  // u8[]: 1 = dropped
  uint32_t reserved;
};

static_assert(IsArenaPod<ArenaHeader>() && sizeof(ArenaHeader) == 128);
static_assert(IsArenaPod<MemoryDesc>() && sizeof(MemoryDesc) == 32);
static_assert(IsArenaPod<TableDesc>() && sizeof(TableDesc) == 24);
static_assert(IsArenaPod<GlobalSlot>() && sizeof(GlobalSlot) == 16);
static_assert(IsArenaPod<FuncDesc>() && sizeof(FuncDesc) == 16);
static_assert(IsArenaPod<InstanceDesc>() && sizeof(InstanceDesc) == 64);

// ---------------------------------------------------------------------------------------------
// Layout descriptor.

// How a field's bytes are printed in a diff.
enum class FieldFormat : uint8_t {
  kHex,         // 0x%0*x, two digits per byte
  kTrapKind,    // "none" or the TrapKind name
  kExitReason,  // ExitReason name
  kValue,       // by `type`: i32/f32 8 hex digits, i64/f64 16, v128 32, refs "func 7"/"null"
  kDropped,     // "live" or "dropped"
};

struct Field {
  std::string name;  // appended to the region name ("trap_kind"); may be empty
  uint32_t offset;   // from the start of the region, or of one element when element_size != 0
  uint32_t size;
  FieldFormat format = FieldFormat::kHex;
  wasm::ValType type = wasm::ValType::I32;  // kValue
};

struct Region {
  enum class Kind : uint8_t {
    kHeader,
    kFuncDescs,     // the store's FuncDesc array; live size = header.func_count entries
    kInstance,      // an InstanceDesc
    kIndexArray,    // one of an instance's u32 arrays
    kSegmentFlags,  // an instance's dropped flags (u8 each)
    kGlobals,       // an instance's own GlobalSlots, one field per global
    kMemoryDesc,
    kMemoryData,  // live size = MemoryDesc::size_bytes
    kTableDesc,
    kTableElems,  // live size = TableDesc::size entries
  };
  std::string name;  // "header", "instance 0", "memory 1", "table 0", "func"
  Kind kind;
  uint64_t offset;            // arena offset
  uint64_t size;              // fixed regions: their size; growable ones: the reservation
  uint32_t element_size = 0;  // arrays: fields describe one element, named "<name> <i> <field>"
  std::vector<Field> fields;  // structured regions; memories and tables print their own way
  wasm::ValType type = wasm::ValType::I32;  // kTableElems: the element type
  uint64_t desc_offset = 0;  // kMemoryData/kTableElems: arena offset of the descriptor
  bool growable() const {
    return kind == Kind::kFuncDescs || kind == Kind::kMemoryData || kind == Kind::kTableElems;
  }
};

// ---------------------------------------------------------------------------------------------
// Snapshot and diff.

struct Snapshot {
  std::shared_ptr<const std::vector<Region>> layout;
  std::vector<uint64_t> sizes;   // live bytes of each region when taken
  std::vector<uint64_t> starts;  // where each region's bytes begin in `bytes`
  std::vector<uint8_t> bytes;
  std::span<const uint8_t> region_bytes(size_t i) const {
    return {bytes.data() + starts[i], sizes[i]};
  }
};

struct Difference {
  std::string where;  // "instance 0 global 2", "memory 0 [0x1000, 0x1004)", "table 1 [3]"
  std::string a;
  std::string b;
  std::string ToString() const { return where + ": " + a + " vs " + b; }
};

// Field by field, for regions the two snapshots share (same name, kind and offset, by position);
// a layout mismatch is reported as "layout ..." differences. Memory bytes are coalesced into
// ranges of adjacent differing bytes (at most 32 bytes printed per range).
std::vector<Difference> Diff(const Snapshot& a, const Snapshot& b);

// ---------------------------------------------------------------------------------------------

struct ArenaConfig {
  // Virtual reservation; a memory without a maximum reserves 4 GiB of it. Spec files create up
  // to ~100 such memories in one store, hence 1 TiB. PROT_NONE + MAP_NORESERVE costs no memory.
  uint64_t reservation_bytes = 1 * kTiB;
  uint64_t vm_region_bytes = 1 * kGiB;  // at most 4 GiB: VM structures have u32 offsets
  uint32_t max_functions = 1 << 20;     // FuncDesc array capacity
  uint32_t max_call_depth = 10000;
  uint64_t fuel = 0;  // 0 = unlimited
  uint64_t max_memory_pages = 65536;  // a memory grows to at most this many pages
};

// A global an instance defines (imported globals live in their exporter's region).
struct GlobalDef {
  uint32_t index;  // in the module's global index space (for naming)
  wasm::ValType type;
  uint64_t lo = 0;
  uint64_t hi = 0;
};

// What AddInstance writes into the instance's arrays.
struct InstanceShape {
  std::vector<uint32_t> type_ids;        // canonical type id of each module type
  std::vector<uint32_t> functions;       // store-wide function indices
  std::vector<uint32_t> tables;          // store table indices (AddTable)
  std::vector<uint32_t> memories;        // store memory indices (AddMemory)
  std::vector<uint32_t> global_offsets;  // VM offsets of GlobalSlots (AddGlobals + 16*k)
  uint32_t num_data_segments = 0;
  uint32_t num_elem_segments = 0;
};

// One store's arena. Layout:
//   [0, vm_region_bytes)   VM region: header at 0; FuncDesc array at kArenaSlotAlign; then a
//                          bump area for instances, their arrays, globals, memory and table
//                          descriptors. Committed as allocated. u32 offsets.
//   [vm_region_bytes, reservation_bytes)   high region: one slot per memory and per table's
//                          elements, reserved for its maximum, committed as it grows.
// Nothing ever moves and nothing is freed; an uncommitted page is never touched. All Add*/Grow*
// calls fail cleanly (nullopt, arena unchanged) when a limit or the reservation is exhausted.
class Arena {
 public:
  static std::unique_ptr<Arena> Create(const ArenaConfig& config = {},
                                       std::string* error = nullptr);
  ~Arena();
  Arena(const Arena&) = delete;
  Arena& operator=(const Arena&) = delete;

  uint8_t* base() const { return base_; }
  template <class T>
  T* at(uint64_t off) const {
    return reinterpret_cast<T*>(base_ + off);
  }
  ArenaHeader& header() const { return *at<ArenaHeader>(0); }
  const ArenaConfig& config() const { return config_; }

  // --- Building a store (instantiation). Each call registers its regions.
  uint32_t instance_count() const { return header().instance_count; }
  // The instance's own globals, contiguous; returns the VM offset of the first slot (0 if none).
  // `instance` names them ("instance 1 global 3"): pass instance_count() before AddInstance.
  std::optional<uint32_t> AddGlobals(uint32_t instance, std::span<const GlobalDef> globals);
  // Globals with another owner's name ("host" gives "host global 0"): host globals.
  std::optional<uint32_t> AddGlobals(const std::string& owner, std::span<const GlobalDef> globals);
  // Store memory index; min pages committed and zero.
  std::optional<uint32_t> AddMemory(const wasm::MemoryType& type);
  // Store table index; min entries set to `init`.
  std::optional<uint32_t> AddTable(const wasm::TableType& type, uint64_t init = wasm::kNullRef);
  // Store-wide function index.
  std::optional<uint32_t> AddFunction(const FuncDesc& desc);
  // Instance index (== instance_count() before the call).
  std::optional<uint32_t> AddInstance(const InstanceShape& shape);
  // Raw VM allocation (zeroed, committed, 16-byte aligned, not registered); for regions of kinds
  // added later, register with AddRegion.
  std::optional<uint32_t> AllocateVm(uint64_t size);
  void AddRegion(Region region);

  uint32_t memory_count() const { return static_cast<uint32_t>(memories_.size()); }
  uint32_t table_count() const { return static_cast<uint32_t>(tables_.size()); }
  // Entries of every table, summed (the store budget of limits.h).
  uint64_t LiveTableEntries() const;
  uint32_t memory_desc_offset(uint32_t memory) const { return memories_[memory].desc_offset; }
  uint32_t table_desc_offset(uint32_t table) const { return tables_[table].desc_offset; }
  uint32_t instance_desc_offset(uint32_t instance) const { return instances_[instance]; }
  MemoryDesc& memory(uint32_t m) const { return *at<MemoryDesc>(memory_desc_offset(m)); }
  TableDesc& table(uint32_t t) const { return *at<TableDesc>(table_desc_offset(t)); }
  uint8_t* memory_data(uint32_t m) const { return base_ + memory(m).data_offset; }
  uint64_t* table_elems(uint32_t t) const { return at<uint64_t>(table(t).elems_offset); }
  FuncDesc& func(uint32_t f) const { return at<FuncDesc>(header().func_descs_offset)[f]; }

  // --- Runtime services. Spec 4.5.3.8/4.5.3.9: the old size, or nullopt (over the maximum or
  // the reservation; nothing changed). New memory pages read zero; new entries are `init`.
  std::optional<uint64_t> GrowMemory(uint32_t memory, uint64_t delta_pages);
  std::optional<uint32_t> GrowTable(uint32_t table, uint32_t delta, uint64_t init);

  // --- Layout, snapshot, restore.
  const std::vector<Region>& regions() const { return regions_; }
  std::shared_ptr<const std::vector<Region>> layout() const;  // frozen copy, shared
  uint64_t LiveSize(const Region& region) const;              // bytes currently meaningful
  // The region containing `offset` with the name of the field there, or "" when none.
  std::string NameAt(uint64_t offset) const;

  Snapshot TakeSnapshot() const;
  void TakeSnapshot(Snapshot* into) const;  // reuses into's buffers
  // Copies the snapshot's bytes back. The layout must be the snapshot's (no region added since);
  // otherwise false with *error. Memories/tables grown since keep their commitment; the bytes
  // beyond the restored size are zeroed, so a later grow reads zeros as on a fresh store.
  bool Restore(const Snapshot& snapshot, std::string* error = nullptr);

  // Store templates (the fuzz loop reuses one store for many cases). SaveTemplate remembers the
  // arena as it is (its regions and bytes); ResetToTemplate returns it to that state without
  // giving up the reservation: the regions added since are forgotten, the VM bytes allocated
  // since are zeroed (their pages stay committed), the template's regions get their bytes back
  // (Restore), and the high region is decommitted beyond the template's slots and beyond what
  // they had committed. The result has the same live bytes, layout and committed high region as
  // the arena had at SaveTemplate. False with *error when no
  // template was saved or the restore fails.
  void SaveTemplate();
  bool ResetToTemplate(std::string* error = nullptr);

  // Committed spans [offset, offset + size), VM region and high region; for scans.
  std::vector<std::pair<uint64_t, uint64_t>> CommittedSpans() const;

 private:
  struct Slot {
    uint64_t offset = 0;
    uint64_t reserved = 0;
    uint64_t committed = 0;
  };
  struct MemoryInfo {
    uint32_t desc_offset;
    Slot slot;
  };
  struct TableInfo {
    uint32_t desc_offset;
    Slot slot;
  };

  explicit Arena(const ArenaConfig& config) : config_(config) {}
  bool Commit(Slot& slot, uint64_t bytes);  // ensures [0, bytes) of the slot is committed
  bool Decommit(Slot& slot, uint64_t keep);  // gives back the slot's pages from `keep` on
  std::optional<Slot> ReserveHigh(uint64_t bytes);
  void AddRegionNoCopy(Region&& region);

  ArenaConfig config_;
  uint8_t* base_ = nullptr;
  uint64_t page_size_ = 4096;
  Slot header_slot_;
  Slot funcs_slot_;
  Slot bump_slot_;
  uint64_t bump_used_ = 0;  // bytes of bump_slot_ allocated
  uint64_t high_next_ = 0;  // next free high-region offset
  std::vector<MemoryInfo> memories_;
  std::vector<TableInfo> tables_;
  std::vector<uint32_t> instances_;  // InstanceDesc offsets
  std::vector<Region> regions_;
  mutable std::shared_ptr<const std::vector<Region>> frozen_;

  struct Template {
    Snapshot snapshot;
    uint64_t bump_used = 0;
    uint64_t high_next = 0;
    size_t memories = 0, tables = 0, instances = 0;
    std::vector<uint64_t> memory_committed, table_committed;  // the template's slots
    std::shared_ptr<const std::vector<Region>> layout;
  };
  std::unique_ptr<Template> template_;
};

// Two arenas' live bytes, named (Diff of their snapshots).
std::vector<Difference> Diff(const Arena& a, const Arena& b);

// ---------------------------------------------------------------------------------------------
// Host-pointer scan (issue 4, Done-when 3).

using AddressRange = std::pair<uintptr_t, uintptr_t>;  // [first, second)

struct HostPointerHit {
  uint64_t offset;  // arena offset of the word
  uint64_t value;
  std::string where;  // NameAt(offset)
};

// Every committed 8-byte-aligned word of the VM region, the memories and the tables is checked
// against the ranges; the first word inside one is returned.
std::optional<HostPointerHit> FindHostPointerLike(const Arena& arena,
                                                  std::span<const AddressRange> ranges);
bool ContainsHostPointerLike(const Arena& arena, std::span<const AddressRange> ranges);

// From /proc/self/maps: the heap, the stacks, every executable mapping, every readable anonymous
// mapping (large malloc blocks, thread stacks) and (when given) the arena's own reservation:
// the addresses no arena word may equal.
std::vector<AddressRange> HostAddressRanges(const Arena* arena = nullptr);

}  // namespace tandem::jit
