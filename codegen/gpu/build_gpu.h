// compile_gpu: a lowered function (codegen/lowered_form.h) to a GPU artifact,
// for target "cuda" (NVRTC → cubin, run through the CUDA driver when one is
// present) or "opencl" (OpenCL C, built and run through the ICD loader when
// the artifact is loaded).
//
// Runs the GPU passes that work on the lowered form, in order:
//   gpu_split_kernels → gpu_lower_thread_allreduce → gpu_insert_barriers → gpu_verify
// then prints the source and compiles it. Throws BuildError when the program
// does not fit the target or cannot be compiled.
#pragma once

#include "codegen/artifact.h"
#include "codegen/target.h"
#include "ir/function.h"
#include "runtime/module.h"

namespace kiln::codegen {

Artifact compile_gpu(const ir::PrimFunc& lowered, const runtime::KernelSignature& signature,
                     const Target& target);

// The GPU passes alone (split into kernels, thread reductions, barriers, the
// target's limits): what compile_gpu checks before printing. Throws
// BuildError as it does; the search rejects candidates with it.
void check_gpu_program(const ir::PrimFunc& lowered, const Target& target);

// A module of a cuda or opencl artifact; nothing touches a device until the
// first call.
runtime::Module load_gpu(Artifact artifact);

// compile_gpu, then load_gpu.
runtime::Module build_gpu(const ir::PrimFunc& lowered, const runtime::KernelSignature& signature,
                          const Target& target);

}  // namespace kiln::codegen
