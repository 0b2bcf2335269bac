// Short text for the interpreter's error messages: which statement faulted.
//
// Expressions and stores print through the script printer (ir/printer.h);
// statements with a body print as one header line, not their whole body.
#pragma once

#include <string>

#include "ir/stmt.h"

namespace kiln::ir::interp {

// An expression in script-like infix form: `A[vi, vk] * B[vk, vj]`.
std::string describe_expr(const Expr& e);
// One line for a statement: a store in full, the header of anything with a
// body (`for i in range(0, 128)`, `block "C"`, `if i < 100`).
std::string describe_stmt(const Stmt& s);

}  // namespace kiln::ir::interp
