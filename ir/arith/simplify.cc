#include "ir/arith/simplify.h"

#include <numeric>
#include <optional>
#include <stdexcept>

#include "ir/arith/expr_equal.h"
#include "ir/arith/rewrite_simplifier.h"
#include "ir/op.h"

namespace kiln::ir::arith {

namespace {

// Linear rules (collecting terms, moving them across a comparison) hold for
// signed scalar integers; unsigned ones wrap and floats do not associate.
bool is_index_type(DataType t) { return t.is_int() && t.is_scalar(); }

Expr bool_imm(bool v) { return int_imm(DataType::Bool(), v); }

// The comparison that is true exactly when `kind` is false (for integers).
ExprKind negate_comparison(ExprKind kind) {
  switch (kind) {
    case ExprKind::kLT: return ExprKind::kGE;
    case ExprKind::kLE: return ExprKind::kGT;
    case ExprKind::kGT: return ExprKind::kLE;
    case ExprKind::kGE: return ExprKind::kLT;
    case ExprKind::kEQ: return ExprKind::kNE;
    default: return ExprKind::kEQ;
  }
}

int64_t floordiv_int(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Writes `form <kind> 0` as `positive terms <kind> negated negative terms`,
// so `i*8 + j - 100 < 0` reads `i*8 + j < 100` and `2 - i < 0` reads `i > 2`.
// With no positive term the sides swap, which flips <, <=, >, >=.
Expr render_comparison(ExprKind kind, const LinearForm& form, DataType t) {
  bool any_positive = false;
  for (const LinearTerm& term : form.terms()) any_positive |= term.coef >= 0;
  LinearForm lhs, rhs;
  if (!any_positive) {
    // -N + base < 0  <=>  N > base: flip so that the terms stay positive.
    for (const LinearTerm& term : form.terms()) lhs.add_term(term.atom, -term.coef);
    rhs.add_const(form.base());
    ExprKind flipped = kind;
    if (kind == ExprKind::kLT) flipped = ExprKind::kGT;
    if (kind == ExprKind::kLE) flipped = ExprKind::kGE;
    if (kind == ExprKind::kGT) flipped = ExprKind::kLT;
    if (kind == ExprKind::kGE) flipped = ExprKind::kLE;
    return binary(flipped, lhs.to_expr(t), rhs.to_expr(t));
  }
  for (const LinearTerm& term : form.terms()) {
    if (term.coef >= 0)
      lhs.add_term(term.atom, term.coef);
    else
      rhs.add_term(term.atom, -term.coef);
  }
  rhs.add_const(-form.base());
  return binary(kind, lhs.to_expr(t), rhs.to_expr(t));
}

}  // namespace

// ------------------------------------------------------------------ dispatch

Expr Simplifier::mutate_binary(const Expr& e, const BinaryNode* op) {
  Expr a = mutate(op->a), b = mutate(op->b);
  ExprKind kind = op->kind;
  if (is_index_type(op->dtype)) {
    switch (kind) {
      case ExprKind::kAdd:
      case ExprKind::kSub: {
        LinearForm form = LinearForm::from_expr(a);
        form.add(LinearForm::from_expr(b), kind == ExprKind::kAdd ? 1 : -1);
        return rewrite_linear(form, op->dtype);
      }
      case ExprKind::kMul: return rewrite_mul(a, b);
      case ExprKind::kDiv:
      case ExprKind::kFloorDiv:
      case ExprKind::kFloorMod: return rewrite_div_mod(kind, a, b);
      case ExprKind::kMin:
      case ExprKind::kMax: return rewrite_min_max(kind, a, b);
      default: break;
    }
  }
  if (is_comparison(kind) && is_index_type(a.dtype())) return rewrite_compare(kind, a, b);
  if ((kind == ExprKind::kAnd || kind == ExprKind::kOr) && op->dtype.is_scalar()) {
    return rewrite_logic(kind, a, b);
  }
  if (a.same_as(op->a) && b.same_as(op->b)) return e;
  return binary(kind, a, b);
}

Expr Simplifier::mutate_not(const Expr& e, const NotNode* op) {
  Expr a = mutate(op->a);
  return a.dtype().is_scalar() ? rewrite_not(a) : logical_not(a);
}

Expr Simplifier::mutate_select(const Expr& e, const SelectNode* op) {
  Expr cond = mutate(op->condition);
  Expr t = mutate(op->true_value), f = mutate(op->false_value);
  if (const int64_t* c = as_const_int(cond)) return *c ? t : f;
  if (same_expr(t, f)) return t;
  return select(cond, t, f);
}

Expr Simplifier::mutate_let(const Expr& e, const LetNode* op) {
  Expr value = mutate(op->value);
  const ConstIntBound value_bound = bound(value);
  if (!let_bounds_) {
    let_bounds_ = *bounds_;
    bounds_ = &*let_bounds_;
  }
  auto previous = let_bounds_->find(op->var);
  std::optional<ConstIntBound> saved;
  if (previous != let_bounds_->end()) saved = previous->second;
  (*let_bounds_)[op->var] = value_bound;
  Expr body = mutate(op->body);
  if (saved)
    (*let_bounds_)[op->var] = *saved;
  else
    let_bounds_->erase(op->var);
  return let(op->var, value, body);
}

// ------------------------------------------------------------------- rules

Expr Simplifier::rewrite_linear(LinearForm form, DataType t) {
  form.merge_div_mod();
  return form.to_expr(t);
}

Expr Simplifier::rewrite_mul(const Expr& a, const Expr& b) {
  DataType t = a.dtype();
  LinearForm fa = LinearForm::from_expr(a), fb = LinearForm::from_expr(b);
  if (fb.is_const()) std::swap(fa, fb);
  if (fa.is_const()) {
    fb.scale(fa.base());
    return rewrite_linear(fb, t);
  }
  // A product of two non-constants is an atom; pull constant factors out of
  // single terms so that `(i*2) * (j*3)` reads `i*j*6`.
  LinearForm product;
  if (fa.base() == 0 && fb.base() == 0 && fa.terms().size() == 1 && fb.terms().size() == 1) {
    product.add_term(mul(fa.terms()[0].atom, fb.terms()[0].atom),
                     fa.terms()[0].coef * fb.terms()[0].coef);
  } else {
    product.add_term(mul(a, b), 1);
  }
  return rewrite_linear(product, t);
}

Expr Simplifier::rewrite_min_max(ExprKind kind, const Expr& a, const Expr& b) {
  bool is_min = kind == ExprKind::kMin;
  if (same_expr(a, b)) return a;
  if (as_const_int(a) && !as_const_int(b)) return rewrite_min_max(kind, b, a);
  LinearForm diff = LinearForm::from_expr(a);
  diff.add(LinearForm::from_expr(b), -1);
  diff.merge_div_mod();
  if (!may_divide_by_zero(a) && !may_divide_by_zero(b)) {
    ConstIntBound d = bound(diff, a.dtype());
    if (d.max <= 0) return is_min ? a : b;
    if (d.min >= 0) return is_min ? b : a;
  }
  // min(min(x, c1), c2) == min(x, min(c1, c2)).
  const auto* inner = a.as<BinaryNode>();
  if (inner && inner->kind == kind && as_const_int(inner->b) && as_const_int(b)) {
    return rewrite_min_max(kind, inner->a, binary(kind, inner->b, b));
  }
  return binary(kind, a, b);
}

Expr Simplifier::rewrite_compare(ExprKind kind, const Expr& a, const Expr& b) {
  DataType t = a.dtype();
  LinearForm diff = LinearForm::from_expr(a);
  diff.add(LinearForm::from_expr(b), -1);
  diff.merge_div_mod();
  bool traps = may_divide_by_zero(a) || may_divide_by_zero(b);
  if (diff.is_const() || !traps) {
    ConstIntBound d = bound(diff, t);
    switch (kind) {
      case ExprKind::kLT:
        if (d.max < 0 || d.min >= 0) return bool_imm(d.max < 0);
        break;
      case ExprKind::kLE:
        if (d.max <= 0 || d.min > 0) return bool_imm(d.max <= 0);
        break;
      case ExprKind::kGT:
        if (d.min > 0 || d.max <= 0) return bool_imm(d.min > 0);
        break;
      case ExprKind::kGE:
        if (d.min >= 0 || d.max < 0) return bool_imm(d.min >= 0);
        break;
      case ExprKind::kEQ:
      case ExprKind::kNE: {
        bool equal = d.is_single() && d.min == 0;
        bool differ = d.min > 0 || d.max < 0;
        if (equal || differ) return bool_imm(equal == (kind == ExprKind::kEQ));
        break;
      }
      default: break;
    }
  }
  // Divide by the gcd g of the coefficients: g*s + base OP 0 becomes s + base' OP 0.
  int64_t g = 0;
  for (const LinearTerm& term : diff.terms()) g = std::gcd(g, term.coef);
  if (g > 1 && !traps) {
    LinearForm reduced;
    for (const LinearTerm& term : diff.terms()) reduced.add_term(term.atom, term.coef / g);
    int64_t base = diff.base();
    switch (kind) {
      // g*s < -base <=> s <= floordiv(-base - 1, g)
      case ExprKind::kLT: reduced.add_const(-floordiv_int(-base - 1, g) - 1); break;
      case ExprKind::kLE: reduced.add_const(-floordiv_int(-base, g)); break;
      // g*s > -base <=> s >= floordiv(-base, g) + 1
      case ExprKind::kGT: reduced.add_const(-floordiv_int(-base, g)); break;
      case ExprKind::kGE: reduced.add_const(-floordiv_int(-base - 1, g) - 1); break;
      default:
        if (base % g != 0) return bool_imm(kind == ExprKind::kNE);
        reduced.add_const(base / g);
    }
    diff = reduced;
  }
  return render_comparison(kind, diff, t);
}

Expr Simplifier::rewrite_logic(ExprKind kind, const Expr& a, const Expr& b) {
  bool is_and = kind == ExprKind::kAnd;
  // The absorbing value (false for and, true for or) and the neutral one.
  for (const auto& [x, y] : {std::pair{a, b}, std::pair{b, a}}) {
    if (const int64_t* c = as_const_int(x)) return (*c != 0) == is_and ? y : x;
  }
  if (same_expr(a, b)) return a;
  return binary(kind, a, b);
}

Expr Simplifier::rewrite_not(const Expr& a) {
  if (const auto* inner = a.as<NotNode>()) return inner->a;
  const auto* cmp = a.as<BinaryNode>();
  if (cmp && is_comparison(cmp->kind) && is_index_type(cmp->a.dtype())) {
    return rewrite_compare(negate_comparison(cmp->kind), cmp->a, cmp->b);
  }
  return logical_not(a);
}

// ---------------------------------------------------------------- Analyzer

void Analyzer::bind(const Var& var, const Range& range) {
  bounds_[var] = bound_of_range(range, bounds_);
}

void Analyzer::bind(const Var& var, const ConstIntBound& bound) { bounds_[var] = bound; }

void Analyzer::bind_loops(const std::vector<Stmt>& loops) {
  for (const Stmt& s : loops) {
    const auto* loop = s.as<ForNode>();
    if (!loop) {
      throw std::invalid_argument(
          "Analyzer::bind_loops: a statement in the list is not a For loop; pass only the loops "
          "whose variables should be bound");
    }
    bind(loop->loop_var, Range::from_min_extent(loop->min, loop->extent));
  }
}

Expr Analyzer::simplify(const Expr& e) const {
  if (!e.defined()) return e;
  // A second pass picks up rules that the first one enabled higher up.
  Expr once = Simplifier(bounds_).simplify(e);
  Expr twice = Simplifier(bounds_).simplify(once);
  return twice;
}

bool Analyzer::can_prove(const Expr& cond) const {
  return is_const_int(simplify(cond), 1) && cond.dtype().is_bool();
}

bool Analyzer::can_prove_equal(const Expr& a, const Expr& b) const {
  if (same_expr(a, b)) return true;
  if (!is_index_type(a.dtype()) || !is_index_type(b.dtype())) return false;
  return is_const_int(simplify(a - b), 0);
}

ConstIntBound Analyzer::const_int_bound(const Expr& e) const {
  return arith::const_int_bound(simplify(e), bounds_);
}

Expr simplify(const Expr& e) { return Analyzer().simplify(e); }

}  // namespace kiln::ir::arith
