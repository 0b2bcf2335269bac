// add_rfactor: a reduction with too little spatial work to feed the cores (a
// dot product, a row sum over a few long rows, softmax's row max over few
// rows on many cores) gets its parallelism from the reduction instead, as
// MetaSchedule's AddRFactor does. Its reduction loops are fused and split in
// three by a sampled perfect tile, R0 R1 R2 (R2 at most kMaxVectorLanes);
// R0 and R2 are fused into one loop F and rfactor'ed there:
//
//   C_rf[s, f] += ...         F spatial, R1 reduced: the work
//   C[s] += C_rf[s, f]        F reduced: the original block, the result
//
// then F is split back into R0 and R2 around R1, so that R0 goes to the
// threads and R2, innermost and contiguous in C_rf, to the vector lanes. A
// sampled R0 of 1 gives the vectorized-only form, an R2 of 1 the
// parallel-only one; fusing first keeps a unit part from leaving rfactor
// without a loop (only R0 = R2 = 1 does).
//
// The partial block's nest gets the loop annotations of
// parallel_vectorize_unroll here (rules visit only the blocks of the
// original function); the result's block gets them when that rule visits
// it. The sketch without rfactor is kept: the search decides.
//
// "Too little spatial work": has_little_spatial_parallelism (block_facts.h).
// Not every row reduction (for its lanes alone, as MetaSchedule tries): on
// a 2-core Sapphire Rapids, layernorm 128x768 with that sketch tuned to 53
// and 64 us against 12.5 and 39 us without (64 trials, seeds 1 and 0), and
// softmax 128x30522 to 20.1 against 22.4 ms in 5 minutes.
#include <algorithm>

#include "schedule/block_predicates.h"
#include "schedule/gpu_steps.h"  // fuse_all
#include "search/space/block_facts.h"
#include "search/space/space_rule.h"

namespace kiln::search {

namespace {

class AddRFactor final : public SpaceRule {
 public:
  explicit AddRFactor(const Target& target)
      : cores_(target.num_cores), loops_(parallel_vectorize_unroll(target)) {}
  std::string name() const override { return "add_rfactor"; }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch,
                                     sched::BlockRV block) const override {
    if (!sched::is_reduction(sch, block) || !has_little_spatial_parallelism(sch, block, cores_))
      return {sch};
    sched::Schedule s = sch.copy();
    try {
      // Step 1. The block alone in its nest, each loop spatial or reduction.
      const std::vector<sched::LoopRV> loops = s.get_loops(block);
      if (loops.empty() || s.get_child_blocks(loops.front()).size() != 1) return {sch};
      const std::vector<LoopKind> kinds = loop_kinds(s, block, loops);
      std::vector<sched::LoopRV> spatial, reduction;
      for (size_t i = 0; i < loops.size(); ++i) {
        if (kinds[i] == LoopKind::kSpatial)
          spatial.push_back(loops[i]);
        else if (kinds[i] == LoopKind::kReduction)
          reduction.push_back(loops[i]);
        else
          return {sch};
      }
      if (reduction.empty()) return {sch};

      // Step 2. Spatial loops outside, the reduction fused and split in
      // three, its outer and inner parts fused: the loop to rfactor.
      std::vector<sched::LoopRV> order = spatial;
      order.insert(order.end(), reduction.begin(), reduction.end());
      if (!std::is_sorted(kinds.begin(), kinds.end(), [](LoopKind a, LoopKind b) {
            return a == LoopKind::kSpatial && b == LoopKind::kReduction;
          }))
        s.reorder(order);
      const sched::LoopRV fused = sched::fuse_all(s, reduction);
      // Drawn here (for the sketch) as all in R0: any draw but all in R1 works.
      const int64_t extent = *ir::as_const_int(s.loop_stmt(fused).as<ir::ForNode>()->extent);
      const std::vector<sched::ExprRV> factors =
          s.sample_perfect_tile(fused, 3, kMaxVectorLanes, std::vector<int64_t>{extent, 1, 1});
      const std::vector<sched::LoopRV> parts =
          s.split(fused, std::vector<sched::Factor>(factors.begin(), factors.end()));
      s.reorder({parts[0], parts[2], parts[1]});
      const sched::LoopRV spread = s.fuse({parts[0], parts[2]});

      // Step 3. Partial results over it, then the loop split back apart
      // around the serial one: threads outside, lanes inside.
      const sched::BlockRV partial = s.rfactor(spread, -1);
      const std::vector<sched::LoopRV> partial_loops = s.get_loops(partial);
      const sched::LoopRV serial = partial_loops.back();
      const std::vector<sched::LoopRV> threads_lanes =
          s.split(partial_loops[partial_loops.size() - 2], {factors[0], factors[2]});
      s.reorder({threads_lanes[0], serial, threads_lanes[1]});

      // Step 4. The nest of the work runs on the threads and lanes.
      std::vector<sched::Schedule> out = {sch};
      for (sched::Schedule& annotated : loops_->apply(s, partial))
        out.push_back(std::move(annotated));
      return out;
    } catch (const sched::ScheduleError&) {
      return {sch};  // rfactor refuses this block (its update is no known reducer)
    }
  }

 private:
  int64_t cores_;
  std::unique_ptr<SpaceRule> loops_;
};

}  // namespace

std::unique_ptr<SpaceRule> add_rfactor(const Target& target) {
  return std::make_unique<AddRFactor>(target);
}

}  // namespace kiln::search
