#include "codegen/passes/loop_partition.h"

#include <optional>

#include "codegen/passes/stmt_utils.h"
#include "ir/arith/simplify.h"
#include "ir/functor.h"
#include "ir/op.h"
#include "ir/substitute.h"

namespace kiln::codegen {

namespace {

// The conditions of the IfThenElse statements under a loop, split into
// conjuncts, with the ranges of the loops between the loop and each.
struct Condition {
  ir::Expr expr;
  std::vector<std::pair<ir::Var, ir::Range>> inner_loops;
};

class ConditionCollector : public ir::IRVisitor {
 public:
  std::vector<Condition> conditions;

 protected:
  void visit_for(const ir::ForNode* op) override {
    loops_.push_back({op->loop_var, ir::Range::from_min_extent(op->min, op->extent)});
    ir::IRVisitor::visit_for(op);
    loops_.pop_back();
  }
  void visit_if_then_else(const ir::IfThenElseNode* op) override {
    add(op->condition);
    ir::IRVisitor::visit_if_then_else(op);
  }

 private:
  void add(const ir::Expr& cond) {
    if (const auto* both = cond.as<ir::BinaryNode>(); both && cond.kind() == ir::ExprKind::kAnd) {
      add(both->a);
      add(both->b);
      return;
    }
    conditions.push_back({cond, loops_});
  }
  std::vector<std::pair<ir::Var, ir::Range>> loops_;
};

class Partitioner : public ir::IRMutator {
 protected:
  // Outer loops split first: a tail peeled off outside leaves the inner
  // loops of the main part whole.
  ir::Stmt mutate_for(const ir::Stmt& s, const ir::ForNode* op) override {
    outer_.bind(op->loop_var, ir::Range::from_min_extent(op->min, op->extent));
    const int64_t* extent = ir::as_const_int(op->extent);
    const bool splittable =
        op->for_kind == ir::ForKind::kSerial || op->for_kind == ir::ForKind::kParallel ||
        op->for_kind == ir::ForKind::kUnrolled || op->for_kind == ir::ForKind::kVectorized;
    std::optional<int64_t> cut;
    if (splittable && extent && *extent >= 2 && ir::is_const_int(op->min, 0) &&
        partitions_ < kMaxPartitions)
      cut = split_point(*op, *extent);
    if (!cut) return ir::IRMutator::mutate_for(s, op);
    ++partitions_;
    // [0, cut) keeps the variable; [cut, extent) gets a fresh one shifted by cut.
    ir::Var tail_var = op->loop_var.copy_with_name(op->loop_var.name());
    ir::Stmt tail_body =
        ir::substitute(op->body, {{op->loop_var, tail_var + ir::int_imm(tail_var.dtype(), *cut)}});
    ir::Stmt head = ir::for_loop(op->loop_var, op->min, ir::int_imm(op->extent.dtype(), *cut),
                                 op->for_kind, op->body, "", op->annotations);
    ir::Stmt tail = ir::for_loop(tail_var, ir::make_zero(tail_var.dtype()),
                                 ir::int_imm(op->extent.dtype(), *extent - *cut), op->for_kind,
                                 tail_body, "", op->annotations);
    // Each part may split again on another condition.
    return ir::seq({mutate(head), mutate(tail)});
  }

 private:
  // A point 0 < p < extent where some condition is provable on all of [0, p)
  // or all of [p, extent) (and not on the whole range).
  std::optional<int64_t> split_point(const ir::ForNode& loop, int64_t extent) {
    ConditionCollector collector;
    collector.visit(loop.body);
    for (const Condition& c : collector.conditions) {
      if (!uses_var(c.expr, loop.loop_var)) continue;
      auto holds_on = [&](int64_t lo, int64_t hi) {
        ir::arith::Analyzer a = outer_;
        a.bind(loop.loop_var,
               ir::Range::from_min_extent(ir::int_imm(loop.loop_var.dtype(), lo),
                                          ir::int_imm(loop.loop_var.dtype(), hi - lo)));
        for (const auto& [var, range] : c.inner_loops) a.bind(var, range);
        return a.can_prove(c.expr);
      };
      if (holds_on(0, extent)) continue;
      // Longest prefix [0, p) on which it holds (holding is monotone in p).
      int64_t lo = 0, hi = extent;  // holds on [0, lo); fails on [0, hi]
      while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        (holds_on(0, mid) ? lo : hi) = mid;
      }
      if (lo > 0) return lo;
      // Longest suffix [q, extent).
      lo = 0, hi = extent;  // fails on [lo, extent); holds on [hi, extent)
      while (hi - lo > 1) {
        int64_t mid = lo + (hi - lo) / 2;
        (holds_on(mid, extent) ? hi : lo) = mid;
      }
      if (hi < extent) return hi;
    }
    return std::nullopt;
  }

  ir::arith::Analyzer outer_;
  int partitions_ = 0;
};

}  // namespace

ir::PrimFunc loop_partition(const ir::PrimFunc& func) {
  return ir::with_body(func, Partitioner().mutate(func->body));
}

}  // namespace kiln::codegen
