// unroll_loops: an `unrolled` loop of constant extent becomes that many
// copies of its body, each with the loop variable replaced by its value.
// Loops longer than kMaxUnrollExtent stay loops (serial): unrolling them
// would only bloat the code the backend has to compile.
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

constexpr int64_t kMaxUnrollExtent = 512;

ir::PrimFunc unroll_loops(const ir::PrimFunc& func);

}  // namespace kiln::codegen
