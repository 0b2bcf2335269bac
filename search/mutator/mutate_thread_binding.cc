// mutate_thread_binding: another of the sampled thread counts a loop was
// split by before its inner part went to threadIdx (space/auto_bind,
// space/cross_thread_reduction).
#include <variant>

#include "search/mutator/mutator.h"

namespace kiln::search {

namespace {

class MutateThreadBinding final : public Mutator {
 public:
  std::string name() const override { return "mutate_thread_binding"; }
  std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc&,
                                    sched::RandomEngine& rng) const override {
    // A categorical sample that a split takes as a factor.
    return mutate_sampled_choice(
        trace,
        [](const sched::Instruction& split, const sched::RV& sample) {
          if (split.kind->name != "split") return false;
          for (const sched::Input& in : split.inputs)
            if (const auto* rv = std::get_if<sched::RV>(&in); rv && *rv == sample) return true;
          return false;
        },
        rng);
  }
};

}  // namespace

std::unique_ptr<Mutator> mutate_thread_binding() { return std::make_unique<MutateThreadBinding>(); }

}  // namespace kiln::search
