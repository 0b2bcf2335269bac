// auto_bind: every loop nest a GPU kernel's other rules left unbound (an
// elementwise operator, a padding, a pooling) gets its leading spatial
// loops fused and split by a sampled thread count (32 to 1024), onto
// blockIdx.x and threadIdx.x; a nest with no such loop runs in one thread,
// in a unit loop on blockIdx.x. Applied on the first block of each nest.
#include <algorithm>

#include "schedule/block_analysis.h"
#include "schedule/gpu_steps.h"
#include "search/space/space_rule.h"

namespace kiln::search {

namespace {

class AutoBind final : public SpaceRule {
 public:
  explicit AutoBind(const Target& target) : max_threads_(target.max_threads_per_block) {}
  std::string name() const override { return "auto_bind"; }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch,
                                     sched::BlockRV block) const override {
    sched::Schedule s = sch.copy();
    try {
      const std::vector<sched::LoopRV> loops = s.get_loops(block);
      if (loops.empty()) {
        s.bind(s.add_unit_loop(block), "blockIdx.x");
        return {s};
      }
      const std::vector<sched::BlockRV> nest = s.get_child_blocks(loops.front());
      if (nest.empty() || s.block_name(nest.front()) != s.block_name(block)) return {sch};
      std::vector<sched::LoopRV> leading;
      for (const sched::LoopRV& l : loops) {
        const ir::Stmt loop = s.loop_stmt(l);
        const auto* f = loop.as<ir::ForNode>();
        if (f->for_kind == ir::ForKind::kThreadBinding) return {sch};  // bound already
        if (f->for_kind != ir::ForKind::kSerial || !sched::reduction_block_using(loop).empty())
          break;
        leading.push_back(l);
        if (!f->body.as<ir::ForNode>()) break;  // the nest forks below
      }
      if (leading.empty()) {
        s.bind(s.add_unit_loop(loops.front()), "blockIdx.x");
        return {s};
      }
      const sched::LoopRV fused = sched::fuse_all(s, leading);
      const std::vector<sched::LoopRV> parts = sched::split_by_sampled_threads(
          s, fused, sched::thread_counts(std::min<int64_t>(1024, max_threads_)));
      s.bind(parts[0], "blockIdx.x");
      s.bind(parts[1], "threadIdx.x");
    } catch (const sched::ScheduleError&) {
      return {sch};
    }
    return {s};
  }

 private:
  int64_t max_threads_;
};

}  // namespace

std::unique_ptr<SpaceRule> auto_bind(const Target& target) {
  return std::make_unique<AutoBind>(target);
}

}  // namespace kiln::search
