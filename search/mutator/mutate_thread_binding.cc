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
    // The categorical samples a split takes as a factor.
    const auto& insts = trace.instructions();
    std::vector<size_t> sites;
    for (size_t i = 0; i < insts.size(); ++i) {
      if (insts[i].kind->name != "sample_categorical" || insts[i].outputs.empty()) continue;
      for (size_t j = i + 1; j < insts.size(); ++j) {
        if (insts[j].kind->name != "split") continue;
        bool uses = false;
        for (const sched::Input& in : insts[j].inputs)
          if (const auto* rv = std::get_if<sched::RV>(&in)) uses |= *rv == insts[i].outputs[0];
        if (uses) {
          sites.push_back(i);
          break;
        }
      }
    }
    if (sites.empty()) return std::nullopt;
    const size_t at = sites[static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(sites.size())))];
    std::vector<double> probs = std::get<std::vector<double>>(insts[at].attrs.at(1));
    if (const std::optional<sched::Decision> d = trace.decision_of(at))
      probs[static_cast<size_t>(std::get<int64_t>(*d))] = 0;
    double total = 0;
    for (double p : probs) total += p;
    if (total <= 0) return std::nullopt;
    return trace.with_decision(at, rng.categorical(probs));
  }
};

}  // namespace

std::unique_ptr<Mutator> mutate_thread_binding() { return std::make_unique<MutateThreadBinding>(); }

}  // namespace kiln::search
