// random_compute_location: a producer that no other rule placed (a padding,
// a reshape, a softmax's row maximum and sum, a layernorm's row sums) goes
// where a sampled location says: inlined into its consumer, left at the
// root, or computed under one of the consumer's loops
// (sample_compute_location + compute_at): a row's statistics computed just
// before the row is normalized, while it is in cache. Outputs, blocks that
// share their nest and reductions with data reuse (tiled) stay where they
// are.
#include "schedule/block_predicates.h"
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
    if (loops.empty() || probe.get_child_blocks(loops.front()).size() != 1 ||
        probe.get_consumers(block).empty())
      return {sch};
    sched::Schedule out = sch.copy();
    const sched::LoopRV where = out.sample_compute_location(block);
    out.compute_at(block, where, true);
    return {out};
  }
};

}  // namespace

std::unique_ptr<SpaceRule> random_compute_location() {
  return std::make_unique<RandomComputeLocation>();
}

}  // namespace kiln::search
