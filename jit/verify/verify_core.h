// verify_core.h: what the verifier's back ends share (verify.h; docs/verifier.md). Internal to
// jit/verify/.
//
// A back end (verify_x64.cc, verify_a64.cc) lifts its machine code: it decodes a function into
// Ins (with each instruction's control flow), works out where the stack pointer is relative to
// the frame base at every instruction (FrameFacts, checking the function-wide register rules),
// and gives a Machine that executes its instructions symbolically and names their memory
// accesses. Everything after that is shared (Verify): the windows, the premises, the regions,
// the proofs, the cache, the counterexamples and the listing.
#pragma once

#include <capstone/capstone.h>
#include <z3++.h>

#include <algorithm>
#include <array>
#include <climits>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <fmt/format.h>

#include "jit/verify/verify.h"

namespace tandem::jit::verify::core {

constexpr size_t kMaxWindow = 48;  // instructions before an access that its proof may use
constexpr unsigned kTimeoutMs = 5000;

// sp - F where no path reaches (dead code), and where paths bring different values (only
// frame-relative and arena accesses are admitted there).
constexpr int64_t kSpUnreached = INT64_MIN;
constexpr int64_t kSpDiffers = INT64_MIN + 1;

// A Capstone handle with operand details (Intel syntax on x64) and an instruction buffer, one
// per thread and architecture, opened on first use: opening Capstone for each function cost as
// much as decoding a small one.
struct Capstone {
  csh handle = 0;
  cs_insn* insn = nullptr;
};
Capstone& ThreadCapstone(Arch arch);

// How control leaves an instruction.
enum class Flow : uint8_t {
  kNext,    // to the next instruction (calls too: the callee returns)
  kJump,    // to `target` only
  kBranch,  // to `target` or the next instruction
  kReturn,  // out of the function (ret)
  kLeave,   // out of the function through the exit path (an indirect jump)
};

struct Ins {
  uint32_t off = 0;
  uint64_t addr = 0;
  uint16_t size = 0;
  unsigned id = 0;  // the back end's instruction id
  // Its bytes (at most 15), and where its text lies in Decoded::texts (Decoded::Text): one
  // allocation per function for all the texts, which only a result or an error reads.
  std::array<uint8_t, 16> raw{};
  uint32_t text_at = 0;
  uint16_t text_len = 0;
  bool pc_relative = false;  // an operand relative to its own address (x64 rip, a64 adr/adrp)
  std::span<const uint8_t> bytes() const { return {raw.data(), size}; }
  Flow flow = Flow::kNext;
  std::optional<uint64_t> target;  // kJump, kBranch: a direct target
  unsigned accesses = 0;           // memory accesses it makes (explicit operands and stack slots)
  size_t arch = 0;                 // the back end's own record of it (an index)
};

// What a back end keeps of each instruction besides Ins (Capstone's operand details).
struct ArchRecords {
  virtual ~ArchRecords() = default;
};

struct Decoded {
  std::vector<Ins> ins;
  std::string texts;  // every instruction's text, one after another
  std::string Text(const Ins& i) const { return texts.substr(i.text_at, i.text_len); }
  // Keeps a decoded instruction's bytes and text in i.
  void Record(Ins& i, const cs_insn& insn) {
    std::copy(insn.bytes, insn.bytes + insn.size, i.raw.begin());
    i.text_at = static_cast<uint32_t>(texts.size());
    texts += insn.mnemonic;
    if (insn.op_str[0]) texts.append(" ").append(insn.op_str);
    i.text_len = static_cast<uint16_t>(texts.size() - i.text_at);
  }
  std::shared_ptr<const ArchRecords> records;  // the back end's, indexed by Ins::arch
  uint32_t pool_begin = 0;  // the constant pool: [pool_begin, size)
  std::string error;        // undecodable bytes
};

// Block indices: two inline (a block has at most two successors, most have one or two
// predecessors), more on the heap.
class BlockList {
 public:
  void push_back(size_t v) {
    if (n_ < 2) {
      in_[n_] = v;
    } else {
      if (n_ == 2) more_.assign(in_, in_ + 2);
      more_.push_back(v);
    }
    ++n_;
  }
  size_t size() const { return n_; }
  const size_t* begin() const { return n_ <= 2 ? in_ : more_.data(); }
  const size_t* end() const { return begin() + n_; }
  size_t operator[](size_t k) const { return begin()[k]; }

 private:
  size_t in_[2] = {0, 0};
  size_t n_ = 0;
  std::vector<size_t> more_;
};

struct Block {
  size_t first = 0, last = 0;  // instruction indices [first, last]
  BlockList succ, pred;
};

struct Cfg {
  std::vector<Block> blocks;
  std::vector<size_t> block_of;         // instruction -> block
  std::vector<uint64_t> addrs;  // every instruction's address, in order
  // The instruction at `addr`, if one starts there.
  std::optional<size_t> IndexOf(uint64_t addr) const {
    auto it = std::lower_bound(addrs.begin(), addrs.end(), addr);
    if (it == addrs.end() || *it != addr) return std::nullopt;
    return static_cast<size_t>(it - addrs.begin());
  }
  std::string error;
};

Cfg BuildCfg(const Decoded& d);

struct FrameFacts {
  std::vector<int64_t> sp;   // sp - F before each instruction (F = the frame base)
  int64_t lowest = 0;        // the lowest sp - F anywhere (less what a push or call stores)
  bool entry_check = false;  // sp compared with the stack limit at entry, before any branch
  int64_t after_frame = 0;   // sp - F when the entry check runs
  size_t check_at = 0;       // the entry check's branch (instruction index)
  std::string error;         // a broken rule: every access of the function is rejected
};

// sp - F along every path, from `entry` at the first instruction. `step(k, in)` gives sp - F
// after instruction k (nullopt: a move the back end does not follow, with f.error set);
// `in` may be kSpDiffers, which `step` keeps until an instruction resets sp from F.
template <class Step>
void PropagateSp(const Decoded& d, const Cfg& g, int64_t entry, Step step, FrameFacts& f) {
  const size_t n = d.ins.size();
  f.sp.assign(n, kSpUnreached);
  if (n == 0) return;
  f.sp[0] = entry;
  std::vector<size_t> work = {0};
  int64_t lowest = entry;
  while (!work.empty()) {
    size_t b = work.back();
    work.pop_back();
    const Block& blk = g.blocks[b];
    int64_t cur = f.sp[blk.first];
    for (size_t k = blk.first; k <= blk.last; ++k) {
      f.sp[k] = cur;
      std::optional<int64_t> next = step(k, cur, lowest);  // may lower `lowest` (a push)
      if (!next) return;
      cur = *next;
      if (cur != kSpDiffers) lowest = std::min(lowest, cur);
    }
    if (d.ins[blk.last].flow == Flow::kReturn) continue;
    for (size_t s : blk.succ) {
      size_t first = g.blocks[s].first;
      if (f.sp[first] == kSpUnreached) {
        f.sp[first] = cur;
        work.push_back(s);
      } else if (f.sp[first] != cur && f.sp[first] != kSpDiffers) {
        f.sp[first] = kSpDiffers;  // and onwards, until sp is reset from F
        work.push_back(s);
      }
    }
  }
  f.lowest = lowest;
}

// True when every path to instruction k comes through the entry block chain (block 0, then each
// next block while its one predecessor is the one before).
bool InEntryChain(const Cfg& g, size_t k);

// Decides the verifier's queries (is this conjunction satisfiable?). Most are small: a bounds
// check's premise against an access's obligation. A light tactic applied to the goal (simplify,
// propagate values, solve equations, bit-blast, SAT within a conflict budget) answers such a
// query in tens of microseconds, where a solver object costs several hundred (its set-up and
// the timer its time limit starts). What the tactic leaves undecided goes to Z3's QF_BV solver
// with the verifier's time limit. Both are sound and complete for bit-vectors; the first is
// only cheaper.
class Prover {
 public:
  explicit Prover(z3::context& c);
  struct Answer {
    z3::check_result result = z3::unknown;
    std::optional<z3::model> model;  // when satisfiable and a model was asked for
  };
  Answer Decide(const std::vector<z3::expr>& assertions, bool want_model = false);
  size_t light = 0, full = 0;  // queries each one decided
  size_t quick = 0;            // obligations the quick prover (linear.h) proved first

 private:
  z3::context& c_;
  z3::tactic tactic_;
};

// A value as a base plus a constant (the arena base A, the frame base F, or nothing): most
// addresses are, and need no solver.
struct Lin {
  enum Base : int8_t { kUnknown = -1, kConst = 0, kArena = 1, kFrame = 2 } base = kUnknown;
  int64_t off = 0;
  bool known() const { return base != kUnknown; }
};

// An index as the x64 bounds emitter makes it (jit/bounds.h), followed by the first walk:
// zext32(value #id) + add, the value unknown.
struct HeapIndex {
  int id = 0;
  int64_t add = 0;
};

// One memory access of an instruction, in the state just before it.
struct Access {
  Access(int t, z3::expr a, unsigned n, std::optional<Lin> l = std::nullopt)
      : tag(t), addr(std::move(a)), bytes(n), lin(l) {}
  int tag = 0;  // which of the instruction's accesses (for the cache key)
  z3::expr addr;
  unsigned bytes = 0;
  std::optional<Lin> lin;      // the address as a base plus a constant, when it is one
  bool uses_sp = false;        // through the stack pointer (unprovable where sp differs)
  bool heap_shape = false;     // arena base plus an index: try the linear memories first
  std::optional<uint64_t> disp_memory;  // a displacement equal to this memory's data offset
  std::optional<HeapIndex> heap;        // [arena + index + disp]: the index plus disp (x64)
  // Inside its region by a form the first walk follows (x64: a table entry through a checked
  // index, a function descriptor or code-table entry through a function index); the region's
  // name. The symbolic walk ignores it.
  const char* by_form = nullptr;
  // The address's lowest and highest values, both from the frame base, where an index runs over
  // a known range (x64: the counted loop of BlockPremises): inside the frame when both are.
  std::optional<std::pair<Lin, Lin>> frame_range;
  std::string reject;                   // why the back end cannot lift it (rejected, not proved)
};

// The symbolic state of a window: what every back end's machine has. Registers are the back
// end's.
struct Machine {
  z3::context& c;
  const StoreFacts& facts;
  z3::expr_vector premises;
  z3::expr A, F;
  std::unordered_map<std::string, bool>* axiom_cache = nullptr;  // the proof cache's, if any
  Prover* prover = nullptr;  // decides the table-entry axiom's query (none: the axiom is not granted)
  // False for the first walk of a block, which follows only the base-plus-constant forms (Lin)
  // to see whether every access of the block is proved by them: no expression is built, and an
  // access's `addr` is a placeholder. The forms must come out as in the symbolic walk.
  bool symbolic = true;
  int fresh = 0;
  std::vector<std::pair<std::string, z3::expr>> named;  // unknowns, for counterexamples
  // The latest value loaded from each memory's size field and each table's size field.
  std::map<size_t, z3::expr> memory_size, table_size;

  // The bases' symbols, made once per function (a block's machines share them).
  struct Bases {
    z3::expr A, F;
    explicit Bases(z3::context& ctx) : A(ctx.bv_const("A", 64)), F(ctx.bv_const("F", 64)) {}
  };
  Machine(z3::context& ctx, const StoreFacts& f, const Bases& b)
      : c(ctx), facts(f), premises(ctx), A(b.A), F(b.F) {}
  virtual ~Machine() = default;

  z3::expr Fresh(unsigned bits, const std::string& what);
  z3::expr FreshCond() { return c.bool_const(fmt::format("cond#{}", fresh++).c_str()); }
  // The value of a `bits`-wide load at arena offset `off` when the runtime keeps it (axioms
  // "fixed offsets", "memory size", "table size"); nullopt for any other field.
  std::optional<z3::expr> ArenaField(uint64_t off, unsigned bits);
  // The fields among those whose value is a constant (axiom "fixed offsets").
  std::optional<uint64_t> ArenaConstant(uint64_t off, unsigned bits) const;
  // `v`, 64 bits loaded from `addr`: when the address is provably inside a funcref table's
  // entries, v is null or a function index (axiom "table entries").
  void TableEntryAxiom(const z3::expr& addr, const z3::expr& v);

  // The bounds checks the first walk saw pass (x64): zext32(value #id) + add <= the size of
  // `memory` as the check loaded it (memories never shrink: axiom "memory size").
  struct CheckedIndex {
    int id = 0;
    int64_t add = 0;
    size_t memory = 0;
  };
  std::vector<CheckedIndex> checked;
  // The window takes branch `i` (taken or not); called right after the branch's Step.
  virtual void Edge(const Ins& /*i*/, bool /*taken*/) {}

  // The back end's part.
  virtual void AtEntry() = 0;  // the frame register holds the caller's value
  virtual void SetSp(int64_t sp_off) = 0;
  virtual void Step(const Ins& i, int64_t sp_off) = 0;
  virtual z3::expr Taken(const Ins& i) = 0;  // the condition under which branch i is taken
  virtual std::vector<Access> Accesses(const Ins& i) = 0;
};

// A back end.
struct Lifter {
  virtual ~Lifter() = default;
  virtual Decoded Decode(const uint8_t* code, size_t size, uint64_t address) const = 0;
  virtual FrameFacts Frame(const Decoded& d, const Cfg& g, const StoreFacts& facts) const = 0;
  // symbolic false: the first walk's machine (base-plus-constant forms only, no expressions).
  virtual std::unique_ptr<Machine> NewMachine(z3::context& c, const StoreFacts& facts, const Decoded& d,
                                              const Machine::Bases& bases, bool symbolic = true) const = 0;
  // Premises a block may add before its walk (x64: the frame-zeroing loop's counter range).
  virtual void BlockPremises(const Decoded&, const Cfg&, size_t /*block*/, Machine&) const {}
};

// A block's part of a function's result, as the block cache keeps it: its counts, and the
// accesses not proved by instruction (from the block's first).
struct BlockResult {
  FunctionResult counts;
  std::vector<std::pair<uint32_t, AccessResult>> problems;
};

std::string FactsKey(const StoreFacts& facts, uint32_t arg_slots);
bool HoldsAddressIn(const uint8_t* bytes, size_t n, uint64_t lo, uint64_t hi);

// What the caches' keys take of a function, when the caller has worked it out already.
struct FunctionKeys {
  std::string facts;          // FactsKey(facts, in.arg_slots), as the cache numbers it (8 bytes)
  bool self_address = false;  // HoldsAddressIn(the code, its own address range)
};
FunctionKeys KeysOf(const StoreFacts& facts, const FunctionInput& in, ProofCache& cache);
FunctionResult Verify(const Lifter& lifter, const StoreFacts& facts, const FunctionInput& in,
                      ProofCache* cache, const FunctionKeys* keys = nullptr);

const Lifter& X64Lifter();
const Lifter& A64Lifter();

}  // namespace tandem::jit::verify::core
