// Finding loops and blocks in a function and replacing them.
//
// A loop is known by its loop variable and a block by its name: both survive
// the rebuilding of the nodes around them, so schedule handles stay valid
// across primitives that do not remove what they point at.
#pragma once

#include <string>
#include <vector>

#include "ir/function.h"

namespace kiln::sched {

// The For statement of `loop_var`; undefined when the function has none.
ir::Stmt find_loop(const ir::PrimFunc& func, const ir::Var& loop_var);
// The BlockRealize of the block called `name`; undefined when absent.
ir::Stmt find_block(const ir::PrimFunc& func, const std::string& name);

// The statements from the function body down to `target` (inclusive), or
// empty when `target` is not in the function.
std::vector<ir::Stmt> path_to(const ir::PrimFunc& func, const ir::StmtNode* target);

// The loops between `target` and the nearest block above it, outermost first.
std::vector<ir::Stmt> enclosing_loops(const ir::PrimFunc& func, const ir::StmtNode* target);
// The BlockRealize of the nearest block strictly above `target`.
ir::Stmt enclosing_block(const ir::PrimFunc& func, const ir::StmtNode* target);

// All BlockRealize statements under `root` that are not inside another
// block below `root`, in program order.
std::vector<ir::Stmt> child_blocks(const ir::Stmt& root);
// Every BlockRealize in the function (the root block excluded), in program order.
std::vector<ir::Stmt> all_blocks(const ir::PrimFunc& func);

// `func` with the statement `target` replaced by `replacement` (undefined to
// remove it from its sequence). Only the path to `target` is rebuilt.
ir::PrimFunc replace_stmt(const ir::PrimFunc& func, const ir::StmtNode* target,
                          const ir::Stmt& replacement);

}  // namespace kiln::sched
