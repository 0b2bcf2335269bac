// parallel_vectorize_unroll: how the loops of a nest run, decided once per
// top-level loop nest (on its first block, whose annotations the postproc
// rewrite_parallel_vectorize_unroll reads): the outer spatial loops fused
// and run on the threads up to a sampled `meta_schedule.parallel`
// iterations (1, 4, 16 or 64 per core: fewer chunks cost less to hand out,
// more balance better), innermost spatial loops vectorized up to
// `meta_schedule.vectorize` lanes, and loops unrolled up to a sampled
// `meta_schedule.unroll_explicit` steps (0, 16, 64 or 512). Stages a rule
// computed at the front of the nest to feed the block (a packed operand)
// follow the same annotations.
#include <algorithm>

#include "search/space/block_facts.h"
#include "search/space/space_rule.h"

namespace kiln::search {

namespace {

// Whether `block` speaks for its nest: it comes first, or only stages that
// feed it come before it (the operand a tiling rule packed under its
// loops, a block no rule visits).
bool first_of_nest(sched::Schedule& s, sched::BlockRV block,
                   const std::vector<sched::BlockRV>& nest) {
  const std::string name = s.block_name(block);
  std::vector<std::string> producers;
  for (sched::BlockRV p : s.get_producers(block)) producers.push_back(s.block_name(p));
  for (sched::BlockRV b : nest) {
    const std::string other = s.block_name(b);
    if (other == name) return true;
    if (std::find(producers.begin(), producers.end(), other) == producers.end()) return false;
  }
  return false;
}

class ParallelVectorizeUnroll final : public SpaceRule {
 public:
  explicit ParallelVectorizeUnroll(const Target& target) : cores_(target.num_cores) {}
  std::string name() const override { return "parallel_vectorize_unroll"; }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch,
                                     sched::BlockRV block) const override {
    sched::Schedule s = sch;  // a probe: nothing recorded unless it applies
    const std::vector<sched::LoopRV> loops = s.get_loops(block);
    if (loops.empty()) return {sch};
    if (!first_of_nest(s, block, s.get_child_blocks(loops.front()))) return {sch};
    sched::Schedule out = sch.copy();
    const sched::ExprRV parallel = out.sample_categorical(
        {cores_, 4 * cores_, 16 * cores_, 64 * cores_}, {0.25, 0.25, 0.25, 0.25});
    out.annotate(block, "meta_schedule.parallel", parallel);
    out.annotate(block, "meta_schedule.vectorize", kMaxVectorLanes);
    const sched::ExprRV unroll = out.sample_categorical({0, 16, 64, 512}, {0.25, 0.25, 0.25, 0.25});
    out.annotate(block, "meta_schedule.unroll_explicit", unroll);
    return {out};
  }

 private:
  int64_t cores_;
};

}  // namespace

std::unique_ptr<SpaceRule> parallel_vectorize_unroll(const Target& target) {
  return std::make_unique<ParallelVectorizeUnroll>(target);
}

}  // namespace kiln::search
