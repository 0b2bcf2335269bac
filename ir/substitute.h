// Replacing variables by expressions.
#pragma once

#include <unordered_map>

#include "ir/stmt.h"

namespace kiln::ir {

using VarMap = std::unordered_map<Var, Expr, VarHash>;

// `e` with every free occurrence of a key of `map` replaced by its value.
Expr substitute(const Expr& e, const VarMap& map);
Stmt substitute(const Stmt& s, const VarMap& map);

}  // namespace kiln::ir
