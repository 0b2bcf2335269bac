// simplify_stmt: simplifies every index, condition and extent under the
// ranges of the enclosing loops; normalizes loops to start at 0; removes
// loops of extent 0 and 1 (thread-bound loops stay: they name a GPU axis),
// conditions that are always true or false, and statements that do nothing.
#pragma once

#include "ir/function.h"

namespace kiln::codegen {

ir::PrimFunc simplify_stmt(const ir::PrimFunc& func);

}  // namespace kiln::codegen
