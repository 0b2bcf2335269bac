// build_gpu: a lowered function (codegen/lowered_form.h) to a callable GPU
// module, for target "cuda" (NVRTC → cubin, run through the CUDA driver when
// one is present) or "opencl" (OpenCL C built and run through the ICD loader).
//
// Runs the GPU passes that work on the lowered form, in order:
//   gpu_split_kernels → gpu_lower_thread_allreduce → gpu_insert_barriers → gpu_verify
// then prints the source and compiles it. Throws BuildError when the program
// does not fit the target or cannot be compiled.
#pragma once

#include "codegen/target.h"
#include "ir/function.h"
#include "runtime/module.h"

namespace kiln::codegen {

runtime::Module build_gpu(const ir::PrimFunc& lowered, const runtime::KernelSignature& signature,
                          const Target& target);

}  // namespace kiln::codegen
