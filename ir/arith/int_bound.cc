#include "ir/arith/int_bound.h"

#include <algorithm>
#include <initializer_list>

#include "ir/op.h"

namespace kiln::ir::arith {

namespace {

using B = ConstIntBound;
constexpr int64_t kPosInf = B::kPosInf;
constexpr int64_t kNegInf = B::kNegInf;

bool is_inf(int64_t v) { return v == kPosInf || v == kNegInf; }

// Saturating arithmetic on bound endpoints: an infinite operand or an overflow
// gives the infinity of the result's sign.
int64_t sat_add(int64_t x, int64_t y) {
  if (x == kNegInf || y == kNegInf) return (x == kPosInf || y == kPosInf) ? 0 : kNegInf;
  if (x == kPosInf || y == kPosInf) return kPosInf;
  int64_t r;
  if (__builtin_add_overflow(x, y, &r)) return x > 0 ? kPosInf : kNegInf;
  return r;
}

int64_t sat_neg(int64_t x) {
  if (x == kNegInf) return kPosInf;
  if (x == kPosInf) return kNegInf;
  return -x;
}

int64_t sat_mul(int64_t x, int64_t y) {
  if (x == 0 || y == 0) return 0;
  bool negative = (x < 0) != (y < 0);
  int64_t r;
  if (is_inf(x) || is_inf(y) || __builtin_mul_overflow(x, y, &r)) {
    return negative ? kNegInf : kPosInf;
  }
  return r;
}

int64_t floordiv_int(int64_t a, int64_t b) {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

// Endpoint division; only called with b != 0 and b finite.
int64_t sat_div(int64_t a, int64_t b, bool floor) {
  if (a == kPosInf || a == kNegInf) return ((a > 0) == (b > 0)) ? kPosInf : kNegInf;
  if (b == -1) return sat_neg(a);
  return floor ? floordiv_int(a, b) : a / b;
}

B hull(std::initializer_list<int64_t> values) { return {std::min(values), std::max(values)}; }

B intersect(B a, B b) { return {std::max(a.min, b.min), std::min(a.max, b.max)}; }

class BoundAnalyzer {
 public:
  explicit BoundAnalyzer(const VarBoundMap& vars) : vars_(vars) {}

  B bound(const Expr& e) {
    DataType t = e.dtype();
    if (!(t.is_integer() || t.is_bool())) return B::everything();
    B b = visit(e);
    return intersect(b, B::of_type(t.element_of()));
  }

 private:
  B visit(const Expr& e) {
    switch (e.kind()) {
      case ExprKind::kIntImm: return B::single(e.as<IntImmNode>()->value);
      case ExprKind::kVar: {
        auto it = vars_.find(Var::from_expr(e));
        return it == vars_.end() ? B::of_type(e.dtype()) : it->second;
      }
      case ExprKind::kAdd:
      case ExprKind::kSub:
      case ExprKind::kMul:
      case ExprKind::kDiv:
      case ExprKind::kFloorDiv:
      case ExprKind::kFloorMod:
      case ExprKind::kMin:
      case ExprKind::kMax: {
        const auto* op = e.as<BinaryNode>();
        return arith(e.kind(), bound(op->a), bound(op->b));
      }
      case ExprKind::kSelect: {
        const auto* op = e.as<SelectNode>();
        B c = bound(op->condition);
        if (c.min == 1) return bound(op->true_value);
        if (c.max == 0) return bound(op->false_value);
        B x = bound(op->true_value), y = bound(op->false_value);
        return {std::min(x.min, y.min), std::max(x.max, y.max)};
      }
      case ExprKind::kCast: {
        // A value that fits the new type keeps its bound; otherwise it wraps.
        B v = bound(e.as<CastNode>()->value);
        B target = B::of_type(e.dtype().element_of());
        if (e.dtype().is_bool()) return v.min > 0 || v.max < 0 ? B::single(1) : target;
        return target.min <= v.min && v.max <= target.max ? v : target;
      }
      case ExprKind::kBroadcast: return bound(e.as<BroadcastNode>()->value);
      case ExprKind::kRamp: {
        const auto* op = e.as<RampNode>();
        B last = arith(ExprKind::kMul, bound(op->stride), B{0, op->lanes - 1});
        return arith(ExprKind::kAdd, bound(op->base), last);
      }
      case ExprKind::kLet: {
        const auto* op = e.as<LetNode>();
        VarBoundMap inner = vars_;
        inner[op->var] = bound(op->value);
        return BoundAnalyzer(inner).bound(op->body);
      }
      default:
        // Comparisons and logic are bool ([0, 1] from the type); loads and
        // calls are unknown.
        return B::of_type(e.dtype().element_of());
    }
  }

  static B arith(ExprKind kind, B a, B b) {
    switch (kind) {
      case ExprKind::kAdd: return {sat_add(a.min, b.min), sat_add(a.max, b.max)};
      case ExprKind::kSub: return {sat_add(a.min, sat_neg(b.max)), sat_add(a.max, sat_neg(b.min))};
      case ExprKind::kMul:
        return hull({sat_mul(a.min, b.min), sat_mul(a.min, b.max), sat_mul(a.max, b.min),
                     sat_mul(a.max, b.max)});
      case ExprKind::kDiv:
      case ExprKind::kFloorDiv: {
        // Both divisions are monotone in each argument once the divisor's
        // sign is fixed, so the corners bound them.
        if (b.contains(0) || is_inf(b.min) || is_inf(b.max)) return B::everything();
        bool floor = kind == ExprKind::kFloorDiv;
        return hull({sat_div(a.min, b.min, floor), sat_div(a.min, b.max, floor),
                     sat_div(a.max, b.min, floor), sat_div(a.max, b.max, floor)});
      }
      case ExprKind::kFloorMod: return floormod(a, b);
      case ExprKind::kMin: return {std::min(a.min, b.min), std::min(a.max, b.max)};
      case ExprKind::kMax: return {std::max(a.min, b.min), std::max(a.max, b.max)};
      default: return B::everything();
    }
  }

  static B floormod(B a, B b) {
    if (b.min > 0) {
      // The result has the divisor's sign and is smaller than it.
      int64_t hi = b.max == kPosInf ? kPosInf : b.max - 1;
      if (b.is_single() && a.has_min() && a.has_max() &&
          floordiv_int(a.min, b.min) == floordiv_int(a.max, b.min)) {
        int64_t shift = floordiv_int(a.min, b.min) * b.min;
        return {a.min - shift, a.max - shift};
      }
      if (a.min >= 0 && a.max < b.min) return a;
      if (a.min >= 0) return {0, std::min(a.max, hi)};
      return {0, hi};
    }
    if (b.max < 0) {
      int64_t lo = b.min == kNegInf ? kNegInf : b.min + 1;
      if (a.max <= 0) return {std::max(a.min, lo), 0};
      return {lo, 0};
    }
    return B::everything();
  }

  const VarBoundMap& vars_;
};

}  // namespace

B ConstIntBound::of_type(DataType t) {
  if (t.is_bool()) return {0, 1};
  if (!t.is_integer() || t.bits() >= 64) {
    if (t.is_uint()) return {0, kPosInf};
    return everything();
  }
  if (t.is_uint()) return {0, (int64_t{1} << t.bits()) - 1};
  return {-(int64_t{1} << (t.bits() - 1)), (int64_t{1} << (t.bits() - 1)) - 1};
}

std::string ConstIntBound::str() const {
  std::string lo = has_min() ? std::to_string(min) : "-inf";
  std::string hi = has_max() ? std::to_string(max) : "+inf";
  return "[" + lo + ", " + hi + "]";
}

B const_int_bound(const Expr& e, const VarBoundMap& vars) {
  if (!e.defined()) return B::everything();
  return BoundAnalyzer(vars).bound(e);
}

B bound_of_range(const Range& range, const VarBoundMap& vars) {
  B lo = const_int_bound(range.min, vars);
  B last = const_int_bound(range.min + range.extent - 1, vars);
  return {lo.min, std::max(lo.min, last.max)};
}

VarBoundMap bounds_of_ranges(const VarRangeMap& ranges) {
  // Two passes so that a range whose min uses another variable sees that
  // variable's bound, independently of the map's iteration order.
  VarBoundMap first, second;
  for (const auto& [var, range] : ranges) first[var] = bound_of_range(range);
  for (const auto& [var, range] : ranges) second[var] = bound_of_range(range, first);
  return second;
}

}  // namespace kiln::ir::arith
