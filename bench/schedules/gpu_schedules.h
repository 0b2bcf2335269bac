// Hand-written GPU schedules of the standard workloads (workloads/), shared
// by the GPU tests (tests/cpp/codegen/gpu_schedules_test.cc: PoCL against the
// interpreter, NVRTC for sm_90 without a warning) and the GPU benchmark
// (bench/gpu/run.sh): block/thread tiling, shared-memory staging with
// cache_read(..., "shared") and a cooperative fetch, local accumulation with
// cache_write(..., "local"), and cross-thread reductions (a reduction loop
// bound to threadIdx.x) for the row-wise normalizations.
//
//   sched::Schedule sch(workloads::get("matmul", {{"M", 256}}).func);
//   bench::gpu::schedule_matmul(sch, {});
//   kiln::Module m = kiln::build(sch.func(), kiln::Target("cuda -arch=sm_90"));
//
// Every function schedules the workload's blocks by name and throws
// std::invalid_argument when a tile does not divide the extent it tiles
// (each says which); the schedule is then left partly applied.
#pragma once

#include <cstdint>

#include "schedule/schedule.h"

namespace kiln::bench::gpu {

struct MatmulTiles {
  int64_t block_rows = 64, block_cols = 64;  // output tile of a thread block
  int64_t thread_rows = 4, thread_cols = 4;  // output tile of a thread
  int64_t k_step = 8;                        // reduction slice staged in shared memory
};

// Block "C" of matmul (C[i, j] += A[i, k] * B[k, j]) or, with `batched`, of
// batch_matmul (an extra leading batch loop, bound to blockIdx.z).
void schedule_matmul(sched::Schedule& sch, const MatmulTiles& tiles, bool batched = false);

struct ConvTiles {
  int64_t block_pixels = 16;    // output pixels (n, h, w fused) of a thread block
  int64_t block_channels = 64;  // output channels of a thread block
  int64_t thread_pixels = 2, thread_channels = 4;  // output tile of a thread
  int64_t channel_step = 8;                        // input channels staged per step
};

// conv2d_nhwc: the pad stage inlined into the shared-memory fetch of the
// input, the weights staged too, each thread a thread_pixels x
// thread_channels tile accumulated in registers.
void schedule_conv2d_nhwc(sched::Schedule& sch, const ConvTiles& tiles);

// depthwise_conv2d_nhwc: one output element per thread (channels on
// threadIdx.x so that loads are coalesced), the pad stage inlined, the
// window accumulated in a register.
void schedule_depthwise_conv2d_nhwc(sched::Schedule& sch, int64_t threads = 64);

// softmax and layernorm: one row per thread block; every row reduction
// (row_max, row_sum, sq_sum) is a cross-thread reduction over `threads`
// threads (its reduction loop bound to threadIdx.x), the elementwise stages
// spread over the same threads.
void schedule_softmax(sched::Schedule& sch, int64_t threads = 64);
void schedule_layernorm(sched::Schedule& sch, int64_t threads = 64);

}  // namespace kiln::bench::gpu
