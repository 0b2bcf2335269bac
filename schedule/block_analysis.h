// Facts about blocks that several primitives check.
#pragma once

#include <string>

#include "ir/function.h"

namespace kiln::sched {

// True when `var` occurs in `e`.
bool uses_var(const ir::Expr& e, const ir::Var& var);

// The name of a block directly under `loop` (a For statement) whose
// reduction iter var is bound to an expression of the loop's variable;
// empty when there is none.
std::string reduction_block_using(const ir::Stmt& loop);

// The name of a block directly under `loop` that binds both a spatial and a
// reduction iter var to expressions of the loop's variable (a loop made by
// fusing spatial with reduction loops); empty when there is none.
std::string mixed_iter_block_using(const ir::Stmt& loop);

}  // namespace kiln::sched
