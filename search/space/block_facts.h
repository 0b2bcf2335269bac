// What the space rules need to know of a block beyond the schedule's block
// predicates (schedule/block_predicates.h): how its loops relate to its iter
// vars, and whether its body computes something costly to repeat.
#pragma once

#include <vector>

#include "schedule/schedule.h"

namespace kiln::search {

enum class LoopKind {
  kSpatial,    // only spatial iter vars are bound to it
  kReduction,  // only reduction iter vars
  kMixed,      // both
  kUnused,     // neither (a loop of another block's nest)
};

// The kind of each of `loops` (loops above `block`) for `block`.
std::vector<LoopKind> loop_kinds(const sched::Schedule& sch, sched::BlockRV block,
                                 const std::vector<sched::LoopRV>& loops);

// The block's body (init included) has a Select (a padding's bounds test) or
// an intrinsic call (exp, sqrt, ...): computing it again at every use, as
// inlining does, costs more than reading it once.
bool computes_selects_or_calls(const sched::Schedule& sch, sched::BlockRV block);

}  // namespace kiln::search
