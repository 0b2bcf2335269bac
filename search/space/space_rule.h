// A space rule: given a schedule and one of its blocks, the schedules it
// makes of them (several when it branches, just the input when it does not
// apply). Rules write sampling instructions (sample_perfect_tile,
// sample_categorical, sample_compute_location) where a choice is to be
// made: the traces they leave are sketches, and the search draws and
// mutates their decisions.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "codegen/target.h"
#include "schedule/schedule.h"

namespace kiln::search {

class SpaceRule {
 public:
  virtual ~SpaceRule() = default;
  // "multi_level_tiling", ...: what the rule is (for traces and tests).
  virtual std::string name() const = 0;
  // `block` is a handle of `sch`, which the rule does not change: it works
  // on copies. Never throws for a block it does not apply to.
  virtual std::vector<sched::Schedule> apply(const sched::Schedule& sch,
                                             sched::BlockRV block) const = 0;
};

using SpaceRules = std::vector<std::unique_ptr<SpaceRule>>;

// The rules, one per file of search/space/.
std::unique_ptr<SpaceRule> auto_inline();
std::unique_ptr<SpaceRule> pad_ragged_einsum(const Target& target);
std::unique_ptr<SpaceRule> add_rfactor(const Target& target);
std::unique_ptr<SpaceRule> multi_level_tiling(const Target& target);
std::unique_ptr<SpaceRule> parallel_vectorize_unroll(const Target& target);
std::unique_ptr<SpaceRule> random_compute_location();
// GPU targets (cuda, opencl).
std::unique_ptr<SpaceRule> multi_level_tiling_gpu(const Target& target);
std::unique_ptr<SpaceRule> cross_thread_reduction(const Target& target);
std::unique_ptr<SpaceRule> auto_bind(const Target& target);

// The rules for a target, in the order they apply to each block.
SpaceRules default_space_rules(const Target& target);

}  // namespace kiln::search
