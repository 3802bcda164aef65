// linear.cc: the verifier's quick prover over linear forms and ranges (linear.h).
#include "jit/verify/linear.h"

#include <algorithm>
#include <optional>
#include <set>
#include <unordered_map>
#include <unordered_set>

namespace tandem::jit::verify::core {
namespace {

using I = __int128;
using U = unsigned __int128;
constexpr unsigned kMaxWidth = 100;  // wider terms are not read (ranges would not fit in I)
constexpr int kRounds = 3;           // premises re-read as ranges narrow

I Pow2(unsigned w) { return I{1} << w; }

// a + b, a * b, or nullopt on overflow.
std::optional<I> Add(I a, I b) {
  I r;
  if (__builtin_add_overflow(a, b, &r)) return std::nullopt;
  return r;
}
std::optional<I> Mul(I a, I b) {
  I r;
  if (__builtin_mul_overflow(a, b, &r)) return std::nullopt;
  return r;
}

// Within ±2^120: bounds this far from overflow can be negated, subtracted and rounded safely
// (ranges that large tell nothing here anyway).
bool Small(I x) { return x > -(I{1} << 120) && x < (I{1} << 120); }

// Floor and ceiling of a / b for b > 0.
I FloorDiv(I a, I b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
I CeilDiv(I a, I b) { return a >= 0 ? (a + b - 1) / b : -((-a) / b); }

struct Range {
  I lo = 0, hi = 0;  // inclusive
};

// Σ coefficient·atom + k. As a bit-vector term's reading (Read), it is the term's value modulo
// 2^w, its coefficients kept in (-2^(w-1), 2^(w-1)] and k in [0, 2^w); as an inequality's side
// (Ineq), it is an integer.
struct Lin {
  std::vector<std::pair<size_t, I>> terms;  // (atom, coefficient != 0), by atom
  I k = 0;
};

// Residue of u modulo 2^w, as a coefficient (nearest zero) or as a constant (non-negative).
I Signed(U u, unsigned w) {
  const U m = (U{1} << w) - 1;
  u &= m;
  return u > (U{1} << (w - 1)) ? static_cast<I>(u) - Pow2(w) : static_cast<I>(u);
}
I Residue(U u, unsigned w) { return static_cast<I>(u & ((U{1} << w) - 1)); }

// a + s·b modulo 2^w (wrapping 128-bit arithmetic keeps residues modulo 2^w, w <= 128).
Lin ModAxpy(const Lin& a, const Lin& b, I s, unsigned w) {
  Lin out;
  size_t i = 0, j = 0;
  while (i < a.terms.size() || j < b.terms.size()) {
    size_t atom;
    U c = 0;
    if (j == b.terms.size() || (i < a.terms.size() && a.terms[i].first < b.terms[j].first)) {
      atom = a.terms[i].first, c = static_cast<U>(a.terms[i].second), ++i;
    } else if (i == a.terms.size() || b.terms[j].first < a.terms[i].first) {
      atom = b.terms[j].first, c = static_cast<U>(b.terms[j].second) * static_cast<U>(s), ++j;
    } else {
      atom = a.terms[i].first;
      c = static_cast<U>(a.terms[i].second) + static_cast<U>(b.terms[j].second) * static_cast<U>(s);
      ++i, ++j;
    }
    const I r = Signed(c, w);
    if (r != 0) out.terms.push_back({atom, r});
  }
  out.k = Residue(static_cast<U>(a.k) + static_cast<U>(b.k) * static_cast<U>(s), w);
  return out;
}

// a - b over the integers (nullopt on overflow).
std::optional<Lin> IntSub(const Lin& a, const Lin& b) {
  Lin out;
  size_t i = 0, j = 0;
  while (i < a.terms.size() || j < b.terms.size()) {
    if (j == b.terms.size() || (i < a.terms.size() && a.terms[i].first < b.terms[j].first)) {
      out.terms.push_back(a.terms[i++]);
    } else if (i == a.terms.size() || b.terms[j].first < a.terms[i].first) {
      out.terms.push_back({b.terms[j].first, -b.terms[j].second});
      ++j;
    } else {
      auto c = Add(a.terms[i].second, -b.terms[j].second);
      if (!c) return std::nullopt;
      if (*c != 0) out.terms.push_back({a.terms[i].first, *c});
      ++i, ++j;
    }
  }
  auto k = Add(a.k, -b.k);
  if (!k) return std::nullopt;
  out.k = *k;
  return out;
}

class Prover {
 public:
  explicit Prover(z3::context& c) : c_(c) {}

  // Reads the premises; false when they contradict.
  bool Assume(const std::vector<z3::expr>& premises) {
    for (const z3::expr& p : premises) Flatten(p, literals_);
    for (const z3::expr& l : literals_) {
      if (l.is_app() && l.decl().decl_kind() == Z3_OP_NOT) negated_.insert(l.arg(0).id());
      if (l.is_app() && l.decl().decl_kind() == Z3_OP_DISTINCT && l.num_args() == 2) {
        distinct_.insert({l.arg(0).id(), l.arg(1).id()});
        distinct_.insert({l.arg(1).id(), l.arg(0).id()});
      }
    }
    for (int round = 0; round < kRounds; ++round) {
      forms_.clear();
      ineqs_.clear();
      for (const z3::expr& l : literals_) AssumeLiteral(l);
      for (int pass = 0; pass < 2; ++pass)
        for (const Lin& d : ineqs_)
          if (!Narrow(d)) return false;
    }
    forms_.clear();
    return true;
  }

  bool Shows(const z3::expr& goal) { return Goal(goal); }

 private:
  struct Atom {
    unsigned w;
    Range r;
  };

  static void Flatten(const z3::expr& e, std::vector<z3::expr>& out) {
    if (e.is_app() && e.decl().decl_kind() == Z3_OP_AND) {
      for (unsigned k = 0; k < e.num_args(); ++k) Flatten(e.arg(k), out);
      return;
    }
    out.push_back(e);
  }

  size_t AtomOf(const z3::expr& e, unsigned w) {
    auto [it, fresh] = atom_of_.emplace(e.id(), atoms_.size());
    if (fresh) {
      atoms_.push_back({w, {0, Pow2(w) - 1}});
      keep_.push_back(e);  // the id stays this term's while it lives
    }
    return it->second;
  }

  Lin AtomForm(const z3::expr& e, unsigned w) {
    Lin l;
    l.terms.push_back({AtomOf(e, w), 1});
    return l;
  }

  std::optional<Range> RangeOf(const Lin& l) const {
    I lo = l.k, hi = l.k;
    for (auto [a, c] : l.terms) {
      const Range& r = atoms_[a].r;
      auto x = Mul(c, r.lo), y = Mul(c, r.hi);
      if (!x || !y) return std::nullopt;
      auto nlo = Add(lo, std::min(*x, *y)), nhi = Add(hi, std::max(*x, *y));
      if (!nlo || !nhi) return std::nullopt;
      lo = *nlo, hi = *nhi;
    }
    return Range{lo, hi};
  }

  // The range of an integer form, narrowed by the inequalities: for P <= 0, L <= L - P and
  // L >= L + P (P with its terms negated is -P >= 0). So `size - rel` is at least 0 under
  // `rel - size <= 0`, which the atoms' ranges alone cannot tell.
  std::optional<Range> TightRange(const Lin& l) const {
    auto r = RangeOf(l);
    if (!r) return std::nullopt;
    for (const Lin& p : ineqs_) {
      if (auto up = IntSub(l, p))
        if (auto ru = RangeOf(*up)) r->hi = std::min(r->hi, ru->hi);
      Lin neg = p;
      for (auto& t : neg.terms) t.second = -t.second;
      neg.k = -neg.k;
      if (auto down = IntSub(l, neg))
        if (auto rd = RangeOf(*down)) r->lo = std::max(r->lo, rd->lo);
    }
    return r;
  }

  // The reading shifted by a multiple of 2^w so that it equals the term's value for every
  // value of its atoms in their ranges; nullopt when its range spans 2^w or more.
  std::optional<Lin> Exact(const Lin& l, unsigned w) const {
    auto r = TightRange(l);
    if (!r || !Small(r->lo) || !Small(r->hi) || r->hi - r->lo >= Pow2(w)) return std::nullopt;
    const I m = FloorDiv(r->lo, Pow2(w));
    if (r->hi - m * Pow2(w) >= Pow2(w)) return std::nullopt;
    Lin out = l;
    out.k -= m * Pow2(w);
    return out;
  }

  static std::optional<U> Numeral(const z3::expr& e) {
    if (!e.is_numeral()) return std::nullopt;
    if (uint64_t v = 0; Z3_get_numeral_uint64(e.ctx(), e, &v)) return U{v};
    const std::string s = Z3_get_numeral_string(e.ctx(), e);
    U v = 0;
    for (char ch : s) {
      if (ch < '0' || ch > '9') return std::nullopt;
      v = v * 10 + static_cast<unsigned>(ch - '0');
    }
    return v;
  }

  // The term's value modulo 2^w as a linear form (nullopt: wider than kMaxWidth).
  std::optional<Lin> Read(const z3::expr& e) {
    if (!e.is_bv()) return std::nullopt;
    const unsigned w = e.get_sort().bv_size();
    if (w > kMaxWidth || w == 0) return std::nullopt;
    if (auto it = forms_.find(e.id()); it != forms_.end()) return it->second;
    std::optional<Lin> out = ReadNew(e, w);
    if (out) {
      forms_.emplace(e.id(), *out);
      keep_.push_back(e);
    }
    return out;
  }

  std::optional<Lin> ReadNew(const z3::expr& e, unsigned w) {
    if (auto v = Numeral(e)) {
      Lin l;
      l.k = Residue(*v, w);
      return l;
    }
    if (!e.is_app()) return AtomForm(e, w);
    const z3::func_decl f = e.decl();
    const unsigned n = e.num_args();
    switch (f.decl_kind()) {
      case Z3_OP_BADD: {
        Lin acc;
        for (unsigned k = 0; k < n; ++k) {
          auto a = Read(e.arg(k));
          if (!a) return AtomForm(e, w);
          acc = ModAxpy(acc, *a, 1, w);
        }
        return acc;
      }
      case Z3_OP_BSUB: {
        auto a = Read(e.arg(0)), b = Read(e.arg(1));
        if (n != 2 || !a || !b) return AtomForm(e, w);
        return ModAxpy(*a, *b, -1, w);
      }
      case Z3_OP_BNEG: {
        auto a = Read(e.arg(0));
        if (!a) return AtomForm(e, w);
        return ModAxpy(Lin{}, *a, -1, w);
      }
      case Z3_OP_BMUL: {
        // A product with at most one factor not a numeral.
        U s = 1;
        std::optional<z3::expr> var;
        for (unsigned k = 0; k < n; ++k) {
          if (auto v = Numeral(e.arg(k))) {
            s *= *v;
          } else if (var) {
            return AtomForm(e, w);
          } else {
            var = e.arg(k);
          }
        }
        if (!var) {
          Lin l;
          l.k = Residue(s, w);
          return l;
        }
        auto a = Read(*var);
        if (!a) return AtomForm(e, w);
        return ModAxpy(Lin{}, *a, Signed(s, w), w);
      }
      case Z3_OP_BSHL: {
        auto sh = Numeral(e.arg(1));
        auto a = Read(e.arg(0));
        if (!sh || !a) return AtomForm(e, w);
        if (*sh >= w) return Lin{};
        return ModAxpy(Lin{}, *a, Signed(U{1} << static_cast<unsigned>(*sh), w), w);
      }
      case Z3_OP_ZERO_EXT: {
        // The value unchanged: an exact reading of the operand, else the operand as an atom.
        const z3::expr x = e.arg(0);
        const unsigned wx = x.get_sort().bv_size();
        if (auto a = Read(x))
          if (auto ex = Exact(*a, wx)) return *ex;
        if (wx > kMaxWidth) return AtomForm(e, w);
        return AtomForm(x, wx);
      }
      case Z3_OP_CONCAT: {
        // hi·2^(width of the rest) + the rest, every part read exactly or else an atom of
        // its own (a part's value is below 2^its width either way).
        Lin acc;
        for (unsigned k = 0; k < n; ++k) {
          const z3::expr x = e.arg(k);
          const unsigned wx = x.get_sort().bv_size();
          std::optional<Lin> part;
          if (auto a = Read(x)) part = Exact(*a, wx);
          if (!part) part = AtomForm(x, wx);
          acc = ModAxpy(ModAxpy(Lin{}, acc, Signed(U{1} << wx, w), w), *part, 1, w);
        }
        return acc;
      }
      case Z3_OP_EXTRACT: {
        const unsigned hi = static_cast<unsigned>(Z3_get_decl_int_parameter(c_, f, 0));
        const unsigned lo = static_cast<unsigned>(Z3_get_decl_int_parameter(c_, f, 1));
        auto a = Read(e.arg(0));
        if (!a) return AtomForm(e, w);
        // The low bits: the reading modulo 2^w (2^w divides the operand's modulus), when that
        // is exact; else the bits as an atom of their own.
        if (lo == 0) {
          Lin low = ModAxpy(Lin{}, *a, 1, w);
          if (auto ex = Exact(low, w)) return *ex;
          return AtomForm(e, w);
        }
        // High bits above an exact value's range: zero.
        if (auto ex = Exact(*a, e.arg(0).get_sort().bv_size()))
          if (auto r = RangeOf(*ex); r && r->lo >= 0 && r->hi < Pow2(lo)) return Lin{};
        (void)hi;
        return AtomForm(e, w);
      }
      default:
        return AtomForm(e, w);
    }
  }

  // The inequalities D <= 0 (over the integers) a comparison literal states; nullopt when it
  // is no comparison or a side is not exact.
  std::optional<std::vector<Lin>> Ineqs(const z3::expr& lit) {
    bool neg = false;
    z3::expr e = lit;
    while (e.is_app() && e.decl().decl_kind() == Z3_OP_NOT) neg = !neg, e = e.arg(0);
    if (auto split = SplitCompare(e, neg)) return split;
    if (!e.is_app() || e.num_args() != 2) return std::nullopt;
    const Z3_decl_kind k = e.decl().decl_kind();
    if (k != Z3_OP_ULEQ && k != Z3_OP_ULT && k != Z3_OP_UGEQ && k != Z3_OP_UGT && k != Z3_OP_EQ)
      return std::nullopt;
    if (!e.arg(0).is_bv()) return std::nullopt;
    const unsigned w = e.arg(0).get_sort().bv_size();
    auto ra = Read(e.arg(0)), rb = Read(e.arg(1));
    if (!ra || !rb) return std::nullopt;
    auto a = Exact(*ra, w), b = Exact(*rb, w);
    if (!a || !b) return std::nullopt;
    // le(x, y, strict): x - y (+1) <= 0.
    auto le = [](const Lin& x, const Lin& y, bool strict) -> std::optional<Lin> {
      auto d = IntSub(x, y);
      if (!d) return std::nullopt;
      if (strict) {
        auto k = Add(d->k, 1);
        if (!k) return std::nullopt;
        d->k = *k;
      }
      return d;
    };
    std::optional<Lin> d;
    switch (k) {
      case Z3_OP_ULEQ: d = neg ? le(*b, *a, true) : le(*a, *b, false); break;
      case Z3_OP_ULT: d = neg ? le(*b, *a, false) : le(*a, *b, true); break;
      case Z3_OP_UGEQ: d = neg ? le(*a, *b, true) : le(*b, *a, false); break;
      case Z3_OP_UGT: d = neg ? le(*a, *b, false) : le(*b, *a, true); break;
      case Z3_OP_EQ: {
        if (neg) return std::nullopt;  // a disequality states no inequality
        auto d1 = le(*a, *b, false), d2 = le(*b, *a, false);
        if (!d1 || !d2) return std::nullopt;
        return std::vector<Lin>{*d1, *d2};
      }
      default: return std::nullopt;
    }
    if (!d) return std::nullopt;
    return std::vector<Lin>{*d};
  }

  // True when the literal cannot hold in the current ranges (or its negation is a premise).
  bool Refuted(const z3::expr& lit) {
    if (negated_.count(lit.id())) return true;
    if (lit.is_app() && lit.decl().decl_kind() == Z3_OP_EQ && distinct_.count({lit.arg(0).id(), lit.arg(1).id()}))
      return true;
    if (lit.is_false()) return true;
    if (auto ds = Ineqs(lit))
      for (const Lin& d : *ds)
        if (auto r = RangeOf(d); r && r->lo > 0) return true;
    return false;
  }

  void AssumeLiteral(const z3::expr& lit) {
    if (lit.is_app() && lit.decl().decl_kind() == Z3_OP_OR) {
      // A disjunction whose other disjuncts are refuted states its last one.
      std::optional<z3::expr> left;
      for (unsigned k = 0; k < lit.num_args(); ++k) {
        if (Refuted(lit.arg(k))) continue;
        if (left) return;
        left = lit.arg(k);
      }
      if (left) {
        std::vector<z3::expr> parts;
        Flatten(*left, parts);
        for (const z3::expr& p : parts) AssumeLiteral(p);
      }
      return;
    }
    // (Before the general reading, which would take extract(w-1, l, x) as an atom of its own.)
    if (HighBits(lit)) return;
    if (auto ds = Ineqs(lit)) {
      for (Lin& d : *ds) ineqs_.push_back(std::move(d));
      return;
    }
    // x != K with K at an end of x's range narrows it.
    const bool distinct = lit.is_app() && lit.decl().decl_kind() == Z3_OP_DISTINCT && lit.num_args() == 2;
    if (distinct || (lit.is_app() && lit.decl().decl_kind() == Z3_OP_NOT)) {
      const z3::expr e = distinct ? lit : lit.arg(0);
      if (e.is_app() && (distinct || e.decl().decl_kind() == Z3_OP_EQ) && e.arg(0).is_bv()) {
        for (int side = 0; side < 2; ++side) {
          auto v = Numeral(e.arg(1 - side));
          auto x = Read(e.arg(side));
          if (!v || !x || x->terms.size() != 1 || x->terms[0].second != 1 || x->k != 0) continue;
          Range& r = atoms_[x->terms[0].first].r;
          const I kv = static_cast<I>(*v);
          if (kv == r.lo) ++r.lo;
          else if (kv == r.hi) --r.hi;
        }
      }
    }
  }

  // Z3's simplifier writes x <= K (x of width w, K < 2^l) as
  // extract(w-1, l, x) = 0 and extract(l-1, 0, x) <= K; negated, x >= K + 1.
  std::optional<std::vector<Lin>> SplitCompare(const z3::expr& e, bool neg) {
    if (!e.is_app() || e.decl().decl_kind() != Z3_OP_AND || e.num_args() != 2) return std::nullopt;
    auto extract = [&](const z3::expr& t, unsigned* hi, unsigned* lo) {
      if (!t.is_app() || t.decl().decl_kind() != Z3_OP_EXTRACT) return false;
      *hi = static_cast<unsigned>(Z3_get_decl_int_parameter(c_, t.decl(), 0));
      *lo = static_cast<unsigned>(Z3_get_decl_int_parameter(c_, t.decl(), 1));
      return true;
    };
    const z3::expr high = e.arg(0), low = e.arg(1);
    if (!high.is_app() || high.decl().decl_kind() != Z3_OP_EQ || !low.is_app() ||
        low.decl().decl_kind() != Z3_OP_ULEQ)
      return std::nullopt;
    unsigned h1, l1, h2, l2;
    auto zero = Numeral(high.arg(1));
    auto k = Numeral(low.arg(1));
    if (!zero || *zero != 0 || !k || !extract(high.arg(0), &h1, &l1) || !extract(low.arg(0), &h2, &l2))
      return std::nullopt;
    const z3::expr x = high.arg(0).arg(0);
    if (x.id() != low.arg(0).arg(0).id() || h1 + 1 != x.get_sort().bv_size() || l2 != 0 || h2 + 1 != l1)
      return std::nullopt;
    auto r = Read(x);
    if (!r) return std::nullopt;
    auto ex = Exact(*r, h1 + 1);
    if (!ex) return std::nullopt;
    Lin bound;
    bound.k = static_cast<I>(*k);
    // x - K <= 0, or K + 1 - x <= 0.
    std::optional<Lin> d = neg ? IntSub(bound, *ex) : IntSub(*ex, bound);
    if (!d) return std::nullopt;
    if (neg) d->k += 1;
    return std::vector<Lin>{*d};
  }

  // extract(w-1, l, x) = 0 states x < 2^l; its negation, x >= 2^l (x exact, of width w).
  bool HighBits(const z3::expr& lit) {
    bool neg = false;
    z3::expr e = lit;
    while (e.is_app() && e.decl().decl_kind() == Z3_OP_NOT) neg = !neg, e = e.arg(0);
    if (!e.is_app() || e.decl().decl_kind() != Z3_OP_EQ || !e.arg(0).is_bv()) return false;
    for (int side = 0; side < 2; ++side) {
      const z3::expr x = e.arg(side);
      auto zero = Numeral(e.arg(1 - side));
      if (!zero || *zero != 0 || !x.is_app() || x.decl().decl_kind() != Z3_OP_EXTRACT) continue;
      const z3::expr inner = x.arg(0);
      const unsigned wi = inner.get_sort().bv_size();
      const unsigned hi = static_cast<unsigned>(Z3_get_decl_int_parameter(c_, x.decl(), 0));
      const unsigned lo = static_cast<unsigned>(Z3_get_decl_int_parameter(c_, x.decl(), 1));
      if (hi + 1 != wi || lo == 0) continue;
      auto r = Read(inner);
      if (!r) continue;
      auto ex = Exact(*r, wi);
      if (!ex) continue;
      Lin bound;
      bound.k = Pow2(lo);
      // = 0: x - 2^l + 1 <= 0;  != 0: 2^l - x <= 0.
      std::optional<Lin> d = neg ? IntSub(bound, *ex) : IntSub(*ex, bound);
      if (!d) continue;
      if (!neg) d->k += 1;
      ineqs_.push_back(*d);
      return true;
    }
    return false;
  }

  // Narrows each atom's range by D <= 0; false when a range empties (the premises contradict).
  bool Narrow(const Lin& d) {
    for (size_t t = 0; t < d.terms.size(); ++t) {
      const auto [a, c] = d.terms[t];
      Lin rest = d;
      rest.terms.erase(rest.terms.begin() + static_cast<long>(t));
      auto r = RangeOf(rest);
      if (!r || !Small(r->lo)) continue;
      Range& ar = atoms_[a].r;
      // c·a <= -rest <= -r->lo.
      if (c > 0) ar.hi = std::min(ar.hi, FloorDiv(-r->lo, c));
      else ar.lo = std::max(ar.lo, CeilDiv(r->lo, -c));
      if (ar.lo > ar.hi) return false;
    }
    return true;
  }

  bool Goal(const z3::expr& g) {
    if (g.is_true()) return true;
    if (g.is_app() && g.decl().decl_kind() == Z3_OP_AND) {
      // Each conjunct shown joins the inequalities the next ones may use (it follows from the
      // premises).
      for (unsigned k = 0; k < g.num_args(); ++k) {
        if (!Goal(g.arg(k))) return false;
        if (auto ds = Ineqs(g.arg(k)))
          for (Lin& d : *ds) ineqs_.push_back(std::move(d));
      }
      return true;
    }
    if (g.is_app() && g.decl().decl_kind() == Z3_OP_OR) {
      for (unsigned k = 0; k < g.num_args(); ++k)
        if (Goal(g.arg(k))) return true;
      return false;
    }
    auto ds = Ineqs(g);
    if (!ds) return false;
    for (const Lin& d : *ds)
      if (!Shown(d)) return false;
    return true;
  }

  // D <= 0 from the ranges alone, or from D - λ·P <= 0 for a premise P <= 0 and λ > 0 (λ
  // matching a coefficient both share, or 1).
  bool Shown(const Lin& d) const {
    auto at_most_zero = [&](const Lin& x) {
      auto r = RangeOf(x);
      return r && r->hi <= 0;
    };
    if (at_most_zero(d)) return true;
    for (const Lin& p : ineqs_) {
      std::vector<I> lambdas = {1};
      for (auto [a, cd] : d.terms)
        for (auto [b, cp] : p.terms)
          if (a == b && ((cd > 0) == (cp > 0)) && cd % cp == 0 && cd / cp != 1) lambdas.push_back(cd / cp);
      for (I l : lambdas) {
        Lin scaled;
        for (auto [b, cp] : p.terms) {
          auto x = Mul(cp, l);
          if (!x) return false;
          scaled.terms.push_back({b, *x});
        }
        auto k = Mul(p.k, l);
        if (!k) continue;
        scaled.k = *k;
        if (auto diff = IntSub(d, scaled); diff && at_most_zero(*diff)) return true;
      }
    }
    return false;
  }

  z3::context& c_;
  std::vector<z3::expr> literals_;
  std::unordered_set<unsigned> negated_;  // ids of terms whose negation is a premise literal
  std::set<std::pair<unsigned, unsigned>> distinct_;  // (a, b) of every premise a != b
  std::vector<Atom> atoms_;
  std::unordered_map<unsigned, size_t> atom_of_;
  std::unordered_map<unsigned, Lin> forms_;
  std::vector<Lin> ineqs_;
  std::vector<z3::expr> keep_;  // the terms whose ids key the maps
};

}  // namespace

struct QuickProver::Impl : Prover {
  using Prover::Prover;
  bool contradiction = false;
};

QuickProver::QuickProver(z3::context& c, const std::vector<z3::expr>& premises)
    : impl_(std::make_unique<Impl>(c)) {
  impl_->contradiction = !impl_->Assume(premises);
}

QuickProver::~QuickProver() = default;

Verdict QuickProver::Prove(const z3::expr& goal) {
  if (impl_->contradiction) return Verdict::kContradiction;
  return impl_->Shows(goal) ? Verdict::kProved : Verdict::kNotShown;
}

Verdict Prove(const std::vector<z3::expr>& premises, const z3::expr& goal) {
  QuickProver p(goal.ctx(), premises);
  return p.Prove(goal);
}

}  // namespace tandem::jit::verify::core
