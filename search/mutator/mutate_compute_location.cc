// mutate_compute_location: a sampled compute location moves to another legal
// one (inline, root, or another loop of the consumer), as the schedule stands
// when that instruction runs.
#include "schedule/error.h"
#include "schedule/schedule.h"
#include "search/mutator/mutator.h"

namespace kiln::search {

namespace {

class MutateComputeLocation final : public Mutator {
 public:
  std::string name() const override { return "mutate_compute_location"; }
  std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc& func,
                                    sched::RandomEngine& rng) const override {
    std::vector<size_t> sites;
    for (size_t i = 0; i < trace.size(); ++i)
      if (trace.instructions()[i].kind->name == "sample_compute_location") sites.push_back(i);
    if (sites.empty()) return std::nullopt;
    const size_t at = sites[static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(sites.size())))];
    // Replay up to and including the sampling: its block is the input of
    // the last instruction the replay recorded.
    sched::Schedule sch(func, 0, sched::ErrorRenderLevel::kFast);
    try {
      trace.prefix(at + 1).apply_to(sch);
    } catch (const sched::ScheduleError&) {
      return std::nullopt;
    }
    const sched::RV block = std::get<sched::RV>(sch.trace().instructions().back().inputs.at(0));
    std::vector<int64_t> candidates = sch.compute_location_candidates(sched::BlockRV{block.id});
    const std::optional<sched::Decision> d = trace.decision_of(at);
    if (d) std::erase(candidates, std::get<int64_t>(*d));
    if (candidates.empty()) return std::nullopt;
    return trace.with_decision(
        at, candidates[static_cast<size_t>(rng.uniform_int(static_cast<int64_t>(candidates.size())))]);
  }
};

}  // namespace

std::unique_ptr<Mutator> mutate_compute_location() {
  return std::make_unique<MutateComputeLocation>();
}

}  // namespace kiln::search
