// gpu_verify (VerifyGPUCode): refuses a GPU program the target cannot run,
// with a BuildError that names the kernel, the limit and what to change:
//  - threads per block over max_threads_per_block, a block dimension over
//    max_block_dims, a grid dimension over the hardware's (2^31-1, 65535,
//    65535);
//  - shared memory per block over max_shared_memory_per_block;
//  - a barrier inside a loop bound to fewer threads than the block has (the
//    other threads would never reach it);
//  - a thread loop nested in a loop bound to the same axis (a cooperative
//    fetch) unless it is the same work for every outer iteration: its body
//    does not use the outer variable (the GPU would run only the diagonal),
//    it is no longer than the outer loop (the outer guard admits too few
//    threads), and it accumulates into no buffer (the interpreter repeats
//    it per outer iteration, the GPU runs it once);
//  - on a target without warp shuffles, a warp_shuffle_xor;
//  - float16 or float64 on a device without them (OpenCL's cl_khr_fp16,
//    cl_khr_fp64).
#pragma once

#include "codegen/gpu/gpu_kernel.h"
#include "codegen/target.h"
#include "ir/function.h"

namespace kiln::codegen {

void gpu_verify(const gpu::GpuProgram& program, const Target& target);

// Shared memory one kernel allocates (bytes, each array rounded up to 16).
int64_t gpu_shared_bytes(const gpu::GpuKernel& kernel);

}  // namespace kiln::codegen
