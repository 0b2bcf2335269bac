// Prints a GpuProgram (kernels of a lowered function) as CUDA C or OpenCL C.
//
// One printer serves both dialects (dialect.h holds the spellings):
//  - a thread-bound loop reads its variable from the hardware index
//    (blockIdx.x / get_group_id(0), ...) and is guarded when its extent is
//    below the launch's; a "vthread.*" loop stays a serial loop;
//  - "shared" allocations become arrays at the top of the kernel (__shared__ /
//    __local; on CUDA past 48 KB one dynamic array, sized at launch), "local"
//    ones per-thread arrays where they are allocated;
//  - vector code (Ramp/Broadcast) becomes float4 / half2 loads and stores
//    where the index is contiguous and provably aligned, and lane-by-lane
//    scalar code otherwise;
//  - floordiv / floormod become C `/` and `%` where both sides are provably
//    non-negative, and small helpers otherwise.
#pragma once

#include <string>

#include "codegen/gpu/dialect.h"
#include "codegen/gpu/gpu_kernel.h"

namespace kiln::codegen::gpu {

struct PrintOptions {
  // exp/log/pow (CUDA) and exp/log/sqrt/rsqrt (OpenCL) as the fast, less
  // accurate hardware versions.
  bool fast_math = false;
  // CUDA: static __shared__ arrays may total 48 KB; more is dynamic shared
  // memory, which the kernel's launch then carries.
  int64_t max_static_shared_bytes = 48 * 1024;
};

// The whole source (preamble, helpers, every kernel). Sets each kernel's
// launch.dynamic_shared_bytes. Throws BuildError for what the dialect cannot
// express (a type, a parallel loop, a global allocation inside a kernel).
std::string print_source(GpuProgram& program, const Dialect& dialect,
                         const PrintOptions& options = {});

}  // namespace kiln::codegen::gpu
