// gpu_split_kernels: cuts a lowered GPU function into device kernels.
//
// Each statement at the function's root (under its global allocations) is
// one kernel, launched in order: its blockIdx.* / threadIdx.* loops give the
// grid and block sizes (the largest extent bound to each tag; shorter loops
// are guarded by the printer). Global buffers allocated at the root become
// workspaces that carry values from one kernel to the next; a shared or local
// allocation at the root moves into the one kernel that uses it.
//
// Assumes the lowered form (codegen/lowered_form.h). Throws BuildError for a
// root statement with loops but no thread binding ("bind its loops"), and
// for a shared buffer used by two kernels.
#pragma once

#include "codegen/gpu/gpu_kernel.h"
#include "ir/function.h"

namespace kiln::codegen {

gpu::GpuProgram gpu_split_kernels(const ir::PrimFunc& lowered);

}  // namespace kiln::codegen
