// Simplification of integer index expressions, and the Analyzer that holds
// what is known about variables (their ranges) while simplifying or proving.
//
// The simplifier never changes the value of an expression for an assignment
// of the variables within their bound ranges. It folds constants, collects
// linear terms (`i*4 + j - i*4` -> `j`), and uses ranges to remove floordiv,
// floormod, min, max and comparisons (`floordiv(i*8 + j, 8)` -> `i` when
// 0 <= j < 8). A division whose divisor may be zero is left as written and is
// never cancelled out of a sum.
#pragma once

#include <vector>

#include "ir/arith/int_bound.h"
#include "ir/stmt.h"

namespace kiln::ir::arith {

class Analyzer {
 public:
  // Records that `var` lies in `range` (or `bound`); a later bind replaces an
  // earlier one. A range with a symbolic min uses the variables bound so far.
  void bind(const Var& var, const Range& range);
  void bind(const Var& var, const ConstIntBound& bound);
  // Binds each loop variable to [min, min + extent) of its For statement;
  // throws std::invalid_argument when a statement is not a For.
  void bind_loops(const std::vector<Stmt>& loops);

  Expr simplify(const Expr& e) const;
  // True only when `cond` holds for every assignment in the bound ranges.
  bool can_prove(const Expr& cond) const;
  bool can_prove_equal(const Expr& a, const Expr& b) const;
  ConstIntBound const_int_bound(const Expr& e) const;

  const VarBoundMap& bounds() const { return bounds_; }

 private:
  VarBoundMap bounds_;
};

// Simplification without any knowledge of variable ranges.
Expr simplify(const Expr& e);

}  // namespace kiln::ir::arith
