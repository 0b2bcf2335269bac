// cross_thread_reduction: a reduction without data reuse (a row max, a row
// sum: softmax, layernorm) on a GPU reduces each row across the threads of a
// block: its spatial loops fused onto blockIdx.x, its reduction loops fused
// and split by a sampled thread count (32 to 512), the thread part bound to
// threadIdx.x outside the serial part (the lowering turns it into a tree or
// warp reduction). Only a block that is one store with an init, alone in its
// nest: what the cross-thread lowering takes.
#include <algorithm>

#include "schedule/block_predicates.h"
#include "schedule/gpu_steps.h"
#include "search/space/block_facts.h"
#include "search/space/space_rule.h"

namespace kiln::search {

namespace {

class CrossThreadReduction final : public SpaceRule {
 public:
  explicit CrossThreadReduction(const Target& target) : max_threads_(target.max_threads_per_block) {}
  std::string name() const override { return "cross_thread_reduction"; }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch,
                                     sched::BlockRV block) const override {
    if (!sched::is_reduction(sch, block) || sched::has_data_reuse(sch, block)) return {sch};
    const ir::BlockNode& b = *sch.block_stmt(block).as<ir::BlockRealizeNode>()->block;
    if (!b.init.defined() || !b.body.as<ir::BufferStoreNode>()) return {sch};
    sched::Schedule s = sch.copy();
    const std::vector<sched::LoopRV> loops = s.get_loops(block);
    if (loops.empty() || s.get_child_blocks(loops.front()).size() != 1) return {sch};
    const std::vector<LoopKind> kinds = loop_kinds(s, block, loops);
    std::vector<sched::LoopRV> spatial, reduction;
    for (size_t i = 0; i < loops.size(); ++i) {
      if (kinds[i] == LoopKind::kSpatial) spatial.push_back(loops[i]);
      else if (kinds[i] == LoopKind::kReduction) reduction.push_back(loops[i]);
      else return {sch};
    }
    const std::vector<int64_t> counts = sched::thread_counts(std::min<int64_t>(512, max_threads_));
    if (reduction.empty() || counts.empty()) return {sch};
    try {
      std::vector<sched::LoopRV> order = spatial;
      order.insert(order.end(), reduction.begin(), reduction.end());
      if (order.size() > 1) s.reorder(order);
      const sched::LoopRV fused = sched::fuse_all(s, reduction);
      const std::vector<sched::LoopRV> k = sched::split_by_sampled_threads(s, fused, counts);
      s.reorder({k[1], k[0]});
      const sched::LoopRV rows = spatial.empty() ? s.add_unit_loop(k[1]) : sched::fuse_all(s, spatial);
      s.bind(rows, "blockIdx.x");
      s.bind(k[1], "threadIdx.x");
    } catch (const sched::ScheduleError&) {
      return {sch};
    }
    return {s};
  }

 private:
  int64_t max_threads_;
};

}  // namespace

std::unique_ptr<SpaceRule> cross_thread_reduction(const Target& target) {
  return std::make_unique<CrossThreadReduction>(target);
}

}  // namespace kiln::search
