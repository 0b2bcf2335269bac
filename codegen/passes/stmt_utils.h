// Small statement helpers shared by the lowering passes.
#pragma once

#include <unordered_set>

#include "ir/stmt.h"

namespace kiln::codegen {

// The statement that does nothing (`evaluate(0)`), for a removed loop or if.
ir::Stmt no_op();
bool is_no_op(const ir::Stmt& s);

// True when `e` mentions `var`.
bool uses_var(const ir::Expr& e, const ir::Var& var);
bool uses_var(const ir::Stmt& s, const ir::Var& var);

// The buffers `body` stores to (a parameter not among them is read-only:
// `const` in generated signatures).
std::unordered_set<const ir::BufferNode*> stored_buffers(const ir::Stmt& body);

// True when evaluating `e` loads from a buffer.
bool reads_memory(const ir::Expr& e);

}  // namespace kiln::codegen
