// gpu_verify (VerifyGPUCode): refuses a GPU program the target cannot run,
// with a BuildError that names the kernel, the limit and what to change:
//  - threads per block over max_threads_per_block, a block dimension over
//    max_block_dims, a grid dimension over the hardware's (2^31-1, 65535,
//    65535);
//  - shared memory per block over max_shared_memory_per_block;
//  - a barrier inside a loop bound to fewer threads than the block has (the
//    other threads would never reach it);
//  - a thread loop nested in a loop bound to the same axis whose body uses
//    the outer loop's variable (the GPU runs only its diagonal);
//  - on a target without warp shuffles, a warp_shuffle_xor.
#pragma once

#include "codegen/gpu/gpu_kernel.h"
#include "codegen/target.h"
#include "ir/function.h"

namespace kiln::codegen {

void gpu_verify(const gpu::GpuProgram& program, const Target& target);

// Shared memory one kernel allocates (bytes, each array rounded up to 16).
int64_t gpu_shared_bytes(const gpu::GpuKernel& kernel);

}  // namespace kiln::codegen
