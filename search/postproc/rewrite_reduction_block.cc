// rewrite_reduction_block: a reduction whose init sits inside tile loops
// would test "first iteration?" at every step; decompose_reduction puts the
// init before the block's outermost reduction loop instead, over the spatial
// loops under it. Not a reduction across GPU threads (a reduction loop bound
// to threadIdx): its lowering needs the init in the block.
#include "schedule/block_predicates.h"
#include "schedule/ir_utils.h"
#include "search/postproc/postproc.h"
#include "search/space/block_facts.h"

namespace kiln::search {

namespace {

class RewriteReductionBlock final : public Postproc {
 public:
  std::string name() const override { return "rewrite_reduction_block"; }
  bool apply(sched::Schedule& sch) const override {
    for (const ir::Stmt& realize : sched::all_blocks(sch.func())) {
      const ir::BlockNode& b = *realize.as<ir::BlockRealizeNode>()->block;
      if (!b.init.defined()) continue;
      sched::Schedule trial = sch;
      const sched::BlockRV block = trial.get_block(b.name);
      const std::vector<sched::LoopRV> loops = trial.get_loops(block);
      const std::vector<LoopKind> kinds = loop_kinds(trial, block, loops);
      bool across_threads = false;
      for (size_t i = 0; i < loops.size(); ++i)
        across_threads |= kinds[i] != LoopKind::kSpatial &&
                          trial.loop_stmt(loops[i]).as<ir::ForNode>()->for_kind ==
                              ir::ForKind::kThreadBinding;
      if (across_threads) continue;
      for (size_t i = 0; i < loops.size(); ++i) {
        if (kinds[i] != LoopKind::kReduction) continue;
        try {
          trial.decompose_reduction(block, loops[i]);
          sch = trial;
        } catch (const sched::ScheduleError&) {
          // Left as it is: lowering tests the first iteration instead.
        }
        break;
      }
    }
    return true;
  }
};

}  // namespace

std::unique_ptr<Postproc> rewrite_reduction_block() {
  return std::make_unique<RewriteReductionBlock>();
}

}  // namespace kiln::search
