// Linear normal form of integer index expressions: sum(coef * atom) + base.
//
// `+`, `-`, multiplication by a constant and constants are the linear
// structure; any other expression (a variable, floordiv, min, a product of two
// variables...) is an atom. Equal atoms (arith::same_expr) are collected into
// one term, which is what cancels `i*4 + j - i*4` to `j`.
#pragma once

#include <cstdint>
#include <vector>

#include "ir/expr.h"

namespace kiln::ir::arith {

struct LinearTerm {
  Expr atom;
  int64_t coef;
};

class LinearForm {
 public:
  LinearForm() = default;
  explicit LinearForm(int64_t base) : base_(base) {}
  static LinearForm from_expr(const Expr& e);

  void add_term(const Expr& atom, int64_t coef);
  void add(const LinearForm& other, int64_t scale = 1);
  void add_const(int64_t value) { base_ += value; }
  void scale(int64_t factor);

  // Rewrites floordiv(x, c)*(c*k) + floormod(x, c)*k into x*k.
  void merge_div_mod();

  bool is_const() const { return terms_.empty(); }
  int64_t base() const { return base_; }
  const std::vector<LinearTerm>& terms() const { return terms_; }

  // The expression of type `t`: terms by decreasing |coef| (ties keep their
  // first appearance), positive terms first, then subtracted ones, then the
  // constant: `i*16 + j*4 + k - m*2 + 3`.
  Expr to_expr(DataType t) const;

 private:
  std::vector<LinearTerm> terms_;
  int64_t base_ = 0;
};

// True when evaluating `e` may divide by zero (a division by a divisor that
// is not a non-zero constant). Such terms are kept even when they cancel.
bool may_divide_by_zero(const Expr& e);

}  // namespace kiln::ir::arith
