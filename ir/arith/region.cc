#include "ir/arith/region.h"

#include <optional>
#include <stdexcept>

#include "ir/arith/expr_equal.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/printer.h"

namespace kiln::ir::arith {

namespace {

// The values of an expression: [lo, hi], both inclusive and symbolic in the
// variables that are not relaxed.
struct Interval {
  Expr lo, hi;
  bool is_point() const { return same_expr(lo, hi); }
};

class IntervalEvaluator {
 public:
  IntervalEvaluator(const VarRangeMap& relaxed, const Analyzer& analyzer)
      : relaxed_(relaxed), analyzer_(analyzer), bounded_(analyzer) {
    for (const auto& [var, range] : relaxed) bounded_.bind(var, range);
  }

  Interval eval(const Expr& e) {
    if (!uses_relaxed(e)) return {e, e};
    DataType t = e.dtype();
    if (e.as<VarNode>()) {
      const Range& r = relaxed_.at(Var::from_expr(e));
      return {r.min, r.min + r.extent - 1};
    }
    if (const auto* op = e.as<BinaryNode>()) {
      if (std::optional<Interval> result = eval_binary(op)) return *result;
    } else if (const auto* op = e.as<SelectNode>()) {
      Interval a = eval(op->true_value), b = eval(op->false_value);
      return {min(a.lo, b.lo), max(a.hi, b.hi)};
    }
    // Anything else: constant bounds over the relaxed ranges.
    ConstIntBound b = bounded_.const_int_bound(e);
    // The whole range of the type is no region: say so rather than cover it.
    if (!b.has_min() || !b.has_max() || b == ConstIntBound::of_type(t)) {
      throw std::invalid_argument("relax_region: the index part `" + to_script(e) +
                                  "` is unbounded; bind the ranges of its variables in the "
                                  "analyzer, or read it through a buffer region instead");
    }
    return {int_imm(t, b.min), int_imm(t, b.max)};
  }

 private:
  std::optional<Interval> eval_binary(const BinaryNode* op) {
    const int64_t* c = as_const_int(op->b);
    switch (op->kind) {
      case ExprKind::kAdd: {
        Interval a = eval(op->a), b = eval(op->b);
        return Interval{a.lo + b.lo, a.hi + b.hi};
      }
      case ExprKind::kSub: {
        Interval a = eval(op->a), b = eval(op->b);
        return Interval{a.lo - b.hi, a.hi - b.lo};
      }
      case ExprKind::kMul: {
        const int64_t* ca = as_const_int(op->a);
        if (!c && !ca) return std::nullopt;
        Interval x = eval(c ? op->a : op->b);
        Expr k = c ? op->b : op->a;
        int64_t value = c ? *c : *ca;
        return value >= 0 ? Interval{x.lo * k, x.hi * k} : Interval{x.hi * k, x.lo * k};
      }
      case ExprKind::kFloorDiv: {
        // Monotone in the dividend for a constant divisor.
        if (!c || *c == 0) return std::nullopt;
        Interval x = eval(op->a);
        if (*c > 0) return Interval{floordiv(x.lo, op->b), floordiv(x.hi, op->b)};
        return Interval{floordiv(x.hi, op->b), floordiv(x.lo, op->b)};
      }
      case ExprKind::kFloorMod: {
        if (!c || *c <= 0) return std::nullopt;
        Interval x = eval(op->a);
        // Within one period the remainder grows with the dividend.
        if (analyzer_.can_prove_equal(floordiv(x.lo, op->b), floordiv(x.hi, op->b))) {
          return Interval{floormod(x.lo, op->b), floormod(x.hi, op->b)};
        }
        return Interval{make_zero(op->dtype), int_imm(op->dtype, *c - 1)};
      }
      case ExprKind::kMin:
      case ExprKind::kMax: {
        Interval a = eval(op->a), b = eval(op->b);
        return Interval{binary(op->kind, a.lo, b.lo), binary(op->kind, a.hi, b.hi)};
      }
      default: return std::nullopt;
    }
  }

  bool uses_relaxed(const Expr& e) const {
    struct Finder : IRVisitor {
      const VarRangeMap* relaxed;
      bool found = false;
      void visit_var(const VarNode* v) override {
        for (const auto& [var, range] : *relaxed) found |= var.get() == v;
      }
    } finder;
    finder.relaxed = &relaxed_;
    finder.visit(e);
    return finder.found;
  }

  const VarRangeMap& relaxed_;
  const Analyzer& analyzer_;
  Analyzer bounded_;  // also knows the relaxed ranges, for constant bounds
};

}  // namespace

std::vector<Range> relax_region(const std::vector<Expr>& indices, const VarRangeMap& relaxed,
                                const Analyzer& analyzer) {
  IntervalEvaluator evaluator(relaxed, analyzer);
  std::vector<Range> region;
  for (const Expr& index : indices) {
    // Simplifying first collects repeated variables (`i*4 + i`), which is
    // what makes interval arithmetic exact on affine indices.
    Interval iv = evaluator.eval(analyzer.simplify(index));
    Expr min = analyzer.simplify(iv.lo);
    Expr extent = analyzer.simplify(iv.hi - iv.lo + 1);
    region.push_back(Range::from_min_extent(min, extent));
  }
  return region;
}

}  // namespace kiln::ir::arith
