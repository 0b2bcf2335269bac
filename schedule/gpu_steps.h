// Steps of GPU schedules that the search's GPU rules and postprocessors and
// the GPU fuzzer share: fusing a group of loops (CPU postprocessors fuse
// with it too), binding loops to the blockIdx / threadIdx axes, a sampled
// thread count, and a cooperative fetch (a staging block's copy spread over
// all the threads of the block that uses it).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "schedule/schedule.h"

namespace kiln::sched {

// The loops fused (the loop itself when there is one).
LoopRV fuse_all(Schedule& sch, const std::vector<LoopRV>& loops);

// Binds `loops` (outermost first, at most 3) to `kind`.x, .y, .z, the
// innermost to x: consecutive threads take consecutive elements.
void bind_axes(Schedule& sch, const std::vector<LoopRV>& loops, const std::string& kind);

// The powers of two from 32 to `most`: the thread counts GPU rules draw from.
std::vector<int64_t> thread_counts(int64_t most);

// `loop` split as [rest, threads], the thread count drawn uniformly from
// `counts` (a sample mutate_thread_binding changes).
std::vector<LoopRV> split_by_sampled_threads(Schedule& sch, LoopRV loop,
                                             const std::vector<int64_t>& counts);

// The loops of `stage` (a cache_read block computed at a loop of `block`)
// that `block` does not share, fused and split as the threads are laid out,
// [rest][z][y][x] for `thread_extents` = {x, y, z...}, the thread parts
// bound to threadIdx. False (nothing changed) when the stage has no loop of
// its own. Throws ScheduleError as its primitives do.
bool cooperative_fetch(Schedule& sch, BlockRV stage, BlockRV block,
                       const std::vector<int64_t>& thread_extents);

}  // namespace kiln::sched
