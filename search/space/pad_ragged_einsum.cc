// pad_ragged_einsum: a block multi-level tiling will tile (a reduction with
// data reuse) whose extents tile badly is padded first (pad_einsum), so
// that the tiles the search samples can be whole vectors and register
// blocks: a 127^3 matmul becomes a 128^3 one over zero-padded copies of A
// and B, its result copied back; 509 becomes 512. Which extents and to what
// multiple: ragged_padding (block_facts.h): those with no factor to tile
// by, not those whose factors are merely awkward (1001 = 7 x 11 x 13).
//
// The padded inputs are filled by nests of their own before the block's,
// and the result copied back by one after it. Where the result is not an
// output (dense + bias + relu), that copy is inlined into its readers,
// which read the padded result directly; otherwise multi_level_tiling
// fuses it into the tiles as the block's elementwise consumer, or it stays
// a nest of its own. No other rule visits these copies (rules visit the
// blocks of the original function), so their nests are annotated here to
// run on the threads (rewrite_parallel_vectorize_unroll).
//
// Only the padded sketch is returned: without it such an extent tiles as
// 1 x n, and the padding adds at most an eighth to the work.
#include <algorithm>

#include "schedule/block_predicates.h"
#include "schedule/ir_utils.h"
#include "search/space/block_facts.h"
#include "search/space/space_rule.h"

namespace kiln::search {

namespace {

std::vector<std::string> block_names(const ir::PrimFunc& func) {
  std::vector<std::string> names;
  for (const ir::Stmt& realize : sched::all_blocks(func))
    names.push_back(realize.as<ir::BlockRealizeNode>()->block->name);
  return names;
}

class PadRaggedEinsum final : public SpaceRule {
 public:
  explicit PadRaggedEinsum(const Target& target)
      : target_(target) {}
  std::string name() const override { return "pad_ragged_einsum"; }

  std::vector<sched::Schedule> apply(const sched::Schedule& sch,
                                     sched::BlockRV block) const override {
    if (!sched::is_reduction(sch, block) || !sched::has_data_reuse(sch, block)) return {sch};
    const ir::BlockNode& b = *sch.block_stmt(block).as<ir::BlockRealizeNode>()->block;
    if (b.writes.size() != 1) return {sch};
    const std::vector<int64_t> padding =
        ragged_padding(sch, block, vector_lanes(target_, b.writes[0].buffer->dtype));
    if (std::all_of(padding.begin(), padding.end(), [](int64_t p) { return p == 1; })) return {sch};

    // Step 1. Pad (pad_einsum checks the block is einsum-like).
    sched::Schedule s = sch.copy();
    const std::vector<std::string> before = block_names(s.func());
    try {
      s.pad_einsum(block, padding);
    } catch (const sched::ScheduleError&) {
      return {sch};  // not einsum-like (a convolution's shifted windows)
    }

    // Step 2. The copies: the result's copy back inlined where it can be,
    // every copy's nest on the threads.
    for (const std::string& name : block_names(s.func())) {
      if (std::find(before.begin(), before.end(), name) != before.end()) continue;
      const sched::BlockRV copy = s.get_block(name);
      const std::vector<sched::BlockRV> producers = s.get_producers(copy);
      const bool copies_back = producers.size() == 1 && s.block_name(producers[0]) == b.name;
      if (copies_back && !sched::is_output(s, copy)) {
        sched::Schedule trial = s;
        try {
          trial.compute_inline(copy);
          s = trial;
          continue;
        } catch (const sched::ScheduleError&) {
          // Left as a nest of its own.
        }
      }
      s.annotate(copy, "meta_schedule.parallel", kJobsPerCore * target_.num_cores);
      s.annotate(copy, "meta_schedule.vectorize", kMaxVectorLanes);
      s.annotate(copy, "meta_schedule.unroll_explicit", int64_t{0});
    }
    return {s};
  }

 private:
  Target target_;
};

}  // namespace

std::unique_ptr<SpaceRule> pad_ragged_einsum(const Target& target) {
  return std::make_unique<PadRaggedEinsum>(target);
}

}  // namespace kiln::search
