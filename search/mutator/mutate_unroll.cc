// mutate_unroll: another of the sampled unroll limits (0, 16, 64, 512) of a
// nest (space/parallel_vectorize_unroll).
#include "search/mutator/mutator.h"

namespace kiln::search {

namespace {

class MutateUnroll final : public Mutator {
 public:
  std::string name() const override { return "mutate_unroll"; }
  std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc&,
                                    sched::RandomEngine& rng) const override {
    return mutate_annotated_choice(trace, "meta_schedule.unroll_explicit", rng);
  }
};

}  // namespace

std::unique_ptr<Mutator> mutate_unroll() { return std::make_unique<MutateUnroll>(); }

}  // namespace kiln::search
