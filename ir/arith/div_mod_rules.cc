// Rules for floordiv and floormod by a constant. All rest on two identities
// that hold for every integer x, q and every c != 0:
//   floordiv(q*c + x, c) == q + floordiv(x, c),   floormod(q*c + x, c) == floormod(x, c)
// and, for c == g*c' with g > 0 and 0 <= b < g,
//   floordiv(g*x + b, c) == floordiv(x, c'),      floormod(g*x + b, c) == floormod(x, c')*g + b.
#include <algorithm>
#include <numeric>

#include "ir/arith/rewrite_simplifier.h"
#include "ir/op.h"

namespace kiln::ir::arith {

namespace {

int64_t floordiv_int(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// floordiv(x, c) where x is a single term of coefficient 1 of the given kind.
const BinaryNode* single_atom_of_kind(const LinearForm& form, ExprKind kind) {
  if (form.base() != 0 || form.terms().size() != 1 || form.terms()[0].coef != 1) return nullptr;
  const auto* op = form.terms()[0].atom.as<BinaryNode>();
  return op && op->kind == kind ? op : nullptr;
}

// Splits `form` into g*high + low where the terms of low are no multiples of
// g; low keeps the constant.
void split_by_factor(const LinearForm& form, int64_t g, LinearForm* high, LinearForm* low) {
  for (const LinearTerm& t : form.terms()) {
    if (t.coef % g == 0)
      high->add_term(t.atom, t.coef / g);
    else
      low->add_term(t.atom, t.coef);
  }
  low->add_const(form.base());
}

// Candidate factors g for the gcd rule: gcd(c, coef) > 1, largest first.
std::vector<int64_t> gcd_candidates(const LinearForm& form, int64_t c) {
  std::vector<int64_t> out;
  for (const LinearTerm& t : form.terms()) {
    int64_t g = std::gcd(c, t.coef);
    if (g > 1 && std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
  }
  std::sort(out.rbegin(), out.rend());
  return out;
}

}  // namespace

Expr Simplifier::rewrite_div_mod(ExprKind kind, const Expr& a, const Expr& b) {
  DataType t = a.dtype();
  const int64_t* c = as_const_int(b);
  if (!c || *c == 0 || may_divide_by_zero(a)) return binary(kind, a, b);
  LinearForm form = LinearForm::from_expr(a);
  if (kind == ExprKind::kDiv) {
    // Truncating division equals floor division for a non-negative dividend
    // and a positive divisor.
    if (*c > 0 && bound(a).min >= 0) return floordiv_by_const(form, *c, t);
    return binary(kind, a, b);
  }
  return kind == ExprKind::kFloorDiv ? floordiv_by_const(form, *c, t)
                                     : floormod_by_const(form, *c, t);
}

Expr Simplifier::floordiv_by_const(const LinearForm& a, int64_t c, DataType t) {
  LinearForm quotient, rest;
  for (const LinearTerm& term : a.terms()) {
    if (term.coef % c == 0)
      quotient.add_term(term.atom, term.coef / c);
    else
      rest.add_term(term.atom, term.coef);
  }
  rest.add_const(a.base());
  quotient.add(LinearForm::from_expr(floordiv_rest(rest, c, t)));
  return rewrite_linear(quotient, t);
}

Expr Simplifier::floormod_by_const(const LinearForm& a, int64_t c, DataType t) {
  LinearForm rest;
  for (const LinearTerm& term : a.terms()) {
    if (term.coef % c != 0) rest.add_term(term.atom, term.coef);
  }
  rest.add_const(a.base());
  return floormod_rest(rest, c, t);
}

Expr Simplifier::floordiv_rest(const LinearForm& rest, int64_t c, DataType t) {
  if (rest.is_const()) return int_imm(t, floordiv_int(rest.base(), c));
  ConstIntBound b = bound(rest, t);
  if (b.has_min() && b.has_max() && floordiv_int(b.min, c) == floordiv_int(b.max, c)) {
    return int_imm(t, floordiv_int(b.min, c));
  }
  if (c > 0) {
    for (int64_t g : gcd_candidates(rest, c)) {
      LinearForm high, low;
      split_by_factor(rest, g, &high, &low);
      ConstIntBound lb = bound(low, t);
      if (lb.min >= 0 && lb.max < g) return floordiv_by_const(high, c / g, t);
    }
    // floordiv(floordiv(x, a), c) == floordiv(x, a*c) for a, c > 0.
    if (const BinaryNode* inner = single_atom_of_kind(rest, ExprKind::kFloorDiv)) {
      const int64_t* a = as_const_int(inner->b);
      int64_t product;
      if (a && *a > 0 && !__builtin_mul_overflow(*a, c, &product)) {
        return floordiv_by_const(LinearForm::from_expr(inner->a), product, t);
      }
    }
    // floordiv(floormod(x, m), c) == floormod(floordiv(x, c), m/c) when c divides m > 0.
    if (const BinaryNode* inner = single_atom_of_kind(rest, ExprKind::kFloorMod)) {
      const int64_t* m = as_const_int(inner->b);
      if (m && *m > 0 && *m % c == 0) {
        Expr quotient = floordiv_by_const(LinearForm::from_expr(inner->a), c, t);
        return floormod_by_const(LinearForm::from_expr(quotient), *m / c, t);
      }
    }
  }
  return floordiv(rest.to_expr(t), int_imm(t, c));
}

Expr Simplifier::floormod_rest(const LinearForm& rest, int64_t c, DataType t) {
  if (rest.is_const()) {
    return int_imm(t, rest.base() - floordiv_int(rest.base(), c) * c);
  }
  ConstIntBound b = bound(rest, t);
  if (b.has_min() && b.has_max() && floordiv_int(b.min, c) == floordiv_int(b.max, c)) {
    LinearForm shifted = rest;
    shifted.add_const(-floordiv_int(b.min, c) * c);
    return rewrite_linear(shifted, t);
  }
  if (c > 0) {
    for (int64_t g : gcd_candidates(rest, c)) {
      LinearForm high, low;
      split_by_factor(rest, g, &high, &low);
      ConstIntBound lb = bound(low, t);
      if (lb.min >= 0 && lb.max < g) {
        LinearForm result = low;
        result.add(LinearForm::from_expr(floormod_by_const(high, c / g, t)), g);
        return rewrite_linear(result, t);
      }
    }
  }
  // floormod(floormod(x, m), c) == floormod(x, c) when c divides m.
  if (const BinaryNode* inner = single_atom_of_kind(rest, ExprKind::kFloorMod)) {
    const int64_t* m = as_const_int(inner->b);
    if (m && *m % c == 0) return floormod_by_const(LinearForm::from_expr(inner->a), c, t);
  }
  return floormod(rest.to_expr(t), int_imm(t, c));
}

}  // namespace kiln::ir::arith
