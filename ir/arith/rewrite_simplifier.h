// The simplifier behind Analyzer::simplify (internal to ir/arith).
//
// It simplifies bottom-up: each node's operands are simplified first, then a
// rewrite_* function applies the rules for that operator to the simplified
// operands. Linear structure goes through LinearForm; everything that needs a
// range asks const_int_bound with the bound variables.
#pragma once

#include <optional>

#include "ir/arith/int_bound.h"
#include "ir/arith/linear_form.h"
#include "ir/functor.h"

namespace kiln::ir::arith {

class Simplifier : public IRMutator {
 public:
  // `bounds` must outlive the simplifier; it is read, never changed (a Let's
  // variable goes into a copy made then: most expressions have none, and
  // copying the map for every simplify was a tenth of schedule replay).
  explicit Simplifier(const VarBoundMap& bounds) : bounds_(&bounds) {}
  Expr simplify(const Expr& e) { return mutate(e); }
  ConstIntBound bound(const Expr& e) const { return const_int_bound(e, *bounds_); }

 protected:
  Expr mutate_binary(const Expr& e, const BinaryNode* op) override;
  Expr mutate_not(const Expr& e, const NotNode* op) override;
  Expr mutate_select(const Expr& e, const SelectNode* op) override;
  Expr mutate_let(const Expr& e, const LetNode* op) override;

 private:
  // The rewrite_* functions take simplified operands (simplify.cc).
  Expr rewrite_linear(LinearForm form, DataType t);
  Expr rewrite_mul(const Expr& a, const Expr& b);
  Expr rewrite_min_max(ExprKind kind, const Expr& a, const Expr& b);
  Expr rewrite_compare(ExprKind kind, const Expr& a, const Expr& b);
  Expr rewrite_logic(ExprKind kind, const Expr& a, const Expr& b);
  Expr rewrite_not(const Expr& a);

  // Division by a constant (div_mod_rules.cc).
  Expr rewrite_div_mod(ExprKind kind, const Expr& a, const Expr& b);
  Expr floordiv_by_const(const LinearForm& a, int64_t c, DataType t);
  Expr floormod_by_const(const LinearForm& a, int64_t c, DataType t);
  // floordiv/floormod of a form whose terms are no multiples of c.
  Expr floordiv_rest(const LinearForm& rest, int64_t c, DataType t);
  Expr floormod_rest(const LinearForm& rest, int64_t c, DataType t);

  ConstIntBound bound(const LinearForm& form, DataType t) const { return bound(form.to_expr(t)); }

  const VarBoundMap* bounds_;
  std::optional<VarBoundMap> let_bounds_;  // the copy Lets bind their variables in
};

}  // namespace kiln::ir::arith
