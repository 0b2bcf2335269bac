// Deep equality of expressions where a variable equals only itself.
//
// ir/structural.h matches free variables by order of appearance (so `i` and
// `j` compare equal there); the simplifier needs the stricter notion to know
// when two terms can be combined.
#pragma once

#include "ir/expr.h"

namespace kiln::ir::arith {

bool same_expr(const Expr& a, const Expr& b);

}  // namespace kiln::ir::arith
