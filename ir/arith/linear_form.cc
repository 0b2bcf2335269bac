#include "ir/arith/linear_form.h"

#include <algorithm>
#include <cstdlib>

#include "ir/arith/expr_equal.h"
#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::ir::arith {

namespace {

class DivisionByZeroFinder : public IRVisitor {
 public:
  bool found = false;

 protected:
  void visit_binary(const BinaryNode* op) override {
    bool division = op->kind == ExprKind::kDiv || op->kind == ExprKind::kFloorDiv ||
                    op->kind == ExprKind::kFloorMod;
    if (division && op->dtype.is_integer()) {
      const int64_t* divisor = as_const_int(op->b);
      if (!divisor || *divisor == 0) found = true;
    }
    IRVisitor::visit_binary(op);
  }
};

// floordiv(x, c) or floormod(x, c) with a constant c: returns x and sets *c.
const Expr* div_mod_operand(const Expr& e, ExprKind kind, int64_t* c) {
  const auto* op = e.as<BinaryNode>();
  if (!op || op->kind != kind) return nullptr;
  const int64_t* divisor = as_const_int(op->b);
  if (!divisor || *divisor == 0) return nullptr;
  *c = *divisor;
  return &op->a;
}

}  // namespace

bool may_divide_by_zero(const Expr& e) {
  DivisionByZeroFinder finder;
  finder.visit(e);
  return finder.found;
}

LinearForm LinearForm::from_expr(const Expr& e) {
  LinearForm form;
  if (const int64_t* v = as_const_int(e)) {
    form.base_ = *v;
    return form;
  }
  if (const auto* op = e.as<BinaryNode>()) {
    switch (op->kind) {
      case ExprKind::kAdd:
      case ExprKind::kSub:
        form = from_expr(op->a);
        form.add(from_expr(op->b), op->kind == ExprKind::kAdd ? 1 : -1);
        return form;
      case ExprKind::kMul:
        if (const int64_t* c = as_const_int(op->b)) {
          form = from_expr(op->a);
          form.scale(*c);
          return form;
        }
        if (const int64_t* c = as_const_int(op->a)) {
          form = from_expr(op->b);
          form.scale(*c);
          return form;
        }
        break;
      default: break;
    }
  }
  form.add_term(e, 1);
  return form;
}

void LinearForm::add_term(const Expr& atom, int64_t coef) {
  auto it = std::find_if(terms_.begin(), terms_.end(),
                         [&](const LinearTerm& t) { return same_expr(t.atom, atom); });
  if (it == terms_.end()) {
    if (coef != 0 || may_divide_by_zero(atom)) terms_.push_back({atom, coef});
    return;
  }
  it->coef += coef;
  if (it->coef == 0 && !may_divide_by_zero(it->atom)) terms_.erase(it);
}

void LinearForm::add(const LinearForm& other, int64_t scale) {
  for (const LinearTerm& t : other.terms_) add_term(t.atom, t.coef * scale);
  base_ += other.base_ * scale;
}

void LinearForm::scale(int64_t factor) {
  base_ *= factor;
  if (factor == 0) {
    std::erase_if(terms_, [](const LinearTerm& t) { return !may_divide_by_zero(t.atom); });
  }
  for (LinearTerm& t : terms_) t.coef *= factor;
}

void LinearForm::merge_div_mod() {
  bool changed = true;
  while (changed) {
    changed = false;
    for (size_t m = 0; m < terms_.size() && !changed; ++m) {
      int64_t c = 0;
      const Expr* x = div_mod_operand(terms_[m].atom, ExprKind::kFloorMod, &c);
      if (!x || terms_[m].coef == 0) continue;
      for (size_t d = 0; d < terms_.size(); ++d) {
        int64_t c2 = 0;
        const Expr* y = div_mod_operand(terms_[d].atom, ExprKind::kFloorDiv, &c2);
        if (!y || c2 != c || terms_[d].coef != terms_[m].coef * c || !same_expr(*x, *y)) continue;
        // floordiv(x, c)*c + floormod(x, c) == x for every x and c != 0.
        Expr merged = *x;
        int64_t k = terms_[m].coef;
        terms_.erase(terms_.begin() + std::max(m, d));
        terms_.erase(terms_.begin() + std::min(m, d));
        add(from_expr(merged), k);
        changed = true;
        break;
      }
    }
  }
}

Expr LinearForm::to_expr(DataType t) const {
  std::vector<LinearTerm> sorted = terms_;
  std::stable_sort(sorted.begin(), sorted.end(), [](const LinearTerm& a, const LinearTerm& b) {
    return std::llabs(a.coef) > std::llabs(b.coef);
  });
  auto term_expr = [&](const Expr& atom, int64_t coef) {
    return coef == 1 ? atom : mul(atom, int_imm(t, coef));
  };
  Expr result;
  for (const LinearTerm& term : sorted) {
    if (term.coef < 0) continue;
    Expr e = term_expr(term.atom, term.coef);
    result = result.defined() ? ir::add(result, e) : e;
  }
  for (const LinearTerm& term : sorted) {
    if (term.coef >= 0) continue;
    if (!result.defined()) {
      // Nothing positive to subtract from: start from the constant.
      result = sub(int_imm(t, base_), term_expr(term.atom, -term.coef));
      for (const LinearTerm& rest : sorted) {
        if (rest.coef < 0 && &rest != &term) result = sub(result, term_expr(rest.atom, -rest.coef));
      }
      return result;
    }
    result = sub(result, term_expr(term.atom, -term.coef));
  }
  if (!result.defined()) return int_imm(t, base_);
  if (base_ > 0) return ir::add(result, int_imm(t, base_));
  if (base_ < 0) return sub(result, int_imm(t, -base_));
  return result;
}

}  // namespace kiln::ir::arith
