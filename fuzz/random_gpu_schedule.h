// Random GPU schedules: what `kiln fuzz --target opencl|cuda` applies instead
// of fuzz/random_schedule.h's free mix, because a GPU kernel must have every
// root loop nest bound to blockIdx/threadIdx within the target's limits.
//
// Per trace: a few generic random primitives (no thread binding, a step that
// leaves a parallel loop undone), shared/local buffers the generic steps made
// put back in global memory (they would span kernels), random inlining, then
// for each root loop nest one of
//   - multi-level tiling: spatial loops tiled in three (sample_perfect_tile),
//     outer tiles fused onto blockIdx.x or bound to blockIdx.x/y/z one by
//     one (counted as "gpu_tile_several_axes"), middle tiles likewise onto
//     threadIdx, reduction loops in two between them and the inner tiles;
//     optionally operands staged with cache_read(..., "shared") + compute_at
//     under the reduction-outer loop and a cooperative fetch over every
//     thread axis, the output accumulated with cache_write(..., "local") +
//     reverse_compute_at, inner loops unrolled or vectorized;
//   - a cross-thread reduction (the reduction loop on threadIdx.x, as the
//     softmax/layernorm hand schedules do, sometimes a few rows per block
//     on threadIdx.y: "gpu_cross_thread_reduction_rows");
//   - a plain binding of the nest's leading spatial loops (nests with several
//     blocks, and where the above is refused).
// A refused optional step is skipped (counted in stats->refused under a
// "gpu_*" name); each refused call must leave the function unchanged, which
// is checked. Throws NotGpuValid when some root nest cannot be bound.
#pragma once

#include <stdexcept>

#include "codegen/target.h"
#include "fuzz/random_schedule.h"
#include "schedule/schedule.h"

namespace kiln::fuzz {

// The schedule has a root loop nest the generator could not bind to GPU
// threads: the trace is skipped, not failed.
struct NotGpuValid : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// `steps`: the budget of generic random primitives (a random number up to a
// third of it is tried). Throws std::logic_error when a refused primitive
// changed the schedule.
void apply_random_gpu_schedule(sched::Schedule& sch, sched::RandomEngine& rng, const Target& target,
                               int steps, ScheduleStats* stats);

}  // namespace kiln::fuzz
