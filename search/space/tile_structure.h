// The tiling both multi-level tiling rules (CPU "SSRSRS", GPU "SSRRS")
// start from.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "schedule/schedule.h"

namespace kiln::search {

// Each loop of `block` split by sampled perfect tiles into as many parts as
// `structure` has letters of its kind ('S' spatial, 'R' reduction), the
// innermost part at most `max_innermost`, loop by loop in order. Returns the
// parts by level: level i holds, for every loop of the kind of letter i,
// its part numbered as that letter among its kind's letters. The caller
// reorders them. nullopt, with nothing changed, when a loop is mixed or
// unused for the block.
std::optional<std::vector<std::vector<sched::LoopRV>>> tile_by_structure(
    sched::Schedule& sch, sched::BlockRV block, const std::string& structure, int max_innermost);

}  // namespace kiln::search
