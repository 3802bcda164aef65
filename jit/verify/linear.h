// linear.h: the verifier's quick prover (docs/verifier.md, "Speed"). Internal to jit/verify/.
//
// Most proof obligations are an access's offset against a size, under a bounds check that
// compared almost the same offset with the same size: `idx + 12 <= size` proves
// `idx + 4 + 8 <= size`. The SAT solver behind Z3's bit-vectors takes milliseconds over the
// adders of such a query; reasoning over integers takes microseconds.
//
// Every bit-vector term is read as a linear form over atoms (symbols, and the terms the reader
// does not take apart) with integer coefficients, and every atom has an unsigned range. A form
// whose range lies inside [0, 2^width), once shifted by a multiple of 2^width, is *exact*: its
// integer value is the bit-vector's value. Comparisons of exact forms are integer inequalities.
// The premises narrow the atoms' ranges and give inequalities; a goal inequality G <= 0 holds
// when the largest value of G is at most 0, or of G - P for a premise P <= 0.
//
// The answer is one-sided: kProved only when the goal holds in every model of the premises,
// kContradiction only when the premises have no model (the path cannot run); kNotShown means
// nothing (the solver decides). Ranges and coefficients are
// 128-bit integers with overflow checked; widths above 100 bits are not read.
#pragma once

#include <z3++.h>

#include <memory>
#include <vector>

namespace tandem::jit::verify::core {

enum class Verdict { kProved, kContradiction, kNotShown };

// The premises read once, for several goals (an access tried against each region in turn).
class QuickProver {
 public:
  QuickProver(z3::context& c, const std::vector<z3::expr>& premises);
  ~QuickProver();
  // Whether `goal` holds wherever every premise does (sound, incomplete).
  Verdict Prove(const z3::expr& goal);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The same for one goal.
Verdict Prove(const std::vector<z3::expr>& premises, const z3::expr& goal);

}  // namespace tandem::jit::verify::core
