// Hand-written GPU schedules of the standard workloads, shared by the GPU
// tests (tests/cpp/codegen/gpu_schedules_test.cc: PoCL vs the interpreter,
// NVRTC for every arch) and the GPU benchmark (bench/gpu/): block/thread
// tiling, shared-memory staging with cache_read(..., "shared"), local
// accumulation with cache_write(..., "local").
#pragma once

#include <cstdint>

#include "schedule/schedule.h"

namespace kiln::bench::gpu {

struct MatmulTiles {
  int64_t block_rows = 32, block_cols = 32;  // output tile of a thread block
  int64_t thread_rows = 4, thread_cols = 4;  // output tile of a thread
  int64_t k_step = 8;                        // reduction slice staged in shared memory
};

// Schedules the block "C" of matmul (C[i, j] += A[i, k] * B[k, j]) or, with
// `batched`, of batch_matmul (an extra leading batch loop, bound to
// blockIdx.z). Tile sizes must divide the extents.
void schedule_matmul(sched::Schedule& sch, const MatmulTiles& tiles, bool batched = false);

}  // namespace kiln::bench::gpu
