// The region a block touches across the iterations of some loops, as
// symbolic intervals in the loops that stay fixed (compute_at's "relax").
//
// relax_index bounds an index expression while the `relaxed` loop variables
// range over their loops and every other variable is held fixed: the result
// contains every value the expression takes, never fewer. Sums, differences,
// products by constants, floordiv/floormod by positive constants, min and
// max are bounded symbolically (`i0*8 + i1` with i1 in [0, 8) gives
// [i0*8, i0*8 + 7]); anything else falls back to constant bounds from the
// analyzer, and to an open side when even those are unknown.
#pragma once

#include "ir/arith/simplify.h"
#include "ir/substitute.h"

namespace kiln::sched {

// Inclusive bounds; an undefined side is unbounded.
struct IndexInterval {
  ir::Expr min;
  ir::Expr max;
};

// `relaxed` maps each relaxed loop variable to its For statement's range;
// `analyzer` knows the ranges of all loop variables (relaxed and fixed) and
// simplifies the bounds.
IndexInterval relax_index(const ir::Expr& index, const ir::arith::VarRangeMap& relaxed,
                          const ir::arith::Analyzer& analyzer);

// The smallest interval holding both (an open side stays open).
IndexInterval interval_union(const IndexInterval& a, const IndexInterval& b,
                             const ir::arith::Analyzer& analyzer);

}  // namespace kiln::sched
