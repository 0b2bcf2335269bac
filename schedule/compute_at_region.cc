#include "schedule/compute_at_region.h"

#include <unordered_set>

#include "ir/functor.h"
#include "ir/op.h"

namespace kiln::sched {

namespace {

using ir::Expr;
using ir::ExprKind;
using ir::arith::ConstIntBound;

using VarNodeSet = std::unordered_set<const ir::VarNode*>;

class RelaxedVarFinder : public ir::IRVisitor {
 public:
  explicit RelaxedVarFinder(const VarNodeSet& relaxed) : relaxed_(relaxed) {}
  bool found = false;

 protected:
  void visit_var(const ir::VarNode* op) override { found |= relaxed_.count(op) > 0; }

 private:
  const VarNodeSet& relaxed_;
};

class Relaxer {
 public:
  Relaxer(const ir::arith::VarRangeMap& relaxed, const ir::arith::Analyzer& analyzer)
      : relaxed_(relaxed), analyzer_(analyzer) {
    for (const auto& [var, range] : relaxed) relaxed_nodes_.insert(var.get());
  }

  IndexInterval relax(const Expr& e) {
    switch (e.kind()) {
      case ExprKind::kIntImm: return point(e);
      case ExprKind::kVar: {
        auto it = relaxed_.find(ir::Var::from_expr(e));
        if (it == relaxed_.end()) return point(e);
        const ir::Range& r = it->second;
        return {relax(r.min).min, relax(r.min + r.extent - 1).max};
      }
      case ExprKind::kAdd:
      case ExprKind::kSub:
      case ExprKind::kMul:
      case ExprKind::kFloorDiv:
      case ExprKind::kFloorMod:
      case ExprKind::kMin:
      case ExprKind::kMax: return relax_binary(e, e.as<ir::BinaryNode>());
      default: return opaque(e);
    }
  }

 private:
  static IndexInterval point(const Expr& e) { return {e, e}; }
  static bool is_point(const IndexInterval& i) { return i.min.defined() && i.min.same_as(i.max); }
  static Expr both(const Expr& a, const Expr& b, Expr (*op)(Expr, Expr)) {
    return a.defined() && b.defined() ? op(a, b) : Expr();
  }

  IndexInterval relax_binary(const Expr& e, const ir::BinaryNode* op) {
    IndexInterval a = relax(op->a), b = relax(op->b);
    if (is_point(a) && is_point(b)) {
      return point(
          a.min.same_as(op->a) && b.min.same_as(op->b) ? e : ir::binary(e.kind(), a.min, b.min));
    }
    const int64_t* c = ir::as_const_int(op->b);
    switch (e.kind()) {
      case ExprKind::kAdd: return {both(a.min, b.min, ir::add), both(a.max, b.max, ir::add)};
      case ExprKind::kSub: return {both(a.min, b.max, ir::sub), both(a.max, b.min, ir::sub)};
      case ExprKind::kMin: return {both(a.min, b.min, ir::min), both(a.max, b.max, ir::min)};
      case ExprKind::kMax: return {both(a.min, b.min, ir::max), both(a.max, b.max, ir::max)};
      case ExprKind::kMul: {
        const int64_t* ca = ir::as_const_int(op->a);
        if (!c && ca) return scale(b, *ca);
        if (c) return scale(a, *c);
        return opaque(e);
      }
      case ExprKind::kFloorDiv:
        // floordiv by a positive constant is monotone.
        if (c && *c > 0)
          return {both(a.min, op->b, ir::floordiv), both(a.max, op->b, ir::floordiv)};
        return opaque(e);
      case ExprKind::kFloorMod:
        if (c && *c > 0) {
          // Within one period the remainder is monotone; across periods it
          // takes every value.
          if (a.min.defined() && a.max.defined() &&
              analyzer_.can_prove(ir::eq(ir::floordiv(a.min, op->b), ir::floordiv(a.max, op->b))))
            return {ir::floormod(a.min, op->b), ir::floormod(a.max, op->b)};
          return {ir::make_zero(e.dtype()), ir::int_imm(e.dtype(), *c - 1)};
        }
        return opaque(e);
      default: return opaque(e);
    }
  }

  static IndexInterval scale(const IndexInterval& a, int64_t c) {
    auto times = [c](const Expr& x) {
      return x.defined() ? x * ir::int_imm(x.dtype(), c) : Expr();
    };
    if (c >= 0) return {times(a.min), times(a.max)};
    return {times(a.max), times(a.min)};
  }

  // An expression the interval arithmetic does not follow: a point when it
  // does not depend on the relaxed loops, otherwise its constant bounds.
  IndexInterval opaque(const Expr& e) {
    RelaxedVarFinder finder(relaxed_nodes_);
    finder.visit(e);
    if (!finder.found) return point(e);
    ConstIntBound b = analyzer_.const_int_bound(e);
    return {b.has_min() ? ir::int_imm(e.dtype(), b.min) : Expr(),
            b.has_max() ? ir::int_imm(e.dtype(), b.max) : Expr()};
  }

  const ir::arith::VarRangeMap& relaxed_;
  VarNodeSet relaxed_nodes_;
  const ir::arith::Analyzer& analyzer_;
};

}  // namespace

IndexInterval relax_index(const ir::Expr& index, const ir::arith::VarRangeMap& relaxed,
                          const ir::arith::Analyzer& analyzer) {
  IndexInterval i = Relaxer(relaxed, analyzer).relax(index);
  return {analyzer.simplify(i.min), analyzer.simplify(i.max)};
}

IndexInterval interval_union(const IndexInterval& a, const IndexInterval& b,
                             const ir::arith::Analyzer& analyzer) {
  auto join = [&](const Expr& x, const Expr& y, Expr (*op)(Expr, Expr)) {
    return x.defined() && y.defined() ? analyzer.simplify(op(x, y)) : Expr();
  };
  return {join(a.min, b.min, ir::min), join(a.max, b.max, ir::max)};
}

}  // namespace kiln::sched
