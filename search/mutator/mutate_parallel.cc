// mutate_parallel: another of the sampled limits on how many iterations of a
// nest's fused outer loops go to the threads (space/parallel_vectorize_unroll).
#include "search/mutator/mutator.h"

namespace kiln::search {

namespace {

class MutateParallel final : public Mutator {
 public:
  std::string name() const override { return "mutate_parallel"; }
  std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc&,
                                    sched::RandomEngine& rng) const override {
    return mutate_annotated_choice(trace, "meta_schedule.parallel", rng);
  }
};

}  // namespace

std::unique_ptr<Mutator> mutate_parallel() { return std::make_unique<MutateParallel>(); }

}  // namespace kiln::search
