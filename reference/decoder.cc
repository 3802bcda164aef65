// decoder.cc: the binary decoder (Spec 5 "Binary Format", Wasm 2.0 with SIMD, every section).
// Error texts are the spec interpreter's, which is what the test suite's assert_malformed expects.
//
// Like the spec's decoder, the whole module is one stream: a section or function body is read
// from its start and afterwards must end exactly at its declared size ("section size mismatch").
// Lengths are checked against the bytes left in the module ("length out of bounds"), and running
// off the end of the module is "unexpected end". This reproduces the test suite's expectations
// for overlong vectors and missing `end`s without special cases.
#include "reference/decoder.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "reference/binary_format.h"
#include "reference/leb128.h"
#include "reference/limits.h"

namespace tandem::wasm {
namespace {

constexpr size_t kMaxReserve = 1 << 16;  // cap on reserve(count); vectors grow past it
// 0xFD codes of the relaxed-simd proposal (not Wasm 2.0): refused as unsupported, not malformed.
constexpr uint32_t kRelaxedSimdFirst = 0x100;
constexpr uint32_t kRelaxedSimdLast = 0x113;

// Position of each section id in the required order (Spec 5.5.16); data count sits before code.
int SectionRank(uint8_t id) {
  static constexpr int kRank[] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};
  return kRank[id];
}

const char* SectionName(uint8_t id) {
  static constexpr const char* kNames[] = {"custom", "type",   "import", "function", "table",
                                           "memory", "global", "export", "start",    "element",
                                           "code",   "data",   "data count"};
  return kNames[id];
}

// Spec 5.2.4 names: well-formed UTF-8 (no overlongs, no surrogates, at most U+10FFFF).
bool IsValidUtf8(const uint8_t* p, size_t n) {
  size_t i = 0;
  while (i < n) {
    uint8_t b = p[i];
    if (b < 0x80) {
      ++i;
      continue;
    }
    size_t len;
    uint32_t cp;
    if ((b & 0xe0) == 0xc0) {
      len = 2;
      cp = b & 0x1f;
    } else if ((b & 0xf0) == 0xe0) {
      len = 3;
      cp = b & 0x0f;
    } else if ((b & 0xf8) == 0xf0) {
      len = 4;
      cp = b & 0x07;
    } else {
      return false;
    }
    if (n - i < len) return false;
    for (size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (p[i + k] & 0x3f);
    }
    if (len == 2 && cp < 0x80) return false;
    if (len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) return false;
    if (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) return false;
    i += len;
  }
  return true;
}

// Which construct an open `end` closes, for the `else` rules of Spec 5.4.1.
enum class Frame : uint8_t { kBlock, kIf, kElse };

class Decoder {
 public:
  Decoder(std::span<const uint8_t> bytes, const DecodeOptions& options)
      : p_(bytes.data()), size_(bytes.size()), options_(options) {}

  Module Run();

 private:
  // ---- errors ----
  [[noreturn]] void Fail(size_t at, std::string_view msg, std::string_view what) const {
    std::string m(msg);
    m += ": ";
    m += what;
    m += " at offset ";
    m += std::to_string(at);
    throw MalformedError(m);
  }
  [[noreturn]] void Unsupported(size_t at, std::string_view what) const {
    std::string m(what);
    m += " at offset ";
    m += std::to_string(at);
    throw UnsupportedError(m);
  }
  // An implementation limit (limits.h): `what` is the limit's message, e.g. "too many types".
  void Limit(size_t at, const char* what, uint64_t n, uint64_t limit) const {
    if (n <= limit) return;
    throw LimitError(std::string(what) + ": " + std::to_string(n) + " (limit " +
                     std::to_string(limit) + ") at offset " + std::to_string(at));
  }
  [[noreturn]] void Eos(const char* what) const {
    Fail(size_, "unexpected end of section or function", what);
  }
  [[noreturn]] void LebFail(LebStatus st, size_t at, const char* what) const {
    switch (st) {
      case LebStatus::kUnexpectedEnd: Eos(what);
      case LebStatus::kTooLong: Fail(at, "integer representation too long", what);
      default: Fail(at, "integer too large", what);
    }
  }

  // ---- primitive reads (Spec 5.2) ----
  size_t Remaining() const { return size_ - pos_; }
  uint8_t Byte(const char* what) {
    if (pos_ >= size_) Eos(what);
    return p_[pos_++];
  }
  uint8_t Peek() const { return p_[pos_]; }  // caller checks pos_ < size_
  uint32_t U32(const char* what) {
    uint64_t v;
    size_t len;
    LebStatus st = ReadUnsignedLeb<32>(p_ + pos_, p_ + size_, &v, &len);
    if (st != LebStatus::kOk) LebFail(st, pos_, what);
    pos_ += len;
    return static_cast<uint32_t>(v);
  }
  template <int bits>
  int64_t Signed(const char* what) {
    int64_t v;
    size_t len;
    LebStatus st = ReadSignedLeb<bits>(p_ + pos_, p_ + size_, &v, &len);
    if (st != LebStatus::kOk) LebFail(st, pos_, what);
    pos_ += len;
    return v;
  }
  uint64_t FixedLE(int n, const char* what) {
    if (Remaining() < static_cast<size_t>(n)) Eos(what);
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= static_cast<uint64_t>(p_[pos_ + i]) << (8 * i);
    pos_ += n;
    return v;
  }
  // A length or vector count: must not exceed the bytes left in the module, counted from the
  // start of the length itself (as the spec's decoder does; the test suite depends on it).
  uint32_t Len(const char* what) {
    size_t at = pos_;
    uint32_t n = U32(what);
    if (n > size_ - at) Fail(at, "length out of bounds", what);
    return n;
  }
  void Skip(size_t n, const char* what) {
    if (n > Remaining()) Eos(what);
    pos_ += n;
  }
  std::string Name(const char* what) {
    size_t at = pos_;
    uint32_t n = Len(what);
    Skip(n, what);
    if (!IsValidUtf8(p_ + pos_ - n, n)) Fail(at, "malformed UTF-8 encoding", what);
    return std::string(reinterpret_cast<const char*>(p_ + pos_ - n), n);
  }
  // A one-byte signed type code (vs7 in the spec's decoder).
  uint8_t TypeByte(const char* what) {
    uint8_t b = Byte(what);
    if (b & 0x80) Fail(pos_, "integer representation too long", what);
    return b;
  }

  // ---- types (Spec 5.3) ----
  ValType ValueType(const char* what) {
    size_t at = pos_;
    uint8_t b = TypeByte(what);
    if (!IsValTypeByte(b)) Fail(at, "malformed value type", what);
    return static_cast<ValType>(b);
  }
  ValType RefType(const char* what) {
    size_t at = pos_;
    uint8_t b = TypeByte(what);
    if (b != 0x70 && b != 0x6f) Fail(at, "malformed reference type", what);
    return static_cast<ValType>(b);
  }
  Limits ReadLimits(const char* what) {
    // The flag is a u1 LEB (vu1 in the spec's decoder).
    size_t at = pos_;
    uint8_t flag = Byte(what);
    if ((flag & 0x7f) > 1) Fail(at, "integer too large", what);
    if (flag & 0x80) Fail(at + 1, "integer representation too long", what);
    Limits l;
    l.min = U32(what);
    if (flag == 1) l.max = U32(what);
    return l;
  }
  TableType ReadTableType() {
    TableType t;
    t.elem = RefType("table element type");
    t.limits = ReadLimits("table limits");
    return t;
  }
  GlobalType ReadGlobalType() {
    GlobalType g;
    g.type = ValueType("global type");
    size_t at = pos_;
    uint8_t m = Byte("global mutability");
    if (m > 1) Fail(at, "malformed mutability", "global mutability");
    g.mut = m == 1;
    return g;
  }

  // ---- instructions (Spec 5.4) ----
  // Decodes instructions up to and including the `end` that closes the outermost level.
  // Returns with `out` holding every instruction read, that `end` included.
  void Instructions(std::vector<Instr>* out, std::vector<uint32_t>* pool, bool in_function);
  ConstExpr ReadConstExpr() {
    ConstExpr e;
    e.code.reserve(2);
    Instructions(&e.code, &scratch_pool_, false);
    e.code.pop_back();  // the final `end`
    return e;
  }

  // ---- sections (Spec 5.5) ----
  void CustomSection(uint32_t size);
  void TypeSection();
  void ImportSection();
  void FunctionSection();
  void TableSection();
  void MemorySection();
  void GlobalSection();
  void ExportSection();
  void StartSection();
  void ElemSection();
  void CodeSection();
  void DataSection();
  void DataCountSection();

  template <typename T>
  static void ReserveFor(std::vector<T>* v, uint32_t n) {
    v->reserve(v->size() + std::min<size_t>(n, kMaxReserve));
  }

  const uint8_t* p_;
  size_t size_;
  size_t pos_ = 0;
  const DecodeOptions& options_;
  Module m_;
  std::vector<uint32_t> defined_func_types_;
  bool saw_function_section_ = false;
  bool uses_data_index_ = false;  // memory.init / data.drop seen in a function body
  std::vector<Frame> frames_;
  std::vector<uint32_t> scratch_pool_;
};

void Decoder::Instructions(std::vector<Instr>* out, std::vector<uint32_t>* pool,
                           bool in_function) {
  frames_.clear();
  frames_.push_back(Frame::kBlock);
  for (;;) {
    size_t at = pos_;
    if (pos_ >= size_) Eos("instruction");
    uint8_t byte = p_[pos_++];
    Op op;
    if (byte == 0xfc) {
      uint32_t sub = U32("0xfc opcode");
      if (!LookupPrefixedOp(0xfc, sub, &op)) {
        Fail(at, "illegal opcode", "0xfc " + std::to_string(sub));
      }
    } else if (byte == 0xfd) {
      uint32_t sub = U32("0xfd opcode");
      if (!LookupPrefixedOp(0xfd, sub, &op)) {
        if (sub >= kRelaxedSimdFirst && sub <= kRelaxedSimdLast) {
          char buf[64];
          std::snprintf(buf, sizeof buf, "relaxed-simd proposal is not supported: 0xfd 0x%x", sub);
          Unsupported(at, buf);
        }
        Fail(at, "illegal opcode", "0xfd " + std::to_string(sub));
      }
    } else if (!LookupOp(byte, &op)) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "0x%02x", byte);
      Fail(at, "illegal opcode", buf);
    }
    Instr ins{.op = op, .offset = static_cast<uint32_t>(at)};
    switch (GetOpInfo(op).imm) {
      case ImmKind::None:
        if (op == Op::End) {
          frames_.pop_back();
          out->push_back(ins);
          if (frames_.empty()) return;
          continue;
        }
        if (op == Op::Else) {
          // `else` ends the then-arm of an `if`; anywhere else, an `end` was due.
          if (frames_.back() != Frame::kIf) Fail(at, "END opcode expected", "else");
          frames_.back() = Frame::kElse;
        }
        break;
      case ImmKind::BlockType: {
        if (pos_ >= size_) Eos("block type");
        uint8_t b = Peek();
        if (b == 0x40) {
          ++pos_;
          ins.c = static_cast<uint64_t>(int64_t{-64});
        } else if ((b & 0xc0) == 0x40) {
          ValType t = ValueType("block type");
          ins.c = static_cast<uint64_t>(-(0x80 - static_cast<int64_t>(t)));
        } else {
          size_t tat = pos_;
          int64_t x = Signed<33>("block type");
          if (x < 0) Fail(tat, "malformed block type", "negative type index");
          ins.c = static_cast<uint64_t>(x);
        }
        frames_.push_back(op == Op::If ? Frame::kIf : Frame::kBlock);
        break;
      }
      case ImmKind::LabelIdx:
        ins.a = U32("label index");
        break;
      case ImmKind::BrTable: {
        uint32_t n = Len("br_table targets");
        ins.a = static_cast<uint32_t>(pool->size());
        ins.b = n;
        ReserveFor(pool, n + 1);
        for (uint32_t i = 0; i < n; ++i) pool->push_back(U32("br_table target"));
        pool->push_back(U32("br_table default"));
        break;
      }
      case ImmKind::FuncIdx:
        ins.a = U32("function index");
        break;
      case ImmKind::CallIndirect:
        ins.a = U32("type index");
        ins.b = U32("table index");
        break;
      case ImmKind::LocalIdx:
        ins.a = U32("local index");
        break;
      case ImmKind::GlobalIdx:
        ins.a = U32("global index");
        break;
      case ImmKind::TableIdx:
        ins.a = U32("table index");
        break;
      case ImmKind::ElemIdx:
        ins.a = U32("element index");
        break;
      case ImmKind::DataIdx:
        ins.a = U32("data index");
        if (in_function) uses_data_index_ = true;
        break;
      case ImmKind::RefType:
        ins.a = static_cast<uint32_t>(RefType("ref.null type"));
        break;
      case ImmKind::SelectT: {
        uint32_t n = Len("select types");
        ins.a = n;
        for (uint32_t i = 0; i < n; ++i) {
          ValType t = ValueType("select type");
          if (i == 0) ins.b = static_cast<uint32_t>(t);
        }
        break;
      }
      case ImmKind::Mem1:
      case ImmKind::Mem2:
      case ImmKind::Mem4:
      case ImmKind::Mem8:
      case ImmKind::Mem16:
        ins.a = U32("memarg alignment");
        ins.c = U32("memarg offset");
        break;
      case ImmKind::MemLane1:
      case ImmKind::MemLane2:
      case ImmKind::MemLane4:
      case ImmKind::MemLane8:
        ins.a = U32("memarg alignment");
        ins.c = U32("memarg offset");
        ins.lane = Byte("lane index");
        break;
      case ImmKind::LaneIdx:
        ins.lane = Byte("lane index");
        break;
      case ImmKind::V128Const:
      case ImmKind::Shuffle: {
        const char* what = op == Op::V128Const ? "v128 constant" : "shuffle lane indices";
        ins.c = FixedLE(8, what);
        ins.a = static_cast<uint32_t>(FixedLE(4, what));
        ins.b = static_cast<uint32_t>(FixedLE(4, what));
        break;
      }
      case ImmKind::MemIdx:
        if (Byte("reserved byte") != 0) Fail(pos_ - 1, "zero byte expected", "memory index");
        break;
      case ImmKind::MemoryInit:
        ins.a = U32("data index");
        if (Byte("reserved byte") != 0) Fail(pos_ - 1, "zero byte expected", "memory index");
        if (in_function) uses_data_index_ = true;
        break;
      case ImmKind::MemoryCopy:
        if (Byte("reserved byte") != 0) Fail(pos_ - 1, "zero byte expected", "memory index");
        if (Byte("reserved byte") != 0) Fail(pos_ - 1, "zero byte expected", "memory index");
        break;
      case ImmKind::TableInit:
        ins.a = U32("element index");
        ins.b = U32("table index");
        break;
      case ImmKind::TableCopy:
        ins.a = U32("table index");
        ins.b = U32("table index");
        break;
      case ImmKind::I32Const:
        ins.c = static_cast<uint32_t>(Signed<32>("i32 constant"));
        break;
      case ImmKind::I64Const:
        ins.c = static_cast<uint64_t>(Signed<64>("i64 constant"));
        break;
      case ImmKind::F32Const:
        ins.c = FixedLE(4, "f32 constant");
        break;
      case ImmKind::F64Const:
        ins.c = FixedLE(8, "f64 constant");
        break;
    }
    out->push_back(ins);
  }
}

void Decoder::CustomSection(uint32_t size) {
  size_t start = pos_;
  std::string name = Name("custom section name");
  size_t used = pos_ - start;
  if (used > size) Fail(start, "unexpected end of section or function", "custom section name");
  size_t rest = size - used;
  Skip(rest, "custom section payload");
  m_.customs.push_back({std::move(name), static_cast<uint32_t>(pos_ - rest),
                        static_cast<uint32_t>(rest)});
}

void Decoder::TypeSection() {
  size_t count_at = pos_;
  uint32_t n = Len("type count");
  Limit(count_at, "too many types", n, kMaxTypes);
  ReserveFor(&m_.types, n);
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = pos_;
    if (TypeByte("function type") != 0x60) Fail(at, "malformed function type", "type form");
    FuncType ft;
    size_t np_at = pos_;
    uint32_t np = Len("parameter count");
    Limit(np_at, "too many parameters", np, kMaxParams);
    ft.params.reserve(np);
    for (uint32_t k = 0; k < np; ++k) ft.params.push_back(ValueType("parameter type"));
    size_t nr_at = pos_;
    uint32_t nr = Len("result count");
    Limit(nr_at, "too many results", nr, kMaxResults);
    ft.results.reserve(nr);
    for (uint32_t k = 0; k < nr; ++k) ft.results.push_back(ValueType("result type"));
    m_.types.push_back(std::move(ft));
  }
}

void Decoder::ImportSection() {
  size_t count_at = pos_;
  uint32_t n = Len("import count");
  Limit(count_at, "too many imports", n, kMaxImports);
  ReserveFor(&m_.imports, n);
  for (uint32_t i = 0; i < n; ++i) {
    Import im;
    im.module = Name("import module name");
    im.name = Name("import name");
    size_t at = pos_;
    uint8_t kind = Byte("import kind");
    switch (kind) {
      case 0:
        im.kind = ExternKind::Func;
        im.func_type_index = U32("import type index");
        m_.func_types.push_back(im.func_type_index);
        ++m_.num_imported_funcs;
        break;
      case 1:
        im.kind = ExternKind::Table;
        im.table = ReadTableType();
        m_.tables.push_back(im.table);
        ++m_.num_imported_tables;
        break;
      case 2:
        im.kind = ExternKind::Memory;
        im.memory.limits = ReadLimits("memory limits");
        m_.memories.push_back(im.memory);
        ++m_.num_imported_memories;
        break;
      case 3:
        im.kind = ExternKind::Global;
        im.global = ReadGlobalType();
        m_.globals.push_back({im.global, {}});
        ++m_.num_imported_globals;
        break;
      default:
        Fail(at, "malformed import kind", "import kind");
    }
    m_.imports.push_back(std::move(im));
  }
}

void Decoder::FunctionSection() {
  saw_function_section_ = true;
  size_t count_at = pos_;
  uint32_t n = Len("function count");
  Limit(count_at, "too many functions", uint64_t{n} + m_.num_imported_funcs, kMaxFunctions);
  ReserveFor(&defined_func_types_, n);
  for (uint32_t i = 0; i < n; ++i) defined_func_types_.push_back(U32("function type index"));
}

void Decoder::TableSection() {
  size_t count_at = pos_;
  uint32_t n = Len("table count");
  Limit(count_at, "too many tables", uint64_t{n} + m_.num_imported_tables, kMaxTables);
  ReserveFor(&m_.tables, n);
  for (uint32_t i = 0; i < n; ++i) m_.tables.push_back(ReadTableType());
}

void Decoder::MemorySection() {
  uint32_t n = Len("memory count");
  ReserveFor(&m_.memories, n);
  for (uint32_t i = 0; i < n; ++i) m_.memories.push_back({ReadLimits("memory limits")});
}

void Decoder::GlobalSection() {
  size_t count_at = pos_;
  uint32_t n = Len("global count");
  Limit(count_at, "too many globals", uint64_t{n} + m_.num_imported_globals, kMaxGlobals);
  ReserveFor(&m_.globals, n);
  for (uint32_t i = 0; i < n; ++i) {
    Global g;
    g.type = ReadGlobalType();
    g.init = ReadConstExpr();
    m_.globals.push_back(std::move(g));
  }
}

void Decoder::ExportSection() {
  size_t count_at = pos_;
  uint32_t n = Len("export count");
  Limit(count_at, "too many exports", n, kMaxExports);
  ReserveFor(&m_.exports, n);
  for (uint32_t i = 0; i < n; ++i) {
    Export e;
    e.name = Name("export name");
    size_t at = pos_;
    uint8_t kind = Byte("export kind");
    if (kind > 3) Fail(at, "malformed export kind", "export kind");
    e.kind = static_cast<ExternKind>(kind);
    e.index = U32("export index");
    m_.exports.push_back(std::move(e));
  }
}

void Decoder::StartSection() { m_.start = U32("start function index"); }

// Spec 5.5.12: flags 0..7. Bit 0: passive/declarative; bit 1: explicit table (active) or
// declarative (otherwise); bit 2: expressions instead of function indices.
void Decoder::ElemSection() {
  size_t count_at = pos_;
  uint32_t n = Len("element segment count");
  Limit(count_at, "too many element segments", n, kMaxElemSegments);
  ReserveFor(&m_.elems, n);
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = pos_;
    uint32_t flags = U32("element segment flags");
    if (flags > 7) Fail(at, "malformed elements segment kind", "element segment flags");
    ElemSegment seg;
    bool passive_or_declarative = flags & 1;
    bool explicit_or_declarative = flags & 2;
    bool exprs = flags & 4;
    if (!passive_or_declarative) {
      seg.mode = SegmentMode::kActive;
      if (explicit_or_declarative) seg.table = U32("element table index");
      seg.offset = ReadConstExpr();
    } else {
      seg.mode = explicit_or_declarative ? SegmentMode::kDeclarative : SegmentMode::kPassive;
    }
    // Forms 0 and 4 have no type and mean funcref; the others carry elemkind or reftype.
    if (flags != 0 && flags != 4) {
      if (exprs) {
        seg.type = RefType("element reference type");
      } else {
        size_t kat = pos_;
        if (Byte("element kind") != 0x00) Fail(kat, "malformed element kind", "element kind");
        seg.type = ValType::FuncRef;
      }
    }
    size_t elem_count_at = pos_;
    uint32_t count = Len("element count");
    Limit(elem_count_at, "too many table entries in an element segment", count,
          kMaxElemSegmentEntries);
    ReserveFor(&seg.init, count);
    for (uint32_t k = 0; k < count; ++k) {
      if (exprs) {
        seg.init.push_back(ReadConstExpr());
      } else {
        size_t iat = pos_;
        Instr ins{.op = Op::RefFunc, .offset = static_cast<uint32_t>(iat)};
        ins.a = U32("element function index");
        seg.init.push_back(ConstExpr{{ins}});
      }
    }
    m_.elems.push_back(std::move(seg));
  }
}

void Decoder::CodeSection() {
  uint32_t n = Len("function body count");
  ReserveFor(&m_.code, n);
  for (uint32_t i = 0; i < n; ++i) {
    size_t size_at = pos_;
    uint32_t size = Len("function body size");
    Limit(size_at, "function body too large", size, kMaxFunctionBodyBytes);
    size_t start = pos_;
    FunctionBody body;
    body.body_offset = static_cast<uint32_t>(start);
    body.body_size = size;
    size_t locals_at = pos_;
    uint32_t nl = Len("local declaration count");
    body.locals.reserve(nl);
    uint64_t total = 0;
    for (uint32_t k = 0; k < nl; ++k) {
      uint32_t count = U32("local count");
      ValType t = ValueType("local type");
      body.locals.push_back({count, t});
      total += count;
    }
    // More than 2^32-1 is malformed (Spec 5.5.13); more than kMaxLocals, parameters included,
    // is beyond the implementation limit. The test suite expects "too many locals" for both.
    if (total > UINT32_MAX) Fail(locals_at, "too many locals", "local declarations");
    uint64_t params = 0;
    if (i < defined_func_types_.size() && defined_func_types_[i] < m_.types.size())
      params = m_.types[defined_func_types_[i]].params.size();
    Limit(locals_at, "too many locals", total + params, kMaxLocals);
    body.num_locals = total;
    body.code.reserve(size / 2 + 2);
    Instructions(&body.code, &body.br_table_pool, true);
    if (pos_ != start + size) Fail(start, "section size mismatch", "function body");
    m_.code.push_back(std::move(body));
  }
}

// Spec 5.5.14: 0 = active memory 0, 1 = passive, 2 = active with explicit memory.
void Decoder::DataSection() {
  size_t count_at = pos_;
  uint32_t n = Len("data segment count");
  Limit(count_at, "too many data segments", n, kMaxDataSegments);
  ReserveFor(&m_.datas, n);
  for (uint32_t i = 0; i < n; ++i) {
    size_t at = pos_;
    uint32_t flags = U32("data segment flags");
    if (flags > 2) Fail(at, "malformed data segment kind", "data segment flags");
    DataSegment seg;
    if (flags == 1) {
      seg.mode = SegmentMode::kPassive;
    } else {
      seg.mode = SegmentMode::kActive;
      if (flags == 2) seg.memory = U32("data memory index");
      seg.offset = ReadConstExpr();
    }
    uint32_t len = Len("data segment size");
    seg.data_offset = static_cast<uint32_t>(pos_);
    seg.data_size = len;
    Skip(len, "data segment bytes");
    m_.datas.push_back(std::move(seg));
  }
}

void Decoder::DataCountSection() {
  size_t at = pos_;
  m_.data_count = U32("data count");
  Limit(at, "too many data segments", *m_.data_count, kMaxDataSegments);
}

Module Decoder::Run() {
  Limit(0, "module too large", size_, kMaxModuleBytes);
  // Spec 5.5.16: magic and version.
  if (size_ < 4) Fail(size_, "unexpected end", "magic header");
  uint32_t magic = static_cast<uint32_t>(FixedLE(4, "magic header"));
  if (magic != kWasmMagic) Fail(0, "magic header not detected", "module header");
  if (size_ < 8) Fail(size_, "unexpected end", "binary version");
  uint32_t version = static_cast<uint32_t>(FixedLE(4, "binary version"));
  if (version != kWasmVersion) Fail(4, "unknown binary version", "module header");

  m_.bytes.assign(p_, p_ + size_);
  int last_rank = 0;
  while (pos_ < size_) {
    size_t id_at = pos_;
    uint8_t id = p_[pos_++];
    if (id > kDataCountId) Fail(id_at, "malformed section id", "section header");
    if (id != kCustomId) {
      int rank = SectionRank(id);
      if (rank <= last_rank) {
        Fail(id_at, "unexpected content after last section",
             std::string(SectionName(id)) + " section out of order or repeated");
      }
      last_rank = rank;
    }
    uint32_t size = Len("section size");
    size_t start = pos_;
    switch (id) {
      case kCustomId: CustomSection(size); break;
      case kTypeId: TypeSection(); break;
      case kImportId: ImportSection(); break;
      case kFunctionId: FunctionSection(); break;
      case kTableId: TableSection(); break;
      case kMemoryId: MemorySection(); break;
      case kGlobalId: GlobalSection(); break;
      case kExportId: ExportSection(); break;
      case kStartId: StartSection(); break;
      case kElemId: ElemSection(); break;
      case kCodeId: CodeSection(); break;
      case kDataId: DataSection(); break;
      case kDataCountId: DataCountSection(); break;
    }
    if (pos_ != start + size) {
      Fail(start, "section size mismatch", std::string(SectionName(id)) + " section");
    }
  }

  if (defined_func_types_.size() != m_.code.size()) {
    Fail(size_, "function and code section have inconsistent lengths",
         std::to_string(defined_func_types_.size()) + " functions, " +
             std::to_string(m_.code.size()) + " bodies");
  }
  if (m_.data_count && *m_.data_count != m_.datas.size()) {
    Fail(size_, "data count and data section have inconsistent lengths",
         "data count " + std::to_string(*m_.data_count) + ", " +
             std::to_string(m_.datas.size()) + " segments");
  }
  if (!m_.data_count && uses_data_index_) {
    Fail(size_, "data count section required", "memory.init or data.drop in a function");
  }
  for (size_t i = 0; i < m_.code.size(); ++i) {
    m_.code[i].type_index = defined_func_types_[i];
    m_.func_types.push_back(defined_func_types_[i]);
  }
  (void)options_;
  return std::move(m_);
}

}  // namespace

Module Decode(std::span<const uint8_t> bytes, const DecodeOptions& options) {
  return Decoder(bytes, options).Run();
}

}  // namespace tandem::wasm
