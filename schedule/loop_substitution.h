// Rewriting what lies under a loop after the loop itself changed.
#pragma once

#include "ir/arith/simplify.h"
#include "ir/function.h"
#include "ir/substitute.h"

namespace kiln::sched {

// `body` with every loop variable in `map` replaced, each block's bindings
// and predicate simplified, and `extra_predicate` (if defined) conjoined to
// the predicate of every block directly under `body`. `analyzer` knows the
// ranges of the loops around `body`; the loops inside are added as they are
// met. Blocks are not entered: inside a block only its own iter vars and
// loops are visible.
ir::Stmt substitute_loops(const ir::Stmt& body, const ir::VarMap& map,
                          const ir::Expr& extra_predicate, ir::arith::Analyzer analyzer);

// An Analyzer that knows the ranges of the loops enclosing `target` in `func`.
ir::arith::Analyzer analyzer_for(const ir::PrimFunc& func, const ir::StmtNode* target);

}  // namespace kiln::sched
