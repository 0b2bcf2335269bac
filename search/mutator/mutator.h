// Mutators: a new candidate from an old one by changing one decision of its
// trace (the part before postprocessing) and replaying. Each is small and
// does one thing; the search picks one by probability.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "codegen/target.h"
#include "ir/function.h"
#include "schedule/random.h"
#include "schedule/trace.h"

namespace kiln::search {

class Mutator {
 public:
  virtual ~Mutator() = default;
  virtual std::string name() const = 0;
  // The trace with one decision changed, or nullopt when there is nothing
  // this mutator can change. `func` is what the trace applies to.
  virtual std::optional<sched::Trace> apply(const sched::Trace& trace, const ir::PrimFunc& func,
                                            sched::RandomEngine& rng) const = 0;
};

// One per file of search/mutator/.
std::unique_ptr<Mutator> mutate_tile_size();
std::unique_ptr<Mutator> mutate_unroll();
std::unique_ptr<Mutator> mutate_parallel();
std::unique_ptr<Mutator> mutate_compute_location();
std::unique_ptr<Mutator> mutate_thread_binding();

// A child of two traces of the same sketch (crossover.cc): of the sampled
// decisions where they differ, some from `a` and the rest from `b`, at least
// one from each; nullopt when they are of different sketches or differ in
// fewer than two decisions.
std::optional<sched::Trace> crossover(const sched::Trace& a, const sched::Trace& b,
                                      sched::RandomEngine& rng);

struct WeightedMutator {
  std::unique_ptr<Mutator> mutator;
  double probability;
};

// The mutators of a target with how often each is tried (MetaSchedule's CPU
// weights: tile sizes most of the time).
std::vector<WeightedMutator> default_mutators(const Target& target);

// Whether an instruction takes the value of a sample (the sample's output).
using ChoiceUse = std::function<bool(const sched::Instruction&, const sched::RV& sample)>;

// The trace with another candidate chosen for one sample_categorical
// instruction (drawn uniformly) whose value a later instruction takes as
// `takes` says; nullopt when there is no such sample or it has no other
// candidate (sampled_choice.cc).
std::optional<sched::Trace> mutate_sampled_choice(const sched::Trace& trace,
                                                  const ChoiceUse& takes,
                                                  sched::RandomEngine& rng);

// mutate_sampled_choice for a sample that an `annotate` with `key` takes:
// what mutate_unroll and mutate_parallel share.
std::optional<sched::Trace> mutate_annotated_choice(const sched::Trace& trace,
                                                    const std::string& key,
                                                    sched::RandomEngine& rng);

}  // namespace kiln::search
