// Which parameters a lowered CPU kernel runs much faster on when their data
// start on a cache line: those it reads or writes with vectors wider than 16
// bytes many times over, on a CPU whose registers are that wide (vectors of
// 16 bytes or narrower never straddle a line of 16-byte aligned data). On an array that starts off a line (NumPy's start
// 16 bytes past one) each such access straddles two lines and the kernel can
// run at half speed; the runtime then copies the array to aligned memory
// before the call (runtime/staging.h), which costs one pass over it, small
// beside the kernel's many.
#pragma once

#include <vector>

#include "ir/function.h"

namespace kiln::codegen {

// Touches per element at which a parameter counts as reused.
inline constexpr double kAlignmentReuse = 8.0;
// Smaller buffers stay in L1, where a straddling load costs little.
inline constexpr int64_t kAlignmentMinBytes = 4096;

// For each parameter of `lowered` (codegen/lowered_form.h), whether the
// elements its wide vector accesses touch, counted over every iteration of
// their loops, are at least kAlignmentReuse times its size, on a CPU with
// `vector_bytes`-wide registers; buffers under kAlignmentMinBytes never.
std::vector<bool> params_wanting_alignment(const ir::PrimFunc& lowered, int vector_bytes);

}  // namespace kiln::codegen
