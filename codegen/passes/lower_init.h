// lower_init: a block's `init` becomes a guarded statement at the start of its
// body, run on the first iteration of every reduction iter var
// (`if vk == 0: C[vi, vj] = 0`), so later passes see plain statements.
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

ir::PrimFunc lower_init(const ir::PrimFunc& func);

}  // namespace kiln::codegen
