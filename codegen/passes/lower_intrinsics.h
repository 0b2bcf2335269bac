// lower_intrinsics: rewrites the intrinsics backends do not map one to one
// into ones they do: sigmoid(x) = 1 / (1 + exp(-x)), rsqrt(x) = 1 / sqrt(x).
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

ir::PrimFunc lower_intrinsics(const ir::PrimFunc& func);

}  // namespace kiln::codegen
