// random_compute_location: a producer that no other rule placed (a padding,
// a reshape) goes where a sampled location says: inlined into its consumer,
// left at the root, or computed under one of the consumer's loops
// (sample_compute_location + compute_at). A reduction without data reuse (a
// softmax's row maximum and sum, a layernorm's row sums) may go under its
// consumer's outermost loop: a row's statistics computed just before the row
// is normalized, while it is in cache. Outputs, blocks that share their nest
// and reductions with data reuse (tiled) stay where they are.
#include "ir/stmt.h"
#include "schedule/block_predicates.h"
#include "schedule/error.h"
#include "search/space/space_rule.h"

namespace kiln::search {

namespace {

class RandomComputeLocation final : public SpaceRule {
 public:
  std::string name() const override { return "random_compute_location"; }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch,
                                     sched::BlockRV block) const override {
    // A reduction with data reuse is multi_level_tiling's: its tiles stay.
    if (sched::is_output(sch, block) ||
        (sched::is_reduction(sch, block) && sched::has_data_reuse(sch, block)))
      return {sch};
    sched::Schedule probe = sch;
    const std::vector<sched::LoopRV> loops = probe.get_loops(block);
    const std::vector<sched::BlockRV> consumers = probe.get_consumers(block);
    if (loops.empty() || probe.get_child_blocks(loops.front()).size() != 1 || consumers.empty())
      return {sch};
    if (sched::is_reduction(sch, block))
      return with_reduction_fused(sch, block, nest_iterations(probe, loops));
    sched::Schedule out = sch.copy();
    const sched::LoopRV where = out.sample_compute_location(block);
    out.compute_at(block, where, true);
    return {out};
  }

 private:
  // A reduction is not given a sampled location: under most of its
  // consumer's loops it would be computed again for each of their
  // iterations (a softmax's row maximum, the whole row once per element).
  // It goes under its (first) consumer's outermost loop (each row reduced
  // just before it is used) where every consumer is under that loop and it
  // computes nothing twice there, beside the sketch that leaves it at the
  // root.
  // `iterations`: those of the loops around the block where it is.
  static std::vector<sched::Schedule> with_reduction_fused(const sched::Schedule& sch,
                                                          sched::BlockRV block,
                                                          int64_t iterations) {
    if (iterations < 0) return {sch};
    sched::Schedule fused = sch.copy();
    try {
      fused.compute_at(block, fused.get_loops(fused.get_consumers(block).at(0)).front(), true);
    } catch (const sched::ScheduleError&) {
      return {sch};
    }
    sched::Schedule check = fused;  // a probe: get_loops records nothing kept
    if (nest_iterations(check, check.get_loops(block)) != iterations) return {sch};
    return {sch, fused};
  }

  // The iterations of `loops` (a nest); -1 when an extent is not constant.
  static int64_t nest_iterations(const sched::Schedule& sch,
                                 const std::vector<sched::LoopRV>& loops) {
    int64_t n = 1;
    for (const sched::LoopRV& loop : loops) {
      const int64_t* extent = ir::as_const_int(sch.loop_stmt(loop).as<ir::ForNode>()->extent);
      if (!extent) return -1;
      n *= *extent;
    }
    return n;
  }
};

}  // namespace

std::unique_ptr<SpaceRule> random_compute_location() {
  return std::make_unique<RandomComputeLocation>();
}

}  // namespace kiln::search
