#include "search/space/block_facts.h"

#include "ir/functor.h"
#include "schedule/block_analysis.h"

namespace kiln::search {

std::vector<LoopKind> loop_kinds(const sched::Schedule& sch, sched::BlockRV block,
                                 const std::vector<sched::LoopRV>& loops) {
  const auto* realize = sch.block_stmt(block).as<ir::BlockRealizeNode>();
  std::vector<LoopKind> kinds;
  for (const sched::LoopRV& loop : loops) {
    const ir::Var v = sch.loop_var(loop);
    bool spatial = false, reduction = false;
    for (size_t i = 0; i < realize->iter_values.size(); ++i) {
      if (!sched::uses_var(realize->iter_values[i], v)) continue;
      (realize->block->iter_vars[i].kind == ir::IterKind::kSpatial ? spatial : reduction) = true;
    }
    kinds.push_back(spatial && reduction ? LoopKind::kMixed
                    : spatial            ? LoopKind::kSpatial
                    : reduction          ? LoopKind::kReduction
                                         : LoopKind::kUnused);
  }
  return kinds;
}

namespace {

class CostlyFinder : public ir::IRVisitor {
 public:
  bool found = false;

 protected:
  void visit_select(const ir::SelectNode* op) override {
    found = true;
    ir::IRVisitor::visit_select(op);
  }
  void visit_call(const ir::CallNode* op) override {
    found = true;
    ir::IRVisitor::visit_call(op);
  }
};

}  // namespace

bool computes_selects_or_calls(const sched::Schedule& sch, sched::BlockRV block) {
  const ir::BlockNode& b = *sch.block_stmt(block).as<ir::BlockRealizeNode>()->block;
  CostlyFinder finder;
  finder.visit(b.body);
  if (b.init.defined()) finder.visit(b.init);
  return finder.found;
}

}  // namespace kiln::search
