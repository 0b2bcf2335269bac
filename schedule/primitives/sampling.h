// The sampling algorithms behind the sampling instructions, usable by the
// search's mutators without a schedule.
#pragma once

#include <cstdint>
#include <vector>

#include "schedule/random.h"

namespace kiln::sched {

// n positive factors multiplying to `extent`, the last at most
// `max_innermost_factor` when the prime factors of `extent` allow.
std::vector<int64_t> sample_perfect_tile(RandomEngine& rng, int64_t extent, int n,
                                         int64_t max_innermost_factor);
bool is_valid_perfect_tile(const std::vector<int64_t>& tile, int64_t extent, int n,
                           int64_t max_innermost_factor);

}  // namespace kiln::sched
