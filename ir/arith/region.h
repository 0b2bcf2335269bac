// Regions covered by index expressions while some loops run (what compute_at
// and cache_read need to know about the part of a buffer a loop nest touches).
#pragma once

#include <vector>

#include "ir/arith/simplify.h"

namespace kiln::ir::arith {

// For each index, the interval [min, min + extent) of values it takes while
// every variable in `relaxed` ranges over its range. Other variables (outer
// loops) stay symbolic in the result, so A[i0*8 + i1] relaxed over
// i1 in [0, 8) covers [i0*8, i0*8 + 8). `analyzer` knows the ranges of the
// other variables and simplifies the result.
//
// The result always covers every value; it is exact for affine indices.
// floordiv, floormod, min, max and select are bounded by interval
// arithmetic; anything else by constant bounds. Throws std::invalid_argument
// when an index is unbounded (a load, or a variable with no known range).
std::vector<Range> relax_region(const std::vector<Expr>& indices, const VarRangeMap& relaxed,
                                const Analyzer& analyzer = Analyzer());

}  // namespace kiln::ir::arith
