// Space generation: the sketches of a function, from its rules applied to
// each block, consumers before their producers (the last block first), each
// rule to every schedule the earlier ones made. A block an earlier rule
// removed (inlined) is skipped. Sketches keep no decisions: replayed, they
// draw every sampled value anew.
#pragma once

#include <vector>

#include "ir/function.h"
#include "schedule/trace.h"
#include "search/space/space_rule.h"

namespace kiln::search {

std::vector<sched::Trace> generate_sketches(const ir::PrimFunc& func, const SpaceRules& rules);

}  // namespace kiln::search
