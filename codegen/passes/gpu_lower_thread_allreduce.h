// gpu_lower_thread_allreduce: every `B[i] = thread_allreduce(v, combiner, t)`
// (made by gpu_cross_thread_reduction) becomes code that combines v over the
// threads of loop t, the other thread axes held fixed, and leaves the total
// in B[i] of every one of those threads:
//  - on a target with warps (CUDA; OpenCL with -warp_size), t on threadIdx.x
//    with the launch's extent, a block of whole warps and an extent that is a
//    power of two up to the warp size or a multiple of it: xor-shuffle
//    butterflies within each warp; past one warp, lane 0 of each warp leaves
//    its warp's value in shared memory, and every warp reads all of them
//    back and combines them (a second butterfly), so no broadcast is needed;
//  - otherwise: a tree in shared/local memory over the next power of two of
//    the extent, the total read back from element 0 of the group.
// Runs before gpu_insert_barriers, which places the barriers the shared
// memory steps need. Throws BuildError when loop t runs on fewer threads
// than the launch has on its axis (the others would not take part).
#pragma once

#include "codegen/gpu/gpu_kernel.h"
#include "codegen/target.h"

namespace kiln::codegen {

void gpu_lower_thread_allreduce(gpu::GpuProgram& program, const Target& target);

}  // namespace kiln::codegen
